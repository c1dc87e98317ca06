import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { LocalRecords } from '@/db/local-records';
import { StorageWriteError } from '@/db/doc-persistence';
import { addVisit, createHousehold, readHousehold } from '@/docs/household-doc';
import { householdDocName } from '@/docs/schema';
import { actor, profile, visit } from './fixtures';

const NAME = householdDocName('t1', 'h1');

async function withHousehold() {
  const records = new LocalRecords();
  await records.start(undefined);
  await records.commit(NAME, (doc) => createHousehold(doc, { id: 'h1', teamId: 't1', profile: profile() }, actor));
  return records;
}

describe('the write path', () => {
  it('projects rows as soon as commit resolves', async () => {
    const records = await withHousehold();
    await records.commit(NAME, (doc) => addVisit(doc, visit('v1'), actor));
    const row = await records.db.households.get('h1');
    expect(row).toMatchObject({ headName: '张三', visitCount: 1, nextDueOn: '2026-05-15', lastVisitAt: '2026-05-01T09:00:00.000Z' });
    expect(await records.db.visits.where('householdId').equals('h1').primaryKeys()).toEqual(['v1']);
    expect((await records.db.docs.get(NAME))?.pending).toBe(0);
    await records.close();
  });

  it('keeps what was saved across a restart', async () => {
    const records = await withHousehold();
    await records.commit(NAME, (doc) => addVisit(doc, visit('v1'), actor));
    await records.close();
    const again = new LocalRecords();
    await again.start(undefined);
    expect(readHousehold(await again.doc(NAME)).visits.map((v) => v.id)).toEqual(['v1']);
    await again.close();
  });

  it('changes nothing when the disk refuses the write', async () => {
    const records = await withHousehold();
    const persistence = await records.docs.persistence(NAME);
    const before = Y.encodeStateAsUpdate(await records.doc(NAME));
    persistence.writeAhead = () => Promise.reject(new StorageWriteError('quota', new DOMException('full', 'QuotaExceededError')));
    await expect(records.commit(NAME, (doc) => addVisit(doc, visit('v1'), actor))).rejects.toMatchObject({ code: 'storage_write_failed', reason: 'quota' });
    expect(Y.encodeStateAsUpdate(await records.doc(NAME))).toEqual(before);
    expect(await records.db.visits.count()).toBe(0);
    await records.close();
  });

  it('writes as this device: one client id however many saves', async () => {
    const records = await withHousehold();
    for (const id of ['v1', 'v2', 'v3']) await records.commit(NAME, (doc) => addVisit(doc, visit(id), actor));
    const doc = await records.doc(NAME);
    expect([...Y.decodeStateVector(Y.encodeStateVector(doc)).keys()]).toEqual([doc.clientID]);
    await records.close();
  });

  it('writes nothing when the edit changes nothing', async () => {
    const records = await withHousehold();
    const before = Y.encodeStateVector(await records.doc(NAME));
    await records.commit(NAME, () => {});
    expect(Y.encodeStateVector(await records.doc(NAME))).toEqual(before);
    await records.close();
  });
});

describe('projection repair after a crash', () => {
  it('rebuilds rows a crash left behind between the doc write and the row write', async () => {
    const records = await withHousehold();
    // The first half of a commit — pending mark and the durable doc write — then the "crash".
    await records.projector.markPending(NAME);
    const doc = await records.doc(NAME);
    const scratch = new Y.Doc();
    Y.applyUpdate(scratch, Y.encodeStateAsUpdate(doc));
    scratch.clientID = doc.clientID;
    addVisit(scratch, visit('v-crash'), actor);
    await (await records.docs.persistence(NAME)).writeAhead(Y.encodeStateAsUpdate(scratch, Y.encodeStateVector(doc)));
    await records.close();

    const after = new LocalRecords();
    // Before start-up the lists are wrong: the visit is on disk but has no row.
    expect(await after.db.visits.count()).toBe(0);
    expect((await after.db.households.get('h1'))?.visitCount).toBe(0);
    const rebuilt = await after.start(undefined);
    expect(rebuilt).toBe(1);
    expect(await after.db.visits.where('householdId').equals('h1').primaryKeys()).toEqual(['v-crash']);
    expect((await after.db.households.get('h1'))?.visitCount).toBe(1);
    expect((await after.db.docs.get(NAME))?.pending).toBe(0);
    await after.close();
  });

  it('the background sweep catches a doc updated with no pending mark (a received update)', async () => {
    const records = await withHousehold();
    const persistence = await records.docs.persistence(NAME);
    const doc = await records.doc(NAME);
    const remote = new Y.Doc();
    Y.applyUpdate(remote, Y.encodeStateAsUpdate(doc));
    addVisit(remote, visit('v-remote'), { memberId: 'm2', now: actor.now });
    // Stored as sync would store it, but the process dies before any projection work.
    await persistence.writeAhead(Y.encodeStateAsUpdate(remote, Y.encodeStateVector(doc)));
    await records.close();

    const after = new LocalRecords();
    expect(await after.start(undefined)).toBe(0);
    expect(await after.db.visits.count()).toBe(0);
    expect(await after.sweep()).toBe(1);
    expect(await after.db.visits.where('householdId').equals('h1').primaryKeys()).toEqual(['v-remote']);
    expect(await after.sweep()).toBe(0);
    await after.close();
  });

  it('adopts a household doc that is on disk but unknown to the tables', async () => {
    const records = new LocalRecords();
    await records.start(undefined);
    const doc = await records.doc(householdDocName('t1', 'h9'));
    const remote = new Y.Doc();
    createHousehold(remote, { id: 'h9', teamId: 't1', profile: profile({ headName: '李四' }) }, actor);
    await (await records.docs.persistence(householdDocName('t1', 'h9'))).writeAhead(Y.encodeStateAsUpdate(remote, Y.encodeStateVector(doc)));
    await records.db.docs.clear();
    await records.close();

    const after = new LocalRecords();
    await after.start(undefined);
    expect(await after.sweep()).toBe(1);
    expect((await after.db.households.get('h9'))?.headName).toBe('李四');
    await after.close();
  });

  it('follows updates that arrive from elsewhere', async () => {
    const records = await withHousehold();
    const doc = await records.doc(NAME);
    const remote = new Y.Doc();
    Y.applyUpdate(remote, Y.encodeStateAsUpdate(doc));
    addVisit(remote, visit('v-sync'), { memberId: 'm2', now: actor.now });
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(remote, Y.encodeStateVector(doc)), 'relay');
    await records.settled();
    expect(await records.db.visits.where('householdId').equals('h1').primaryKeys()).toEqual(['v-sync']);
    await records.docs.flushAll();
    await records.close();
    const after = new LocalRecords();
    await after.start(undefined);
    expect(readHousehold(await after.doc(NAME)).visits.map((v) => v.id)).toEqual(['v-sync']);
    await after.close();
  });
});

describe('merged duplicates in the lists', () => {
  it('lists both files\' visits under the target, and a visit added to the duplicate later too', async () => {
    const { initTeam, mergeHouseholds } = await import('@/docs/team-doc');
    const { teamDocName } = await import('@/docs/schema');
    const records = new LocalRecords();
    await records.start('t1');
    await records.commit(teamDocName('t1'), (doc) => initTeam(doc, { teamId: 't1', name: '一支部' }));
    const a = householdDocName('t1', 'ha');
    const b = householdDocName('t1', 'hb');
    await records.commit(a, (doc) => createHousehold(doc, { id: 'ha', teamId: 't1', profile: profile() }, actor));
    await records.commit(b, (doc) => createHousehold(doc, { id: 'hb', teamId: 't1', profile: profile({ headName: '章三' }) }, actor));
    await records.commit(a, (doc) => addVisit(doc, visit('va'), actor));
    await records.commit(b, (doc) => addVisit(doc, visit('vb'), actor));

    await records.commit(teamDocName('t1'), (doc) => mergeHouseholds(doc, 'hb', 'ha', { memberId: 'lead', now: actor.now }));
    await records.settled();
    expect((await records.db.households.get('hb'))?.mergedInto).toBe('ha');
    expect((await records.db.households.get('ha'))?.visitCount).toBe(2);
    const rows = await records.db.visits.orderBy('id').toArray();
    expect(rows.map((r) => [r.id, r.householdId, r.docHouseholdId])).toEqual([
      ['va', 'ha', 'ha'],
      ['vb', 'ha', 'hb'],
    ]);

    // A device that never heard of the merge writes to the duplicate: it still shows under the target.
    await records.commit(b, (doc) => addVisit(doc, visit('vb2', { visitedAt: '2026-05-03T09:00:00.000Z' }), actor));
    await records.settled();
    expect((await records.db.households.get('ha'))?.visitCount).toBe(3);
    expect((await records.db.visits.get('vb2'))?.householdId).toBe('ha');
    await records.close();
  });
});
