import fs from 'node:fs';
import Database from 'better-sqlite3';
import { RelayError } from '../errors';
import { SQLITE_MIGRATIONS } from '../storage/migrations';

/** One row as both sides give it: text, numbers, bytes (Buffer) or NULL. */
export type Row = Record<string, unknown>;

export interface SourceTable {
  name: string;
  /** column names in the order of the table's definition */
  columns: string[];
}

/** Rows are handed on in batches of at most this many rows… */
export const BATCH_ROWS = 500;
/** …or this many bytes of blobs and text, so a big install never sits in memory at once. */
export const BATCH_BYTES = 8 * 1024 * 1024;

export function rowBytes(row: Row): number {
  let n = 0;
  for (const v of Object.values(row)) n += Buffer.isBuffer(v) ? v.length : typeof v === 'string' ? v.length * 3 : 8;
  return n;
}

/**
 * A single-relay install's SQLite file, read inside one read transaction: every read sees
 * the database as it was when the transaction began, however long the copy takes and
 * whatever the relay writes meanwhile (WAL keeps the snapshot for readers). Opened read-only:
 * the migration never writes to the install it moves.
 */
export class SqliteSnapshot {
  readonly tables: SourceTable[];

  private constructor(
    private readonly db: Database.Database,
    readonly file: string,
  ) {
    this.db.exec('BEGIN');
    // The snapshot starts at the first read, not at BEGIN.
    this.db.prepare('SELECT count(*) FROM sqlite_master').get();
    this.tables = this.orderedTables();
  }

  static open(file: string): SqliteSnapshot {
    if (!fs.existsSync(file)) throw new RelayError(404, 'source_not_found', `no SQLite database at ${file}`);
    const db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version !== SQLITE_MIGRATIONS.length) {
      db.close();
      const why = version < SQLITE_MIGRATIONS.length ? 'start the current relay on it once (it upgrades the file at start), then migrate' : 'run the newer relay’s admin migrate';
      throw new RelayError(409, 'source_schema', `${file} has schema version ${version}; this admin knows ${SQLITE_MIGRATIONS.length}: ${why}`);
    }
    return new SqliteSnapshot(db, file);
  }

  /** Tables in an order that satisfies foreign keys (a referenced table before its referrers). */
  private orderedTables(): SourceTable[] {
    const names = (this.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as { name: string }[]).map((r) => r.name);
    const refs = new Map(names.map((n) => [n, (this.db.pragma(`foreign_key_list("${n}")`) as { table: string }[]).map((f) => f.table).filter((t) => t !== n)]));
    const out: SourceTable[] = [];
    const placed = new Set<string>();
    const place = (n: string) => {
      if (placed.has(n)) return;
      placed.add(n);
      for (const r of refs.get(n) ?? []) place(r);
      out.push({ name: n, columns: (this.db.pragma(`table_info("${n}")`) as { name: string }[]).map((c) => c.name) });
    };
    for (const n of names) place(n);
    return out;
  }

  count(table: string): number {
    return (this.db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;
  }

  /**
   * Every row of a table in batches (by rows and by bytes). The caller awaits between
   * batches (inserting them elsewhere); the read transaction keeps them one snapshot.
   */
  async *batches(table: SourceTable): AsyncGenerator<Row[]> {
    const cols = table.columns.map((c) => `"${c}"`).join(', ');
    let batch: Row[] = [];
    let bytes = 0;
    for (const row of this.db.prepare(`SELECT ${cols} FROM "${table.name}" ORDER BY rowid`).iterate() as IterableIterator<Row>) {
      batch.push(row);
      bytes += rowBytes(row);
      if (batch.length >= BATCH_ROWS || bytes >= BATCH_BYTES) {
        yield batch;
        batch = [];
        bytes = 0;
      }
    }
    if (batch.length) yield batch;
  }

  /** The largest id AUTOINCREMENT has handed out for a table (compaction deletes rows, never numbers). */
  autoincrement(table: string): number {
    const has = this.db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'`).get();
    if (!has) return 0;
    return (this.db.prepare('SELECT seq FROM sqlite_sequence WHERE name = ?').get(table) as { seq: number } | undefined)?.seq ?? 0;
  }

  teamSeqs(): Map<string, number> {
    return new Map((this.db.prepare('SELECT id, seq FROM teams').all() as { id: string; seq: number }[]).map((r) => [r.id, r.seq]));
  }

  /** Doc names in name order after `after` (byte order, as the C collation on PostgreSQL). */
  docNames(after: string, limit: number): string[] {
    return (this.db.prepare('SELECT name FROM docs WHERE name > ? ORDER BY name LIMIT ?').all(after, limit) as { name: string }[]).map((r) => r.name);
  }

  /** What a doc's state is made of: its snapshot, then its updates in order. */
  docParts(name: string): Uint8Array[] {
    const snap = this.db.prepare('SELECT snapshot FROM docs WHERE name = ?').get(name) as { snapshot: Buffer | null } | undefined;
    const updates = this.db.prepare('SELECT data FROM updates WHERE doc = ? ORDER BY id').all(name) as { data: Buffer }[];
    return [...(snap?.snapshot ? [snap.snapshot] : []), ...updates.map((u) => u.data)];
  }

  close(): void {
    if (this.db.inTransaction) this.db.exec('COMMIT');
    this.db.close();
  }
}
