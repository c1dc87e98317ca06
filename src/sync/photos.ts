import type { LianhuDb } from '@/db/database';
import type { RelayApi } from './relay-api';
import { sha256Hex } from './sha256';

/**
 * A photo by content: from this device if it holds it, else from the relay
 * (`GET /files/<sha256>`), checked against its hash and kept for next time (marked as
 * uploaded: the relay has it). Undefined when neither has it or the relay cannot be reached.
 */
export async function fetchPhoto(db: LianhuDb, api: RelayApi | undefined, sha256: string): Promise<Blob | undefined> {
  const stored = await db.blobs.get(sha256);
  if (stored) return stored.blob;
  if (!api || !/^[0-9a-f]{64}$/.test(sha256)) return undefined;
  let blob: Blob | undefined;
  try {
    blob = await api.file(sha256);
  } catch {
    return undefined;
  }
  if (!blob) return undefined;
  if ((await sha256Hex(blob)) !== sha256) return undefined;
  const mime = blob.type || 'image/jpeg';
  const typed = blob.type ? blob : new Blob([blob], { type: mime });
  await db.transaction('rw', db.blobs, async () => {
    if (await db.blobs.get(sha256)) return;
    await db.blobs.add({ sha256, mime, size: typed.size, blob: typed, createdAt: new Date().toISOString(), uploaded: 1 });
  });
  return typed;
}
