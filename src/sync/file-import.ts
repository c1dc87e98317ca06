import type { Identity } from '@/db/identity';
import type { LocalRecords } from '@/db/local-records';
import { isLocalTeam } from '@/db/identity';
import { BundleError, type Bundle, type BundleDoc } from '@/docs/bundle';
import { isHouseholdDoc, readHousehold, setHouseholdTeam } from '@/docs/household-doc';
import { householdDocName, parseDocName, teamDocName } from '@/docs/schema';
import { linkMembers, readTeam, upsertTeamMember } from '@/docs/team-doc';
import { ID_SEGMENT } from '@/domain/api-contract';
import { readBundle } from './bundle-io';
import { carryFile, isCarried, type CarriedFile } from './carried-files';
import { applyBundle, checkPhotoHashes, type ImportResult } from './file-sync';

/** What importing a file did: applied here, or kept to carry (a colleague's records). */
export type ImportOutcome =
  | { kind: 'applied'; result: ImportResult }
  | { kind: 'carried'; carried: CarriedFile; already: boolean }
  /** a lead imported the file of a phone that never joined: its records are now that member's, in this team */
  | { kind: 'adopted'; result: ImportResult; member: { id: string; name: string }; households: number };

/**
 * Import a `.lianhu` file. Throws BundleError (nothing changed) for a bad or foreign file. A
 * lead's import, or a member's own file, is applied (its updates are then unsynced and go up
 * next). A colleague's file on a member's phone is kept whole as a carried file
 * (src/sync/carried-files.ts) and never touches this phone's records or its sync status.
 */
export async function importOrCarry(records: LocalRecords, file: Blob, identity: Identity): Promise<ImportOutcome> {
  const bundle = await readBundle(file);
  // The team doc's role counts (a lead may have promoted or demoted this member).
  const role = readTeam(await records.doc(teamDocName(identity.teamId))).members.find((m) => m.id === identity.memberId)?.role ?? identity.role;
  if (bundle.header.teamId !== identity.teamId) {
    // A phone that never had signal exported under its own local team: only a lead of a real
    // team takes it in (ADR 0019, built in ADR 0023). Any other team's file is refused whole.
    if (isLocalTeam(bundle.header.teamId) && role === 'lead' && !isLocalTeam(identity.teamId)) return adoptLocalFile(records, bundle, identity);
    throw new BundleError('bundle_foreign_team', 0, `team ${bundle.header.teamId}`);
  }
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
 * A lead imports the file of a member whose phone started alone and never joined: its
 * households are moved into this team (as joining moves them on the phone, rekey.ts), the
 * member goes on the roster under the id their records carry (name from the file), and the
 * households they registered are linked to them. The lead then makes an invite for that
 * member; the phone joins with its own member id, and its records, the same households by
 * id, merge with what the lead uploaded. The local team's own settings doc is not taken.
 */
async function adoptLocalFile(records: LocalRecords, bundle: Bundle, identity: Identity): Promise<ImportOutcome> {
  const src = bundle.header.source;
  const memberId = src.memberId ?? '';
  const name = (src.memberName ?? '').trim();
  if (src.kind !== 'device' || !ID_SEGMENT.test(memberId) || !name || name.length > 40) throw new BundleError('bundle_corrupt', 0, 'the file does not say whose records it holds');
  const teamId = identity.teamId;
  const households: BundleDoc[] = [];
  for (const d of bundle.docs) {
    const parsed = parseDocName(d.name);
    if (parsed?.kind === 'household' && parsed.id) households.push({ name: householdDocName(teamId, parsed.id), update: d.update });
  }
  const moved: Bundle = { header: { ...bundle.header, teamId }, docs: households, photos: bundle.photos };
  const teamName = teamDocName(teamId);
  const team = readTeam(await records.doc(teamName));
  const existing = team.members.find((m) => m.id === memberId);
  if (existing?.leftAt) throw new BundleError('bundle_foreign_team', 0, `member ${memberId} left the team`);
  const result = await applyBundle(records, moved);
  for (const d of households) await records.commit(d.name, (doc) => setHouseholdTeam(doc, teamId));
  if (!existing) await records.commit(teamName, (doc) => upsertTeamMember(doc, { id: memberId, name, role: 'member', joinedAt: new Date().toISOString() }));
  await keepExporterLinked(records, moved, identity);
  return { kind: 'adopted', result, member: { id: memberId, name: existing?.name ?? name }, households: households.length };
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
