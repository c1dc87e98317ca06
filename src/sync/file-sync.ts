import * as Y from 'yjs';
import type { LianhuDb } from '@/db/database';
import type { Identity } from '@/db/identity';
import type { LocalRecords } from '@/db/local-records';
import { isLocalTeam } from '@/db/identity';
import { signBytes } from '@/docs/bundle-signature';
import { BundleError, encodeDoc, encodeEnd, encodeHeader, encodePhoto, encodeSignature, type Bundle, type BundleDoc } from '@/docs/bundle';
import { isHouseholdDoc, readHousehold } from '@/docs/household-doc';
import { parseDocName } from '@/docs/schema';
import { readTeam } from '@/docs/team-doc';
import { docVersion } from '@/docs/ymap';
import { hasFlaggedRecords } from '@/domain/household-file';
import { readBundle, writeBundle } from './bundle-io';
import { registeredKey } from './device-key';
import { sha256Hex } from './sha256';
import { IMPORTED } from './unsynced';

const toBase64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));
const fromBase64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

/**
 * Sync by file, for places that never get signal: the same bundle format as the relay's
 * first sync (src/docs/bundle.ts), gzip-compressed, carried on a USB stick or a messaging app.
 */

export const FILE_EXTENSION = '.lianhu';
const EXPORT_STATE = 'sync.export';

interface ExportState {
  teamId: string;
  at: string;
  /** per doc: the state vector and version at the last export */
  docs: Record<string, { sv: string; version: string }>;
  photos: string[];
}

export interface ExportResult {
  blob: Blob;
  filename: string;
  docs: number;
  photos: number;
  /** signed with this device's registered key (a colleague can deliver it to the relay) */
  signed: boolean;
}

/**
 * Export the docs and photos this device holds for its team, or (`changesOnly`) only what
 * changed since the last export: each doc's update is then encoded against the state
 * vector it had at that export. The export state is remembered when the file is made.
 */
export async function exportBundle(records: LocalRecords, identity: Identity, opts: { changesOnly?: boolean; now?: Date } = {}): Promise<ExportResult> {
  // A start's team and upgrade work first (a file made in the first second after a cold start).
  await records.ready;
  const { db } = records;
  const now = opts.now ?? new Date();
  const teamId = identity.teamId;
  const previous = opts.changesOnly ? await loadExportState(db, teamId) : undefined;
  const next: ExportState = { teamId, at: now.toISOString(), docs: { ...previous?.docs }, photos: [] };
  const names = (await records.docs.storedNames()).filter((n) => parseDocName(n)?.teamId === teamId);
  // Records as Blob parts: photos are never copied into one big buffer.
  const parts: Uint8Array[] = [];
  let docCount = 0;
  for (const name of names) {
    const doc = await records.docs.get(name);
    const version = docVersion(doc);
    const before = previous?.docs[name];
    if (before && before.version === version) continue;
    const update = Y.encodeStateAsUpdateV2(doc, before ? fromBase64(before.sv) : undefined);
    parts.push(encodeDoc({ name, update }));
    next.docs[name] = { sv: toBase64(Y.encodeStateVector(doc)), version };
    docCount++;
  }
  const sent = new Set(previous?.photos ?? []);
  let photoCount = 0;
  for (const blob of await db.blobs.toArray()) {
    next.photos.push(blob.sha256);
    if (sent.has(blob.sha256)) continue;
    const data = new Uint8Array(await blob.blob.arrayBuffer());
    parts.push(encodePhoto({ sha256: blob.sha256, mime: blob.mime, size: data.length, data }));
    photoCount++;
  }
  const header = encodeHeader({
    teamId,
    createdAt: next.at,
    source: { kind: 'device', deviceId: identity.deviceId, memberId: identity.memberId, memberName: identity.memberName },
    ...(previous ? { since: previous.at } : {}),
  });
  // Signed with this device's key when the relay holds it: a colleague who carries the file
  // can then deliver it to the relay on this device's authority (ADR 0023).
  const key = isLocalTeam(teamId) ? undefined : await registeredKey(db, identity.deviceId);
  const signed = key ? [encodeSignature(await signBytes(key.privateKey, identity.deviceId, await concat([header, ...parts])))] : [];
  const blob = await writeBundle([header, ...parts, ...signed, encodeEnd({ docs: docCount, photos: photoCount })]);
  await db.settings.put({ key: EXPORT_STATE, value: next });
  return { blob, filename: exportFilename(identity, now), docs: docCount, photos: photoCount, signed: !!key };
}

async function concat(parts: Uint8Array[]): Promise<Uint8Array> {
  return new Uint8Array(await new Blob(parts as BlobPart[]).arrayBuffer());
}

async function loadExportState(db: LianhuDb, teamId: string): Promise<ExportState | undefined> {
  const s = (await db.settings.get(EXPORT_STATE))?.value as ExportState | undefined;
  return s && s.teamId === teamId ? s : undefined;
}

/** `lianhu-<team>-<member>-<yyyymmdd-hhmm>.lianhu`, safe on every file system. */
export function exportFilename(identity: Pick<Identity, 'teamName' | 'teamId' | 'memberName'>, now: Date): string {
  const safe = (s: string) =>
    s
      .normalize('NFC')
      .replace(/[^\p{L}\p{N}_]+/gu, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 32) || 'x';
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}`;
  return `lianhu-${safe(identity.teamName || identity.teamId)}-${safe(identity.memberName)}-${stamp}${FILE_EXTENSION}`;
}

export interface ImportResult {
  /** docs the file changed on this device */
  docsChanged: number;
  /** docs in the file */
  docs: number;
  /** photos this device did not have */
  photosAdded: number;
  photos: number;
  /** households the file changed that now hold something breaking the stored layout (shown flagged) */
  flagged: number;
  source: Bundle['header']['source'];
}

/**
 * Import a bundle file. Everything is checked before anything is applied: the file must
 * decode, belong to `teamId`, carry photos whose bytes hash to their names, and every doc
 * update must apply to a scratch copy of the doc and leave a loadable doc with nothing
 * missing (Yjs does not throw on every bad update: it can swallow a broken one, or park an
 * update whose base it lacks). Only then are the updates applied to the live docs (they are
 * then unsynced and go up on the next sync) and the photos stored. A bad file throws a
 * BundleError and changes nothing.
 */
export async function importBundle(records: LocalRecords, file: Blob, teamId: string): Promise<ImportResult> {
  return applyBundle(records, await readBundle(file, teamId));
}

/** Photos whose bytes do not hash to their names make the whole file refused. */
export async function checkPhotoHashes(bundle: Bundle): Promise<void> {
  for (const p of bundle.photos) {
    if ((await sha256Hex(p.data)) !== p.sha256) throw new BundleError('bundle_corrupt', 0, `photo ${p.sha256.slice(0, 12)}… does not match its hash`);
  }
}

/** `importBundle` for a bundle already read (and checked to be this team's). */
export async function applyBundle(records: LocalRecords, bundle: Bundle): Promise<ImportResult> {
  // A start's team and upgrade work first (a file opened in the first second after a cold start).
  await records.ready;
  const stored = new Set(await records.docs.storedNames());
  const scratches = new Map<string, Y.Doc>();
  try {
    for (const d of bundle.docs) await trialApply(records, d, stored, scratches);
  } finally {
    for (const s of scratches.values()) s.destroy();
  }
  await checkPhotoHashes(bundle);
  // All good: apply for real.
  const changed = new Set<string>();
  const flagged = new Set<string>();
  const photoHouseholds = new Map<string, string>();
  for (const d of bundle.docs) {
    const doc = await records.docs.get(d.name);
    const before = docVersion(doc);
    Y.applyUpdateV2(doc, d.update, IMPORTED);
    if (docVersion(doc) !== before) changed.add(d.name);
    const parsed = parseDocName(d.name);
    if (parsed?.kind === 'household' && isHouseholdDoc(doc)) {
      const file = readHousehold(doc);
      for (const v of file.visits) for (const p of v.photos) photoHouseholds.set(p.sha256, parsed.id!);
      if (changed.has(d.name) && hasFlaggedRecords(file)) flagged.add(d.name);
    }
  }
  let photosAdded = 0;
  const { db } = records;
  for (const p of bundle.photos) {
    const added = await db.transaction('rw', db.blobs, async () => {
      if (await db.blobs.get(p.sha256)) return false;
      await db.blobs.add({
        sha256: p.sha256,
        mime: p.mime,
        size: p.size,
        blob: new Blob([p.data as BlobPart], { type: p.mime }),
        createdAt: new Date().toISOString(),
        uploaded: 0,
        householdId: photoHouseholds.get(p.sha256),
      });
      return true;
    });
    if (added) photosAdded++;
  }
  // Imported updates are stored with relaxed durability: wait until they are on disk.
  await records.docs.flushAll();
  return { docsChanged: changed.size, docs: bundle.docs.length, photosAdded, photos: bundle.photos.length, flagged: flagged.size, source: bundle.header.source };
}

async function trialApply(records: LocalRecords, d: BundleDoc, stored: Set<string>, scratches: Map<string, Y.Doc>): Promise<void> {
  const parsed = parseDocName(d.name)!;
  let scratch = scratches.get(d.name);
  if (!scratch) {
    scratch = new Y.Doc({ guid: d.name });
    // Only docs this device holds are opened: a refused file must not create empty ones.
    if (stored.has(d.name) || records.docs.isOpen(d.name)) Y.applyUpdate(scratch, Y.encodeStateAsUpdate(await records.docs.get(d.name)));
    scratches.set(d.name, scratch);
  }
  try {
    Y.applyUpdateV2(scratch, d.update);
  } catch (err) {
    throw new BundleError('bundle_corrupt', 0, `${d.name}: the update does not apply (${err instanceof Error ? err.message : String(err)})`);
  }
  const store = scratch.store as unknown as { pendingStructs: unknown; pendingDs: unknown };
  if (store.pendingStructs || store.pendingDs) {
    throw new BundleError('bundle_corrupt', 0, `${d.name}: the file builds on an earlier export this device has not imported`);
  }
  // The result must load again from its own encoding, and be the kind of doc its name says.
  const again = new Y.Doc();
  try {
    Y.applyUpdate(again, Y.encodeStateAsUpdate(scratch));
    if (!sameVector(Y.encodeStateVector(again), Y.encodeStateVector(scratch))) throw new Error('does not reload');
    if (parsed.kind === 'household') {
      if (!isHouseholdDoc(again)) throw new Error('not a household file');
      if (readHousehold(again).household.id !== parsed.id) throw new Error('household id does not match its name');
    } else {
      readTeam(again);
    }
  } catch (err) {
    throw new BundleError('bundle_corrupt', 0, `${d.name}: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    again.destroy();
  }
}

function sameVector(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
