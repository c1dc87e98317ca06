import * as Y from 'yjs';
import { IndexeddbPersistence } from 'y-indexeddb';

/**
 * The previous release's doc storage, read once by the upgrade (`upgrade.ts`) and never
 * written: y-indexeddb kept each doc in an IndexedDB database of its own. Imported lazily,
 * so y-indexeddb is not part of the app shell.
 */

/** A legacy doc's whole state (v1 update), as y-indexeddb loads it. */
export async function readLegacyDoc(dbName: string): Promise<Uint8Array> {
  const doc = new Y.Doc();
  const persistence = new IndexeddbPersistence(dbName, doc);
  try {
    await persistence.whenSynced;
    return Y.encodeStateAsUpdate(doc);
  } finally {
    await persistence.destroy();
    doc.destroy();
  }
}

/** Delete a legacy database (after its content is verified in the new store). */
export function deleteLegacyDb(dbName: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const req = indexedDB.deleteDatabase(dbName);
    req.onsuccess = () => resolve();
    req.onerror = () => reject(req.error);
    // Another tab of the old version still holds it open: it is deleted once that closes.
    req.onblocked = () => resolve();
  });
}
