import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SQLITE_MIGRATIONS } from './migrations';
import type { Params, Sql, SqlDb } from './sql';

export const DB_FILE = 'lianhu.db';

type Statement = Database.Statement<unknown[], unknown>;

/** Transactions sharing one COMMIT at most (bounds how long the first waits for the fsync). */
const MAX_GROUP = 64;
/**
 * How long the first transaction of a group waits for others before the group commits. A
 * phone's updates reach the relay within a few milliseconds of each other but in different
 * turns of the event loop (each passes awaits before it asks for its transaction), so
 * committing at the end of the turn grouped almost nothing (100 returning phones: 2,020
 * transactions in 1,948 commits); waiting 2 ms made it 660 commits for the same work.
 */
const GROUP_WAIT_MS = 2;

interface Pending {
  fn: (tx: Sql) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * The default backend: one SQLite file in DATA_DIR, WAL with `synchronous=FULL` (a committed
 * write survives a kill -9 and a power cut, which is what the ack rule needs). better-sqlite3
 * is synchronous; a transaction here may await between its statements, so statements from
 * outside it wait until it has committed (one connection, one writer).
 *
 * Group commit: transactions asked for while the event loop is busy (many sockets' updates
 * read in one turn) run one after the other inside one SQLite transaction, each in a
 * savepoint of its own, and share its COMMIT — one fsync instead of one each. Each promise
 * still resolves only after that COMMIT (the ack rule), and one that throws rolls back to
 * its savepoint only: the others commit.
 */
export class SqliteDb implements SqlDb {
  readonly kind = 'sqlite' as const;
  readonly where: string;
  private readonly statements = new Map<string, Statement>();
  /** settles when the open transaction ends */
  private busy: Promise<void> | undefined;
  /** transactions waiting for the next group commit */
  private readonly queue: Pending[] = [];
  private flushing = false;
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

  // Statements outside a transaction wait for the open one to commit, and run in the same
  // turn as the check, so none slips in once the next group has begun.
  async all<T>(sql: string, p?: Params): Promise<T[]> {
    while (this.busy) await this.busy;
    return this.inside.all<T>(sql, p);
  }

  async get<T>(sql: string, p?: Params): Promise<T | undefined> {
    while (this.busy) await this.busy;
    return this.inside.get<T>(sql, p);
  }

  async run(sql: string, p?: Params): Promise<number> {
    while (this.busy) await this.busy;
    return this.inside.run(sql, p);
  }

  tx<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.flushing) {
        this.flushing = true;
        // Every socket's frame read in the next GROUP_WAIT_MS joins the group.
        setTimeout(() => void this.flush(), GROUP_WAIT_MS);
      }
    });
  }

  /** Commit the waiting transactions, a group at a time, until none waits. */
  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        while (this.busy) await this.busy;
        await this.commitGroup(this.queue.splice(0, MAX_GROUP));
      }
    } finally {
      this.flushing = false;
    }
  }

  private async commitGroup(group: Pending[]): Promise<void> {
    let release!: () => void;
    this.busy = new Promise<void>((r) => (release = r));
    const alone = group.length === 1;
    /** ran to the end inside the transaction: resolved once it commits */
    const done: { p: Pending; value: unknown }[] = [];
    let next = 0;
    try {
      this.db.exec('BEGIN IMMEDIATE');
      for (; next < group.length; next++) {
        const p = group[next]!;
        if (!alone) this.db.exec('SAVEPOINT lianhu_tx');
        try {
          const value = await p.fn(this.inside);
          if (!alone) this.db.exec('RELEASE lianhu_tx');
          done.push({ p, value });
        } catch (e) {
          // SQLite may have ended the whole transaction itself (an I/O error, a full disk):
          // then nothing of this group is stored and none of it may resolve (below).
          if (!this.db.inTransaction) throw e;
          if (alone) this.db.exec('ROLLBACK');
          else {
            this.db.exec('ROLLBACK TO lianhu_tx');
            this.db.exec('RELEASE lianhu_tx');
          }
          p.reject(e);
        }
      }
      if (this.db.inTransaction) this.db.exec('COMMIT');
      for (const d of done) d.p.resolve(d.value);
    } catch (e) {
      try {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
      } catch {
        // the connection is gone; nothing here committed either way
      }
      for (const d of done) d.p.reject(e);
      for (const p of group.slice(next)) p.reject(e);
    } finally {
      this.busy = undefined;
      release();
    }
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    while (this.busy || this.queue.length > 0) await (this.busy ?? new Promise((r) => setImmediate(r)));
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
