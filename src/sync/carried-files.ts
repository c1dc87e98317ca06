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
  /** signed by the exporter's device: it can go to the relay (ADR 0023); unsigned ones go by file only */
  signed?: boolean;
  /** what the relay answered, once it was tried (ADR 0023) */
  delivery?: CarriedDelivery;
}

/**
 * `delivered`: the relay applied it with the exporter's rights (kept, to hand on by file too,
 * until forgotten). `refused`: the relay will not take it (the code says why); it stays,
 * to hand to the lead by file. `waiting`: tried, to try again (the exporter's key is not on
 * the relay yet, the relay was busy).
 */
export type CarriedDelivery =
  | { state: 'delivered'; at: string; docs: number; photos: number }
  | { state: 'refused'; at: string; code: string }
  | { state: 'waiting'; at: string; code: string };

/** Refusals that will not change by trying again: the file is handed on by file instead. */
const FINAL_REFUSALS = new Set([
  'carried_foreign_team',
  'carried_unsigned',
  'carried_too_large',
  'exporter_unknown',
  'exporter_revoked',
  'signature_invalid',
  'signature_expired',
  'doc_forbidden',
  'invalid_update',
  'invalid_record',
  'document_too_large',
  'photo_invalid',
  'photo_too_large',
  'upload_not_a_photo',
  'bundle_empty',
  'bundle_not_lianhu',
  'bundle_version',
  'bundle_corrupt',
  'bundle_truncated',
]);

export function isFinalRefusal(code: string | undefined): boolean {
  return !!code && FINAL_REFUSALS.has(code);
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
    signed: !!bundle.signature,
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

export async function setDelivery(db: LianhuDb, id: string, delivery: CarriedDelivery): Promise<void> {
  await db.transaction('rw', db.settings, async () => {
    const c = (await db.settings.get(PREFIX + id))?.value as CarriedFile | undefined;
    if (c) await db.settings.put({ key: PREFIX + id, value: { ...c, delivery } });
  });
}

/** Whether a sync run should send this file to the relay. */
export function toDeliver(c: CarriedFile): boolean {
  return !!c.signed && c.delivery?.state !== 'delivered' && c.delivery?.state !== 'refused';
}

export interface CarrierRelay {
  deliverCarried(file: Blob): Promise<{ docs: { result: string }[]; photos: number }>;
}

/**
 * Deliver every signed carried file not yet delivered or refused (a sync run calls this once
 * its own records are up). The relay checks the exporter's signature and rights; only its
 * answer marks a file delivered. A refusal that will not change is kept with its code (the UI
 * says why, and the file is handed on by file); anything else is tried again next run.
 * Never throws for a file: the carrier's own sync status is not the colleague's.
 */
export async function deliverCarriedFiles(db: LianhuDb, teamId: string, relay: CarrierRelay, now = () => new Date()): Promise<{ delivered: number; refused: number; waiting: number }> {
  const out = { delivered: 0, refused: 0, waiting: 0 };
  for (const c of await listCarried(db, teamId)) {
    if (!toDeliver(c)) continue;
    try {
      const answer = await relay.deliverCarried(c.file);
      await setDelivery(db, c.id, { state: 'delivered', at: now().toISOString(), docs: answer.docs.filter((d) => d.result !== 'read-only').length, photos: answer.photos });
      out.delivered++;
    } catch (err) {
      const code = (err as { serverCode?: string }).serverCode ?? (err as { code?: string }).code ?? 'server';
      const state = isFinalRefusal(code) ? 'refused' : 'waiting';
      await setDelivery(db, c.id, { state, at: now().toISOString(), code });
      out[state]++;
      // No signal any more: the next files wait for the next run.
      if ((err as { code?: string }).code === 'network') break;
    }
  }
  return out;
}
