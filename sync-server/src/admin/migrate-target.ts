import type pg from 'pg';
import { RelayError } from '../errors';
import { openPostgres, type PostgresDb } from '../storage/postgres-db';
import type { Row, SourceTable } from './migrate-source';

export interface TargetTable {
  name: string;
  columns: string[];
  /** `GENERATED ALWAYS AS IDENTITY` columns: copied ids need OVERRIDING SYSTEM VALUE, then the sequence moved past them */
  identity: string[];
  primaryKey: string[];
}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * The PostgreSQL database an install moves into, migrated to the current schema by the
 * relay's own migration code when opened (the same code every relay runs at start).
 */
export class PostgresTarget {
  private constructor(
    readonly db: PostgresDb,
    readonly tables: Map<string, TargetTable>,
  ) {}

  static async open(url: string): Promise<PostgresTarget> {
    if (!/^postgres(ql)?:\/\//.test(url)) throw new RelayError(2, 'usage', '--to must be a postgres:// URL');
    const db = await openPostgres(url, { max: 2 });
    try {
      const cols = await db.all<{ table_name: string; column_name: string; is_identity: string }>(
        `SELECT table_name, column_name, is_identity FROM information_schema.columns
          WHERE table_schema = current_schema() AND table_name <> 'schema_version' ORDER BY table_name, ordinal_position`,
      );
      const pks = await db.all<{ table_name: string; column_name: string }>(
        `SELECT tc.table_name, k.column_name FROM information_schema.table_constraints tc
           JOIN information_schema.key_column_usage k ON k.constraint_name = tc.constraint_name AND k.table_schema = tc.table_schema
          WHERE tc.table_schema = current_schema() AND tc.constraint_type = 'PRIMARY KEY' ORDER BY tc.table_name, k.ordinal_position`,
      );
      const tables = new Map<string, TargetTable>();
      for (const c of cols) {
        let t = tables.get(c.table_name);
        if (!t) tables.set(c.table_name, (t = { name: c.table_name, columns: [], identity: [], primaryKey: [] }));
        t.columns.push(c.column_name);
        if (c.is_identity === 'YES') t.identity.push(c.column_name);
      }
      for (const k of pks) tables.get(k.table_name)?.primaryKey.push(k.column_name);
      return new PostgresTarget(db, tables);
    } catch (e) {
      await db.close();
      throw e;
    }
  }

  get where(): string {
    return this.db.where;
  }

  /** The same tables and columns on both sides, or a clear error (a relay of another version made one of them). */
  checkSchema(source: SourceTable[]): void {
    const problems: string[] = [];
    for (const s of source) {
      const t = this.tables.get(s.name);
      if (!t) problems.push(`table ${s.name} is missing`);
      else if ([...s.columns].sort().join() !== [...t.columns].sort().join()) problems.push(`${s.name} has columns (${t.columns.join(', ')}), the SQLite file (${s.columns.join(', ')})`);
    }
    for (const t of this.tables.keys()) if (!source.some((s) => s.name === t)) problems.push(`table ${t} is not in the SQLite file`);
    if (problems.length) throw new RelayError(409, 'schema_differs', `${this.where} and the SQLite file have different schemas: ${problems.join('; ')}`);
  }

  async count(table: string, via: pg.ClientBase | pg.Pool = this.db.pool): Promise<number> {
    return Number((await via.query(`SELECT count(*) AS n FROM ${q(table)}`)).rows[0].n);
  }

  /** The tables that hold rows, with their counts (what a non-empty target is found to hold). */
  async nonEmpty(tables: string[], via: pg.ClientBase): Promise<Record<string, number>> {
    const found: Record<string, number> = {};
    for (const t of tables) {
      const n = await this.count(t, via);
      if (n > 0) found[t] = n;
    }
    return found;
  }

  /** Insert a batch of rows with one statement, keeping the copied ids. */
  async insert(client: pg.ClientBase, table: SourceTable, rows: Row[]): Promise<void> {
    if (rows.length === 0) return;
    const t = this.tables.get(table.name)!;
    const cols = table.columns;
    const values: unknown[] = [];
    const tuples = rows.map((r) => `(${cols.map((c) => `$${values.push(r[c] ?? null)}`).join(', ')})`);
    const override = t.identity.length ? ' OVERRIDING SYSTEM VALUE' : '';
    await client.query(`INSERT INTO ${q(table.name)} (${cols.map(q).join(', ')})${override} VALUES ${tuples.join(', ')}`, values);
  }

  /**
   * Move each identity sequence past the copied ids (and past the highest id SQLite ever
   * handed out), so the next update or quarantine row appended on PostgreSQL gets a new id.
   */
  async continueIdentities(client: pg.ClientBase, table: string, atLeast: number): Promise<void> {
    for (const col of this.tables.get(table)?.identity ?? []) {
      await client.query(
        `SELECT setval(pg_get_serial_sequence($1, $2), GREATEST((SELECT COALESCE(max(${q(col)}), 0) FROM ${q(table)}), $3::bigint) + 1, false)`,
        [q(table), col, atLeast],
      );
    }
  }

  /** Every row of a table, in batches, in primary-key order (keyset paging, nothing held but one page). */
  async *batches(table: string, size: number): AsyncGenerator<Row[]> {
    const t = this.tables.get(table)!;
    if (t.primaryKey.length === 0) throw new Error(`${table} has no primary key to page by`);
    const keyList = t.primaryKey.map(q).join(', ');
    const select = `SELECT ${t.columns.map(q).join(', ')} FROM ${q(table)}`;
    let after: unknown[] | undefined;
    for (;;) {
      const where = after ? ` WHERE (${keyList}) > (${t.primaryKey.map((_, i) => `$${i + 1}`).join(', ')})` : '';
      const rows = (await this.db.pool.query(`${select}${where} ORDER BY ${keyList} LIMIT ${size}`, after ?? [])).rows as Row[];
      if (rows.length === 0) return;
      yield rows;
      if (rows.length < size) return;
      after = t.primaryKey.map((k) => rows.at(-1)![k]);
    }
  }

  async teamSeqs(): Promise<Map<string, number>> {
    return new Map((await this.db.all<{ id: string; seq: number }>('SELECT id, seq FROM teams')).map((r) => [r.id, r.seq]));
  }

  /** The snapshot and updates of several docs at once (two round trips for a page of docs). */
  async docParts(names: string[]): Promise<Map<string, Uint8Array[]>> {
    const out = new Map<string, Uint8Array[]>();
    const snaps = (await this.db.pool.query('SELECT name, snapshot FROM docs WHERE name = ANY($1)', [names])).rows as { name: string; snapshot: Buffer | null }[];
    for (const s of snaps) out.set(s.name, s.snapshot ? [s.snapshot] : []);
    const updates = (await this.db.pool.query('SELECT doc, data FROM updates WHERE doc = ANY($1) ORDER BY doc, id', [names])).rows as { doc: string; data: Buffer }[];
    for (const u of updates) {
      let parts = out.get(u.doc);
      if (!parts) out.set(u.doc, (parts = []));
      parts.push(u.data);
    }
    return out;
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
