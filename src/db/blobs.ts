import type { LianhuDb, StoredBlob } from './database';
import { storageWriteError } from './doc-persistence';

/** Photos by content (sha256): stored once, however many visits or drafts refer to them. */

export interface NewBlob {
  sha256: string;
  mime: string;
  size: number;
  blob: Blob;
  thumb?: Blob;
  householdId?: string;
}

/** Store a photo; a photo already stored is left as it is. Throws StorageWriteError. */
export async function putBlob(db: LianhuDb, b: NewBlob): Promise<void> {
  try {
    await db.transaction('rw', db.blobs, async () => {
      if (await db.blobs.get(b.sha256)) return;
      await db.blobs.add({ ...b, createdAt: new Date().toISOString(), uploaded: 0 });
    });
  } catch (err) {
    throw storageWriteError(err);
  }
}

export function getBlob(db: LianhuDb, sha256: string): Promise<StoredBlob | undefined> {
  return db.blobs.get(sha256);
}

/** Photos not yet held by the relay. */
export function countPendingBlobs(db: LianhuDb): Promise<number> {
  return db.blobs.where('uploaded').equals(0).count();
}
