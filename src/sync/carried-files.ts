import type { LianhuDb } from '@/db/database';
import type { Bundle } from '@/docs/bundle';
import { parseDocName } from '@/docs/schema';
import type { Role } from '@/domain/team';
import { sha256Hex } from './sha256';

/**
 * Files a member carries for a colleague (docs/adr/0019-carried-files-and-device-identity.md).
 * A colleague's records are not this member's to upload: applying them to this phone's docs
 * made them "not on the server" for ever (the relay refuses them to this device) and hid this
 * member's own status behind them. So the file is kept as it came, whole, and handed on: to
 * the lead by file (exported again, unchanged) — its own records and counts untouched.
 */

const PREFIX = 'carried.';

export interface CarriedFile {
  /** SHA-256 of the file's bytes: the same file imported twice is kept once */
  id: string;
  teamId: string;
  /** who exported it */
  from: { memberId: string; memberName: string; deviceId: string };
  /** when it was exported, from its header */
  exportedAt: string;
  receivedAt: string;
  households: number;
  photos: number;
  /** only changes since the exporter's previous export */
  changesOnly: boolean;
  filename: string;
  file: Blob;
}

/**
 * Whether a checked bundle is a colleague's file to carry rather than records to apply here:
 * a lead applies every file (a lead may write every household), and a member applies their
 * own (from another of their phones).
 */
export function isCarried(source: Bundle['header']['source'], importer: { memberId: string; role: Role }): boolean {
  if (importer.role === 'lead') return false;
  return source.kind === 'device' && !!source.memberId && source.memberId !== importer.memberId;
}

/** Keep a checked file as carried; `already` when this very file was carried before. */
export async function carryFile(db: LianhuDb, file: Blob, bundle: Bundle, filename: string, now = new Date()): Promise<{ carried: CarriedFile; already: boolean }> {
  const id = await sha256Hex(new Uint8Array(await file.arrayBuffer()));
  const existing = (await db.settings.get(PREFIX + id))?.value as CarriedFile | undefined;
  if (existing) return { carried: existing, already: true };
  const src = bundle.header.source;
  const households = new Set(bundle.docs.map((d) => parseDocName(d.name)).filter((p) => p?.kind === 'household'));
  const carried: CarriedFile = {
    id,
    teamId: bundle.header.teamId,
    from: { memberId: src.memberId ?? '', memberName: src.memberName ?? '', deviceId: src.deviceId ?? '' },
    exportedAt: bundle.header.createdAt,
    receivedAt: now.toISOString(),
    households: households.size,
    photos: bundle.photos.length,
    changesOnly: !!bundle.header.since,
    filename,
    // A Blob of its own (not the File handle of a picker, which some browsers cannot store).
    file: new Blob([await file.arrayBuffer()], { type: 'application/gzip' }),
  };
  await db.settings.put({ key: PREFIX + id, value: carried });
  return { carried, already: false };
}

/** Files this phone carries for the team, oldest first. */
export async function listCarried(db: LianhuDb, teamId: string): Promise<CarriedFile[]> {
  const rows = await db.settings.where('key').startsWith(PREFIX).toArray();
  return rows
    .map((r) => r.value as CarriedFile)
    .filter((c) => c.teamId === teamId)
    .sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
}

export async function getCarried(db: LianhuDb, id: string): Promise<CarriedFile | undefined> {
  return (await db.settings.get(PREFIX + id))?.value as CarriedFile | undefined;
}

/** Forget a carried file (handed over). */
export async function dropCarried(db: LianhuDb, id: string): Promise<void> {
  await db.settings.delete(PREFIX + id);
}
