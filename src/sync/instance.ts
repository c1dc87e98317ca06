import { localRecords } from '@/db/instance';
import { loadIdentity } from '@/db/identity';
import { i18n } from '@/i18n';
import { writeWipedMarker } from '@/trust/wiped-marker';
import { SyncEngine, type WipeOutcome } from './engine';
import { SyncError } from './errors';
import { dropCarried, getCarried, listCarried, type CarriedFile } from './carried-files';
import { importOrCarry, type ImportOutcome } from './file-import';
import { exportBundle, type ExportResult } from './file-sync';
import { fetchPhoto } from './photos';

/**
 * The app's one sync engine, over the app's one LocalRecords. Stores reach sync through
 * these functions; tests build their own engines (see tests/integration/helpers).
 */
let engine: SyncEngine | undefined;

export function syncEngine(): SyncEngine {
  engine ??= new SyncEngine({ records: localRecords(), onWiped: showWiped });
  return engine;
}

/**
 * The phone erased itself (revoked as lost): leave a note saying so and start again from
 * it — nothing of the app's state (stores, open pages) survives the reload.
 */
function showWiped(w: WipeOutcome): void {
  writeWipedMarker({ at: w.at, locale: String(i18n.global.locale.value), ...(w.retry ? { confirm: w.retry } : {}) });
  location.replace('/');
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
 * Import a `.lianhu` file into this device's team (see `importOrCarry`). What a lead or the
 * member's own file brings goes up with the next sync, which starts now.
 */
export async function importRecords(file: Blob): Promise<ImportOutcome> {
  const records = localRecords();
  const identity = await loadIdentity(records.db);
  if (!identity) throw new SyncError('not_joined');
  const outcome = await importOrCarry(records, file, identity);
  if (outcome.kind === 'applied') void syncEngine().syncNow();
  return outcome;
}

/** Files this phone carries for colleagues of its team. */
export async function carriedFiles(): Promise<CarriedFile[]> {
  const records = localRecords();
  const identity = await loadIdentity(records.db);
  return identity ? listCarried(records.db, identity.teamId) : [];
}

/** A carried file as it came, to hand on (the lead imports it as it is). */
export async function carriedFile(id: string): Promise<CarriedFile | undefined> {
  return getCarried(localRecords().db, id);
}

/** Forget a carried file once it was handed over. */
export async function forgetCarried(id: string): Promise<void> {
  await dropCarried(localRecords().db, id);
}
