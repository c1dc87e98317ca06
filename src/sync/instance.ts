import { localRecords } from '@/db/instance';
import { loadIdentity } from '@/db/identity';
import { SyncEngine } from './engine';
import { SyncError } from './errors';
import { exportBundle, importBundle, type ExportResult, type ImportResult } from './file-sync';
import { fetchPhoto } from './photos';

/**
 * The app's one sync engine, over the app's one LocalRecords. Stores reach sync through
 * these functions; tests build their own engines (see tests/integration/helpers).
 */
let engine: SyncEngine | undefined;

export function syncEngine(): SyncEngine {
  engine ??= new SyncEngine({ records: localRecords() });
  return engine;
}

/** Stop and forget the engine (tests, and before `resetLocalRecords`). */
export async function resetSyncEngine(): Promise<void> {
  const current = engine;
  engine = undefined;
  await current?.stop();
}

/**
 * A photo by its SHA-256, for showing it: from this device, else fetched from the relay
 * (`GET /files/<sha256>`), checked and kept. Undefined when offline and not on the device.
 */
export async function getPhoto(sha256: string): Promise<Blob | undefined> {
  const records = localRecords();
  const stored = await records.db.blobs.get(sha256);
  if (stored) return stored.blob;
  return fetchPhoto(records.db, await syncEngine().relayApi(), sha256);
}

/** Export this device's records (all, or what changed since the last export) as a `.lianhu` file. */
export async function exportRecords(opts: { changesOnly?: boolean } = {}): Promise<ExportResult> {
  const records = localRecords();
  const identity = await loadIdentity(records.db);
  if (!identity) throw new SyncError('not_joined');
  return exportBundle(records, identity, opts);
}

/**
 * Import a `.lianhu` file into this device's team. Throws BundleError (nothing changed) for
 * a bad or foreign file. What it brings goes up with the next sync, which starts now.
 */
export async function importRecords(file: Blob): Promise<ImportResult> {
  const records = localRecords();
  const identity = await loadIdentity(records.db);
  if (!identity) throw new SyncError('not_joined');
  const result = await importBundle(records, file, identity.teamId);
  void syncEngine().syncNow();
  return result;
}
