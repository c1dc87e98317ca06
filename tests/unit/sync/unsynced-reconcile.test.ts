import { describe, expect, it } from 'vitest';
import { LocalRecords } from '@/db/local-records';
import { createHousehold } from '@/docs/household-doc';
import { householdDocName } from '@/docs/schema';
import { UnsyncedTracker } from '@/sync/unsynced';
import { actor, profile } from '../db/fixtures';

/**
 * The safety net for a lost "unsynced" mark: a household whose rows show a version the relay
 * never confirmed is found again, whatever else the docs table holds.
 */
describe('UnsyncedTracker.reconcile', () => {
  it('finds the household docs whose rows the relay did not confirm, and only those', async () => {
    const records = new LocalRecords();
    await records.start(undefined);
    const names = ['h1', 'h2', 'h3', 'h4'].map((id) => householdDocName('t1', id));
    for (const [i, name] of names.entries()) await records.commit(name, (doc) => createHousehold(doc, { id: `h${i + 1}`, teamId: 't1', profile: profile() }, actor));
    const { db } = records;
    // h1: confirmed by the relay. h2: its mark lost (unsynced 0, version never confirmed).
    // h3: still marked unsynced. h4: mark lost, but attached right now (its session knows).
    const rec = async (name: string) => (await db.docs.get(name))!;
    await db.docs.put({ ...(await rec(names[0]!)), unsynced: 0, serverVersion: (await rec(names[0]!)).projectedVersion });
    await db.docs.put({ ...(await rec(names[1]!)), unsynced: 0, serverVersion: undefined });
    await db.docs.put({ ...(await rec(names[3]!)), unsynced: 0, serverVersion: 'older' });
    // A team doc's record is never a suspect.
    await db.docs.put({ name: 'team:t1', kind: 'team', unsynced: 0, projectedVersion: 'x', updatedAt: actor.now });

    const tracker = new UnsyncedTracker(records);
    const found = await tracker.reconcile((n) => n === names[3]);
    expect(found).toBe(1);
    expect(tracker.unsyncedInMemory()).toEqual([names[1]]);
    await records.close();
  });
});
