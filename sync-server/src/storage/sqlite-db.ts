import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SQLITE_MIGRATIONS } from './migrations';
import type { Params, Sql, SqlDb } from './sql';

export const DB_FILE = 'lianhu.db';

type Statement = Database.Statement<unknown[], unknown>;

/**
 * The default backend: one SQLite file in DATA_DIR, WAL with `synchronous=FULL` (a committed
 * write survives a kill -9 and a power cut, which is what the ack rule needs). better-sqlite3
 * is synchronous; a transaction here may await between its statements, so statements from
 * outside it wait until it has committed (one connection, one writer).
 */
export class SqliteDb implements SqlDb {
  readonly kind = 'sqlite' as const;
  readonly where: string;
  private readonly statements = new Map<string, Statement>();
  /** settles when the open transaction ends */
  private busy: Promise<void> | undefined;
  private readonly inside: Sql;

  constructor(readonly db: Database.Database, file: string) {
    this.where = `sqlite:${file}`;
    const inside: Sql = {
      kind: 'sqlite',
      all: async <T>(sql: string, p?: Params) => this.prepare(sql).all(clean(p)) as T[],
      get: async <T>(sql: string, p?: Params) => this.prepare(sql).get(clean(p)) as T | undefined,
      run: async (sql: string, p?: Params) => this.prepare(sql).run(clean(p)).changes,
      tx: (fn) => fn(inside),
    };
    this.inside = inside;
  }

  private prepare(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private async free(): Promise<void> {
    while (this.busy) await this.busy;
  }

  async all<T>(sql: string, p?: Params): Promise<T[]> {
    if (this.busy) await this.free();
    return this.inside.all<T>(sql, p);
  }

  async get<T>(sql: string, p?: Params): Promise<T | undefined> {
    if (this.busy) await this.free();
    return this.inside.get<T>(sql, p);
  }

  async run(sql: string, p?: Params): Promise<number> {
    if (this.busy) await this.free();
    return this.inside.run(sql, p);
  }

  async tx<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    if (this.busy) await this.free();
    let release!: () => void;
    this.busy = new Promise<void>((r) => (release = r));
    try {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const r = await fn(this.inside);
        this.db.exec('COMMIT');
        return r;
      } catch (e) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw e;
      }
    } finally {
      this.busy = undefined;
      release();
    }
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.busy) await this.free();
    this.db.close();
  }
}

/** better-sqlite3 binds `undefined` as an error; the relay means NULL. */
function clean(p: Params | undefined): Record<string, unknown> {
  if (!p) return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) out[k] = v === undefined ? null : v;
  return out;
}

/** Open (and migrate) the relay database in `dataDir`. */
export function openSqlite(dataDir: string): SqliteDb {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, DB_FILE);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SQLITE_MIGRATIONS.length) {
    db.close();
    throw new Error(`${file} has schema version ${version}; this relay knows up to ${SQLITE_MIGRATIONS.length}. Run the newer relay.`);
  }
  for (let v = version; v < SQLITE_MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(SQLITE_MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return new SqliteDb(db, file);
}
