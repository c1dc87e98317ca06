import type { LocalRecords } from '@/db/local-records';

/**
 * Erase everything this phone holds of its team (ADR 0029, a phone revoked as lost):
 * - the one local database (records, rows, drafts, photos, outbox, identity, token, keys:
 *   src/db/instance.ts's LocalRecords, closed first);
 * - every other IndexedDB database of the origin: y-indexeddb databases of the release
 *   before the one database, anything a worker opened;
 * - Cache Storage except the service worker's precache (the app's own files, no records:
 *   kept so the "erased" screen still opens offline);
 * - localStorage (the lock's PIN verifier, the lead roster kept for figures, the first
 *   screen) and sessionStorage.
 * Deleting a database another connection still holds (a worker) waits for that connection;
 * it never waits longer than `blockedMs` here, and the "erased" screen runs `eraseStorage`
 * again at each start until nothing is left.
 */
export async function eraseDevice(records: LocalRecords, blockedMs = 3_000): Promise<void> {
  const name = records.db.name;
  await records.close().catch((err: unknown) => console.warn('closing the records before erasing', err));
  await deleteDatabase(name, blockedMs);
  await eraseStorage(blockedMs);
}

/** Everything but the one database (which `eraseDevice` closes and deletes first). */
export async function eraseStorage(blockedMs = 3_000): Promise<void> {
  if (typeof indexedDB !== 'undefined' && typeof indexedDB.databases === 'function') {
    for (const d of await indexedDB.databases()) if (d.name) await deleteDatabase(d.name, blockedMs);
  }
  if (typeof caches !== 'undefined') {
    for (const key of await caches.keys()) if (!key.includes('precache')) await caches.delete(key);
  }
  if (typeof localStorage !== 'undefined') localStorage.clear();
  if (typeof sessionStorage !== 'undefined') sessionStorage.clear();
}

/** Names of the databases still on this origin (the "erased" screen checks it is none). */
export async function databasesLeft(): Promise<string[]> {
  if (typeof indexedDB === 'undefined' || typeof indexedDB.databases !== 'function') return [];
  return (await indexedDB.databases()).map((d) => d.name ?? '').filter(Boolean);
}

function deleteDatabase(name: string, blockedMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const req = indexedDB.deleteDatabase(name);
    let timer: ReturnType<typeof setTimeout> | undefined;
    req.onsuccess = () => {
      if (timer) clearTimeout(timer);
      resolve();
    };
    req.onerror = () => reject(req.error ?? new Error(`could not delete ${name}`));
    // Still open elsewhere: it goes once that connection closes (at the latest, the reload).
    req.onblocked = () => {
      timer = setTimeout(resolve, blockedMs);
    };
  });
}
