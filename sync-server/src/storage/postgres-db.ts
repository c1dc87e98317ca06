import pg from 'pg';
import { POSTGRES_MIGRATIONS } from './migrations';
import { toNumbered, type Params, type Sql, type SqlDb } from './sql';

/** BIGINT (sequences, counts) as JS numbers: team sequences stay far below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: string) => (oid === 20 && format !== 'binary' ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text'))) as typeof pg.types.getTypeParser,
};

/** Any key from a fixed number: only one relay migrates at a time. */
const MIGRATION_LOCK = 0x6c69616e; // 'lian'

const compiled = new Map<string, { text: string; names: string[] }>();

function statement(sql: string, p: Params | undefined): { text: string; values: unknown[] } {
  let c = compiled.get(sql);
  if (!c) {
    c = toNumbered(sql);
    compiled.set(sql, c);
  }
  return { text: c.text, values: c.names.map((n) => (p?.[n] === undefined ? null : p[n])) };
}

function runner(q: pg.Pool | pg.PoolClient, self: () => Sql): Sql {
  return {
    kind: 'postgres',
    all: async <T>(sql: string, p?: Params) => (await q.query(statement(sql, p))).rows as T[],
    get: async <T>(sql: string, p?: Params) => (await q.query(statement(sql, p))).rows[0] as T | undefined,
    run: async (sql: string, p?: Params) => (await q.query(statement(sql, p))).rowCount ?? 0,
    tx: (fn) => fn(self()),
  };
}

/**
 * PostgreSQL (`DATABASE_URL=postgres://…`), for several relays on one database. Every
 * session runs with `synchronous_commit = on` whatever the server's default, so a COMMIT
 * that returned is on the primary's disk before the relay acknowledges anything.
 */
export class PostgresDb implements SqlDb {
  readonly kind = 'postgres' as const;
  readonly where: string;
  private readonly plain: Sql;

  constructor(readonly pool: pg.Pool, url: string) {
    const u = new URL(url);
    u.password = '';
    this.where = `postgres://${u.host}${u.pathname}`;
    this.plain = runner(pool, () => this.plain);
  }

  all<T>(sql: string, p?: Params): Promise<T[]> {
    return this.plain.all<T>(sql, p);
  }

  get<T>(sql: string, p?: Params): Promise<T | undefined> {
    return this.plain.get<T>(sql, p);
  }

  run(sql: string, p?: Params): Promise<number> {
    return this.plain.run(sql, p);
  }

  async tx<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const inside: Sql = runner(client, () => inside);
      try {
        const r = await fn(inside);
        await client.query('COMMIT');
        return r;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => (broken = true));
        throw e;
      }
    } finally {
      client.release(broken);
    }
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

export interface PostgresOptions {
  /** pool size per relay process (`DATABASE_POOL`, default 10) */
  max?: number;
  /** how long a statement may wait for a connection before it fails (a lost database must not hang acks forever) */
  connectTimeoutMs?: number;
}

/** Connect and migrate; several relays starting at once migrate one after the other. */
export async function openPostgres(url: string, opts: PostgresOptions = {}): Promise<PostgresDb> {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
    // A statement that hangs (network partition) fails instead of holding an ack forever.
    query_timeout: 30_000,
    options: '-c synchronous_commit=on',
    types,
  });
  // An idle client whose server went away: the pool drops it; the next query reconnects.
  pool.on('error', () => undefined);
  const db = new PostgresDb(pool, url);
  try {
    await db.tx(async (tx) => {
      await tx.run(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
      await tx.run('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
      const row = await tx.get<{ version: number }>('SELECT version FROM schema_version');
      const version = row?.version ?? 0;
      if (version > POSTGRES_MIGRATIONS.length) throw new Error(`${db.where} has schema version ${version}; this relay knows up to ${POSTGRES_MIGRATIONS.length}. Run the newer relay.`);
      for (let v = version; v < POSTGRES_MIGRATIONS.length; v++) await tx.run(POSTGRES_MIGRATIONS[v]!);
      if (!row) await tx.run('INSERT INTO schema_version (version) VALUES (@v)', { v: POSTGRES_MIGRATIONS.length });
      else await tx.run('UPDATE schema_version SET version = @v', { v: POSTGRES_MIGRATIONS.length });
    });
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw e;
  }
  return db;
}
