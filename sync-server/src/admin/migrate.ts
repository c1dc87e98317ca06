import { RelayError } from '../errors';
import type { Sql } from '../storage/sql';
import { SqliteSnapshot } from './migrate-source';
import { PostgresTarget } from './migrate-target';
import { verifyCopy } from './migrate-verify';

export interface MigrateOptions {
  /** the single relay's SQLite file */
  from: string;
  /** postgres://… */
  to: string;
  /** empty a target that already holds data instead of refusing it */
  replace?: boolean;
  /** only compare the target with the SQLite file, copy nothing */
  verifyOnly?: boolean;
  /** told after each table is copied (progress for an operator watching) */
  onProgress?: (line: string) => void;
  /** tests only: runs after the copy is committed and before it is verified */
  afterCopy?: (target: Sql) => Promise<void>;
}

export interface MigrateReport {
  ok: boolean;
  from: string;
  to: string;
  copied: boolean;
  /** rows per table in the SQLite snapshot */
  tables: Record<string, number>;
  teams: number;
  docs: number;
  updates: number;
  devices: number;
  revokedDevices: number;
  invites: number;
  photos: number;
  quarantined: number;
  /** each team's change sequence, which appends on PostgreSQL continue from */
  teamSeqs: Record<string, number>;
  seconds: { copy: number; verify: number; total: number };
  differences: string[];
}

const seconds = (from: number, to: number) => Math.round(to - from) / 1000;

/**
 * Move a single-relay install (its SQLite file) into PostgreSQL: one read transaction on
 * the SQLite file (a consistent snapshot, while the relay keeps running), one transaction
 * on PostgreSQL (a failed copy leaves the target as it was), then a check of the copy
 * against that same snapshot.
 */
export async function migrateToPostgres(opts: MigrateOptions): Promise<MigrateReport> {
  const started = performance.now();
  const source = SqliteSnapshot.open(opts.from);
  let target: PostgresTarget | undefined;
  try {
    target = await PostgresTarget.open(opts.to);
    target.checkSchema(source.tables);
    if (!opts.verifyOnly) await copy(source, target, opts);
    const copied = performance.now();
    if (opts.afterCopy) await opts.afterCopy(target.db);
    const verified = await verifyCopy(source, target);
    const revoked = (await target.db.get<{ n: number }>('SELECT count(*) AS n FROM devices WHERE revoked_at IS NOT NULL'))?.n ?? 0;
    const n = (t: string) => verified.tables[t] ?? 0;
    return {
      ok: verified.differences.length === 0,
      from: source.file,
      to: target.where,
      copied: !opts.verifyOnly,
      tables: verified.tables,
      teams: n('teams'),
      docs: n('docs'),
      updates: n('updates'),
      devices: n('devices'),
      revokedDevices: revoked,
      invites: n('invites'),
      photos: n('blobs'),
      quarantined: n('quarantine'),
      teamSeqs: Object.fromEntries(source.teamSeqs()),
      seconds: { copy: seconds(started, copied), verify: seconds(copied, performance.now()), total: seconds(started, performance.now()) },
      differences: verified.differences,
    };
  } finally {
    source.close();
    await target?.close();
  }
}

async function copy(source: SqliteSnapshot, target: PostgresTarget, opts: MigrateOptions): Promise<void> {
  const names = source.tables.map((t) => t.name);
  const client = await target.db.pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    try {
      // No relay may write into the target while it is filled (one started on it too early waits).
      await client.query(`LOCK TABLE ${names.map((n) => `"${n}"`).join(', ')} IN ACCESS EXCLUSIVE MODE`);
      const found = await target.nonEmpty(names, client);
      if (Object.keys(found).length > 0) {
        const what = Object.entries(found).map(([t, n]) => `${t} ${n}`).join(', ');
        if (!opts.replace) throw new RelayError(409, 'target_not_empty', `${target.where} already holds data (${what}); migrate into a new, empty database, or add --replace to delete what it holds first`);
        await client.query(`TRUNCATE ${names.map((n) => `"${n}"`).join(', ')} RESTART IDENTITY`);
        opts.onProgress?.(`emptied ${target.where} (it held ${what})`);
      }
      for (const table of source.tables) {
        let rows = 0;
        for await (const batch of source.batches(table)) {
          await target.insert(client, table, batch);
          rows += batch.length;
        }
        await target.continueIdentities(client, table.name, source.autoincrement(table.name));
        opts.onProgress?.(`copied ${table.name}: ${rows} rows`);
      }
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw e;
    }
  } finally {
    client.release(broken);
  }
}
