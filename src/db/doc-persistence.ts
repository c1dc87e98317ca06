import * as Y from 'yjs';
import { IndexeddbPersistence, PREFERRED_TRIM_SIZE } from 'y-indexeddb';

/** Origin of updates this device wrote through `commit`: already on disk when applied. */
export const WRITTEN_AHEAD = Symbol('written-ahead');

export class StorageWriteError extends Error {
  readonly code = 'storage_write_failed';
  constructor(
    readonly reason: 'quota' | 'io',
    cause: unknown,
  ) {
    super(`storage write failed (${reason}): ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'StorageWriteError';
  }
}

function classify(err: unknown): StorageWriteError {
  const name = err && typeof err === 'object' && 'name' in err ? String((err as { name: unknown }).name) : '';
  return new StorageWriteError(name === 'QuotaExceededError' ? 'quota' : 'io', err);
}

/**
 * y-indexeddb with writes we can wait for. y-indexeddb fires its IndexedDB writes and
 * forgets them; we need (a) `writeAhead`, which commits a local update with strict
 * durability and throws if it fails, and (b) to know when received updates are stored.
 */
export class DocPersistence extends IndexeddbPersistence {
  private readonly inflight = new Set<Promise<void>>();
  private storeFailed = false;

  constructor(name: string, doc: Y.Doc) {
    super(name, doc);
    // Replace y-indexeddb's fire-and-forget listener with one that tracks its writes.
    doc.off('update', this._storeUpdate);
    this._storeUpdate = (update: Uint8Array, origin: unknown) => {
      if (origin === this || origin === WRITTEN_AHEAD || !this.db) return;
      this.track(this.put(update, 'relaxed'));
    };
    doc.on('update', this._storeUpdate);
  }

  private lock: Promise<unknown> = Promise.resolve();

  /**
   * Run `fn` alone: writes ahead and compaction must not interleave, or a compaction could
   * snapshot the doc before an update that is on disk but not yet applied, and erase it.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  /** Commit an update to disk before anyone sees it; call inside `exclusive`. Throws StorageWriteError. */
  async writeAhead(update: Uint8Array): Promise<void> {
    await this.whenSynced;
    await this.put(update, 'strict');
  }

  /** Wait until every received update handed to IndexedDB is stored. */
  async flush(): Promise<void> {
    await this.whenSynced;
    await Promise.all([...this.inflight]);
    if (this.storeFailed) {
      // A lost update would orphan every later one on reload: store the whole state.
      await this.put(Y.encodeStateAsUpdate(this.doc), 'strict');
      this.storeFailed = false;
    }
  }

  private track(p: Promise<void>): void {
    this.inflight.add(p);
    p.catch(() => {
      this.storeFailed = true;
    }).finally(() => this.inflight.delete(p));
  }

  private put(update: Uint8Array, durability: 'strict' | 'relaxed'): Promise<void> {
    const db = this.db;
    if (!db) return Promise.reject(new StorageWriteError('io', new Error('database not open')));
    return new Promise<void>((resolve, reject) => {
      let tx: IDBTransaction;
      try {
        tx = db.transaction(['updates'], 'readwrite', { durability });
        tx.objectStore('updates').add(update);
      } catch (err) {
        reject(classify(err));
        return;
      }
      tx.oncomplete = () => {
        if (++this._dbsize >= PREFERRED_TRIM_SIZE) this.scheduleTrim();
        resolve();
      };
      tx.onabort = () => reject(classify(tx.error));
      tx.onerror = () => reject(classify(tx.error));
    });
  }

  private trimTimer: ReturnType<typeof setTimeout> | null = null;

  /** Fold many small updates into one, as y-indexeddb does, once writes settle. */
  private scheduleTrim(): void {
    if (this.trimTimer) clearTimeout(this.trimTimer);
    this.trimTimer = setTimeout(() => {
      this.trimTimer = null;
      void this.exclusive(() => this.compact());
    }, 1000);
  }

  /** Replace the stored updates by one snapshot, in one transaction (all or nothing). */
  async compact(): Promise<void> {
    const db = this.db;
    if (!db || this._destroyed) return;
    const state = Y.encodeStateAsUpdate(this.doc);
    await new Promise<void>((resolve) => {
      const tx = db.transaction(['updates'], 'readwrite');
      const store = tx.objectStore('updates');
      store.clear();
      store.add(state);
      tx.oncomplete = () => {
        this._dbsize = 1;
        resolve();
      };
      // A failed compaction leaves the old updates in place: nothing to undo.
      tx.onabort = () => resolve();
      tx.onerror = () => resolve();
    });
  }

  override destroy(): Promise<void> {
    if (this.trimTimer) clearTimeout(this.trimTimer);
    return super.destroy();
  }
}
