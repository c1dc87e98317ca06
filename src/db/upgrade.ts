import * as Y from 'yjs';
import { parseDocName } from '@/docs/schema';
import type { DocUpdate, LianhuDb } from './database';
import { applyStoredUpdate, type DocStore } from './doc-store';
import type { Projector } from './projector';

/** Origin of updates copied from the previous release's storage: already this device's, nothing to sync. */
export const UPGRADED = Symbol('upgraded');

/** Legacy docs moved per transaction. */
const BATCH = 50;

/** Names (without the prefix) of the previous release's per-doc databases still on this device. */
export async function legacyDocNames(prefix: string): Promise<string[]> {
  if (typeof indexedDB === 'undefined' || typeof indexedDB.databases !== 'function') return [];
  const dbs = await indexedDB.databases();
  return dbs
    .map((d) => d.name ?? '')
    .filter((n) => n.startsWith(prefix))
    .map((n) => n.slice(prefix.length))
    .sort();
}

export interface UpgradeDeps {
  db: LianhuDb;
  docs: DocStore;
  projector: Projector;
  prefix: string;
}

/**
 * Move legacy docs into the one database: read each (y-indexeddb), apply it to the doc in
 * the new store, write the batch's updates and rows in one transaction, read them back and
 * check the state vector covers the legacy one, and only then delete the legacy database.
 * A crash anywhere leaves the legacy database in place, and the next start does it again
 * (Yjs merges the same update twice into the same doc). Returns how many docs moved.
 */
export async function moveLegacyDocs(deps: UpgradeDeps, names: string[]): Promise<number> {
  if (names.length === 0) return 0;
  const { readLegacyDoc, deleteLegacyDb } = await import('./legacy-docs');
  let moved = 0;
  for (let i = 0; i < names.length; i += BATCH) {
    const batch = names.slice(i, i + BATCH).filter((n) => parseDocName(n));
    const states = await Promise.all(batch.map((n) => readLegacyDoc(deps.prefix + n)));
    const docs = await deps.docs.getMany(batch);
    batch.forEach((_n, j) => Y.applyUpdate(docs[j]!, states[j]!, UPGRADED));
    await deps.projector.persist(batch);
    const stored = await storedUpdates(deps.db, batch);
    for (const [j, name] of batch.entries()) {
      if (!covers(stored.get(name) ?? [], states[j]!)) throw new Error(`upgrade: ${name} did not arrive whole in the new store`);
      await deleteLegacyDb(deps.prefix + name);
      moved++;
    }
  }
  return moved;
}

async function storedUpdates(db: LianhuDb, names: string[]): Promise<Map<string, DocUpdate[]>> {
  const rows: DocUpdate[] = await db.updates.where('doc').anyOf(names).toArray();
  const by = new Map<string, DocUpdate[]>();
  for (const r of rows) (by.get(r.doc) ?? by.set(r.doc, []).get(r.doc)!).push(r);
  return by;
}

/** Does the doc rebuilt from `updates` hold everything `legacy` holds (state vector, client by client)? */
function covers(updates: DocUpdate[], legacy: Uint8Array): boolean {
  const want = Y.decodeStateVector(Y.encodeStateVectorFromUpdate(legacy));
  if (want.size === 0) return true;
  if (updates.length === 0) return false;
  const doc = new Y.Doc();
  try {
    // A first sync may have stored some of them as received (v2) before an interrupted upgrade resumed.
    for (const u of updates) applyStoredUpdate(doc, u);
    // Both sides counted the same way: an update waiting for a missing one counts on each.
    const have = Y.decodeStateVector(Y.encodeStateVectorFromUpdate(Y.encodeStateAsUpdate(doc)));
    for (const [client, clock] of want) if ((have.get(client) ?? 0) < clock) return false;
    return true;
  } finally {
    doc.destroy();
  }
}
