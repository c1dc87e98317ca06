import type { Identity } from '@/db/identity';
import type { LocalRecords } from '@/db/local-records';
import { isHouseholdDoc, readHousehold } from '@/docs/household-doc';
import { parseDocName, teamDocName } from '@/docs/schema';
import { linkMembers, readTeam } from '@/docs/team-doc';
import type { Bundle } from '@/docs/bundle';
import { readBundle } from './bundle-io';
import { carryFile, isCarried, type CarriedFile } from './carried-files';
import { applyBundle, checkPhotoHashes, type ImportResult } from './file-sync';

/** What importing a file did: applied here, or kept to carry (a colleague's records). */
export type ImportOutcome = { kind: 'applied'; result: ImportResult } | { kind: 'carried'; carried: CarriedFile; already: boolean };

/**
 * Import a `.lianhu` file. Throws BundleError (nothing changed) for a bad or foreign file. A
 * lead's import, or a member's own file, is applied (its updates are then unsynced and go up
 * next). A colleague's file on a member's phone is kept whole as a carried file
 * (src/sync/carried-files.ts) and never touches this phone's records or its sync status.
 */
export async function importOrCarry(records: LocalRecords, file: Blob, identity: Identity): Promise<ImportOutcome> {
  const bundle = await readBundle(file, identity.teamId);
  // The team doc's role counts (a lead may have promoted or demoted this member).
  const role = readTeam(await records.doc(teamDocName(identity.teamId))).members.find((m) => m.id === identity.memberId)?.role ?? identity.role;
  if (isCarried(bundle.header.source, { memberId: identity.memberId, role })) {
    await checkPhotoHashes(bundle);
    const name = typeof File !== 'undefined' && file instanceof File ? file.name : 'lianhu.lianhu';
    return { kind: 'carried', ...(await carryFile(records.db, file, bundle, name)) };
  }
  const result = await applyBundle(records, bundle);
  if (role === 'lead') await keepExporterLinked(records, bundle, identity);
  return { kind: 'applied', result };
}

/**
 * A lead's import uploads a member's new households with the lead's rights, so the relay
 * records the lead as their creator; the member's own phone, back in signal, would then be
 * refused its own households. So a household the file's member registered and nobody looks
 * after yet is linked to that member, in the same import (one team doc write).
 */
async function keepExporterLinked(records: LocalRecords, bundle: Bundle, identity: Identity): Promise<void> {
  const memberId = bundle.header.source.memberId;
  if (bundle.header.source.kind !== 'device' || !memberId || memberId === identity.memberId) return;
  const teamName = teamDocName(identity.teamId);
  const team = readTeam(await records.doc(teamName));
  if (!team.members.some((m) => m.id === memberId && !m.leftAt)) return;
  const toLink: string[] = [];
  for (const d of bundle.docs) {
    const parsed = parseDocName(d.name);
    if (parsed?.kind !== 'household' || !parsed.id || team.assignments.get(parsed.id)?.length) continue;
    const doc = await records.doc(d.name);
    if (isHouseholdDoc(doc) && readHousehold(doc).household.createdBy === memberId) toLink.push(parsed.id);
  }
  if (!toLink.length) return;
  const by = { memberId: identity.memberId, now: new Date().toISOString() };
  await records.commit(teamName, (doc) =>
    doc.transact(() => {
      for (const id of toLink) linkMembers(doc, id, [memberId], by);
    }),
  );
}
