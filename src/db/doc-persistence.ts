/**
 * The contract between the docs on disk and everyone who edits or follows them: the origin
 * a local save carries, and the error a refused write throws. The store itself is
 * `doc-store.ts` (docs' updates in the Dexie database) and `local-records.ts` (the write path).
 */

/** Origin of updates this device wrote through `commit`: already on disk when applied. */
export const WRITTEN_AHEAD = Symbol('written-ahead');

/** Origin of the stored updates a doc is loaded from: nothing to store again, nothing to report. */
export const LOADED = Symbol('loaded');

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

/** What a failed IndexedDB (or Dexie) write means to the user: the disk is full, or it failed. */
export function storageWriteError(err: unknown): StorageWriteError {
  if (err instanceof StorageWriteError) return err;
  const name = err && typeof err === 'object' && 'name' in err ? String((err as { name: unknown }).name) : '';
  // Dexie wraps the DOMException; its `inner` carries the original name.
  const inner = err && typeof err === 'object' && 'inner' in err ? (err as { inner?: { name?: string } }).inner?.name : undefined;
  return new StorageWriteError(name === 'QuotaExceededError' || inner === 'QuotaExceededError' ? 'quota' : 'io', err);
}
