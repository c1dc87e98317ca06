/**
 * Read whole object stores of the app's IndexedDB database (the Dexie tables) in one
 * read-only transaction, from a worker: posting 20,000 rows from the page would cost the
 * page the time to clone them, and plain IndexedDB keeps Dexie out of the worker's bundle.
 * Never creates the database (the app always has it when a lead page asks).
 */
export function readStores<T extends string>(dbName: string, stores: readonly T[]): Promise<Record<T, unknown[]>> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(dbName);
    open.onupgradeneeded = () => open.transaction?.abort();
    open.onerror = () => reject(open.error ?? new Error(`cannot open ${dbName}`));
    open.onsuccess = () => {
      performance.mark('lianhu:read-stores:opened');
      const db = open.result;
      // Let the app upgrade its schema at once if it needs to.
      db.onversionchange = () => db.close();
      const out = {} as Record<T, unknown[]>;
      if (stores.length === 0) {
        db.close();
        resolve(out);
        return;
      }
      let tx: IDBTransaction;
      try {
        tx = db.transaction([...stores], 'readonly');
      } catch (err) {
        db.close();
        reject(err);
        return;
      }
      for (const name of stores) {
        const req = tx.objectStore(name).getAll();
        req.onsuccess = () => {
          out[name] = req.result as unknown[];
        };
      }
      tx.oncomplete = () => {
        db.close();
        resolve(out);
      };
      tx.onerror = tx.onabort = () => {
        db.close();
        reject(tx.error ?? new Error('read aborted'));
      };
    };
  });
}
