import crypto from 'node:crypto';
import * as Y from 'yjs';
import { sameBytes, scratchDoc } from '../validation/trial-apply';
import { BATCH_ROWS, type Row, type SqliteSnapshot } from './migrate-source';
import type { PostgresTarget } from './migrate-target';

export interface Verified {
  /** rows per table, as found on both sides */
  tables: Record<string, number>;
  docs: number;
  /** what differs, one line each, empty when the copy is faithful */
  differences: string[];
}

/** Lines of differences reported at most (the count says how many more). */
const MAX_REPORTED = 50;
/** Docs compared per page: both sides' updates of a page are in memory together. */
const DOCS_PER_PAGE = 100;

/**
 * A table's rows as one order-free digest: the sum of each row's SHA-256 (mod 2^128) over a
 * canonical form. PostgreSQL and SQLite order text keys differently (collations), so the
 * digest must not depend on the order rows come in.
 */
function canonical(row: Row, columns: string[]): string {
  return columns
    .map((c) => {
      const v = row[c];
      if (v === null || v === undefined) return 'n';
      if (Buffer.isBuffer(v) || v instanceof Uint8Array) return `b${Buffer.from(v).toString('hex')}`;
      if (typeof v === 'number' || typeof v === 'bigint') return `i${String(v)}`;
      return `s${JSON.stringify(v)}`;
    })
    .join('|');
}

const MOD = 1n << 128n;

async function digest(batches: AsyncIterable<Row[]>, columns: string[]): Promise<bigint> {
  let sum = 0n;
  for await (const batch of batches) {
    for (const row of batch) sum = (sum + BigInt(`0x${crypto.createHash('sha256').update(canonical(row, columns)).digest('hex').slice(0, 32)}`)) % MOD;
  }
  return sum;
}

/** A doc's state from its parts: the state vector and the whole state, encoded; or why it does not load. */
function stateOf(parts: Uint8Array[]): { vector: Uint8Array; state: Uint8Array } | { error: string } {
  const doc = scratchDoc();
  try {
    for (const p of parts) Y.applyUpdate(doc, p);
    return { vector: Y.encodeStateVector(doc), state: Y.encodeStateAsUpdate(doc) };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  } finally {
    doc.destroy();
  }
}

function compareDoc(name: string, from: Uint8Array[], to: Uint8Array[] | undefined): string | undefined {
  if (!to) return `doc ${name}: missing in PostgreSQL`;
  const a = stateOf(from);
  const b = stateOf(to);
  if ('error' in a) return 'error' in b ? undefined : `doc ${name}: does not load from SQLite (${a.error}) but does from PostgreSQL`;
  if ('error' in b) return `doc ${name}: does not load from PostgreSQL (${b.error})`;
  if (!sameBytes(a.vector, b.vector)) return `doc ${name}: state vector differs (${from.length} stored parts in SQLite, ${to.length} in PostgreSQL)`;
  if (!sameBytes(a.state, b.state)) return `doc ${name}: same state vector, different content (${from.length} stored parts in SQLite, ${to.length} in PostgreSQL)`;
  return undefined;
}

/**
 * Check the copy against the snapshot it was made from: per table the row count and a
 * digest of every row; each team's change sequence; and every doc loaded from its stored
 * snapshot and updates on both sides into Y.Docs, compared by state vector and by encoded
 * state. The source must be the same read transaction the copy came from.
 */
export async function verifyCopy(source: SqliteSnapshot, target: PostgresTarget): Promise<Verified> {
  const differences: string[] = [];
  const tables: Record<string, number> = {};
  for (const t of source.tables) {
    const [from, to] = [source.count(t.name), await target.count(t.name)];
    tables[t.name] = from;
    if (from !== to) differences.push(`table ${t.name}: ${from} rows in SQLite, ${to} in PostgreSQL`);
    else if ((await digest(source.batches(t), t.columns)) !== (await digest(target.batches(t.name, BATCH_ROWS), t.columns))) {
      differences.push(`table ${t.name}: same number of rows (${from}), different contents`);
    }
  }

  const seqs = await target.teamSeqs();
  for (const [team, seq] of source.teamSeqs()) {
    if (seqs.get(team) !== seq) differences.push(`team ${team}: change sequence ${seq} in SQLite, ${seqs.get(team) ?? 'no team'} in PostgreSQL`);
  }

  let docs = 0;
  for (let after = ''; ; ) {
    const names = source.docNames(after, DOCS_PER_PAGE);
    if (names.length === 0) break;
    const copies = await target.docParts(names);
    for (const name of names) {
      const d = compareDoc(name, source.docParts(name), copies.get(name));
      if (d) differences.push(d);
    }
    docs += names.length;
    after = names.at(-1)!;
  }

  const shown = differences.slice(0, MAX_REPORTED);
  if (differences.length > MAX_REPORTED) shown.push(`… and ${differences.length - MAX_REPORTED} more`);
  return { tables, docs, differences: shown };
}
