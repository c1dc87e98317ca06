import * as Y from 'yjs';
import type { LocalRecords } from '@/db/local-records';
import { saveIdentity, type Identity } from '@/db/identity';
import { householdDocName, parseDocName } from '@/docs/schema';
import { setHouseholdTeam } from '@/docs/household-doc';

/*
 * Moving a device's records from its local team to the team it joined. Apart from joining
 * (`join.ts`, which needs the network and is not precached): an interrupted move is finished
 * at start-up, with or without a connection.
 */

/**
 * Copy every doc of `fromTeamId` to the same household under `toTeamId` and remove the
 * old one. Idempotent: a re-run after a crash merges what is already there (Yjs) and
 * finishes the removals. Each copy goes through the one write path, so it is on disk
 * before the old doc is deleted.
 */
export async function rekeyLocalDocs(records: LocalRecords, fromTeamId: string, toTeamId: string): Promise<number> {
  const stored = new Set(await records.docs.storedNames());
  const known = await records.db.docs.toCollection().primaryKeys();
  const names = [...new Set([...stored, ...known])].filter((n) => parseDocName(n)?.teamId === fromTeamId);
  let moved = 0;
  for (const oldName of names) {
    const parsed = parseDocName(oldName);
    if (parsed?.kind === 'household' && parsed.id && stored.has(oldName)) {
      const state = Y.encodeStateAsUpdate(await records.doc(oldName));
      await records.commit(householdDocName(toTeamId, parsed.id), (doc) => {
        Y.applyUpdate(doc, state);
        setHouseholdTeam(doc, toTeamId);
      });
      moved++;
    }
    await records.docs.remove(oldName);
    await records.db.docs.delete(oldName);
  }
  return moved;
}

/** Finish a move that `joinTeam` started (also called at start-up after a crash). */
export async function finishRekey(records: LocalRecords, identity: Identity): Promise<Identity> {
  if (!identity.rekeyFrom) return identity;
  await rekeyLocalDocs(records, identity.rekeyFrom, identity.teamId);
  const done = { ...identity };
  delete done.rekeyFrom;
  await saveIdentity(records.db, done);
  return done;
}
