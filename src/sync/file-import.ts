import type { Identity } from '@/db/identity';
import type { LocalRecords } from '@/db/local-records';
import { teamDocName } from '@/docs/schema';
import { readTeam } from '@/docs/team-doc';
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
  return { kind: 'applied', result: await applyBundle(records, bundle) };
}
