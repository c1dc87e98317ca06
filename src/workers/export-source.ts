import type { ExportDataset, ExportSource } from '@/domain/export-table';

/**
 * The rows an export needs, read by the worker straight from the app's IndexedDB (the
 * Dexie database's object stores are its tables). Posting 20,000 rows from the page would
 * cost the page the time to clone them; plain IndexedDB keeps Dexie out of this bundle.
 */
export function readExportSource(dbName: string, datasets: readonly ExportDataset[]): Promise<ExportSource> {
  // Visits, requests and ratings are listed under their household: households are always read.
  const stores = [...new Set<ExportDataset>(['households', ...datasets])];
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(dbName);
    // The database always exists when the app exports; never create an empty one here.
    open.onupgradeneeded = () => open.transaction?.abort();
    open.onerror = () => reject(open.error ?? new Error(`cannot open ${dbName}`));
    open.onsuccess = () => {
      const db = open.result;
      // Let the app upgrade its schema at once if it needs to.
      db.onversionchange = () => db.close();
      const out: ExportSource = { households: [], visits: [], requests: [], ratings: [] };
      let tx: IDBTransaction;
      try {
        tx = db.transaction(stores, 'readonly');
      } catch (err) {
        db.close();
        reject(err);
        return;
      }
      for (const name of stores) {
        const req = tx.objectStore(name).getAll();
        req.onsuccess = () => {
          out[name] = req.result as never;
        };
      }
      tx.oncomplete = () => {
        db.close();
        resolve(out);
      };
      tx.onerror = tx.onabort = () => {
        db.close();
        reject(tx.error ?? new Error('export read aborted'));
      };
    };
  });
}
