import { describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { ROWS_VERSION, writeTables, type LianhuDb } from '@/db/database';
import { StorageWriteError } from '@/db/doc-persistence';
import { COMPACT_AT } from '@/db/doc-store';
import { LocalRecords } from '@/db/local-records';
import { docVersion } from '@/docs/ymap';
import { PROJECTION_VERSION } from '@/domain/projection';
import { addVisit, createHousehold, readHousehold } from '@/docs/household-doc';
import { householdDocName, teamDocName } from '@/docs/schema';
import { linkMembers } from '@/docs/team-doc';
import { actor, profile, visit } from './fixtures';
import { visitCount, visitIds, visitRow, visitRows } from '../helpers/rows';

const NAME = householdDocName('t1', 'h1');

async function withHousehold() {
  const records = new LocalRecords();
  await records.start(undefined);
  await records.commit(NAME, (doc) => createHousehold(doc, { id: 'h1', teamId: 't1', profile: profile() }, actor));
  return records;
}

/** Make the next write (new row or replaced row) to `table` on the save's connection fail as a full disk does. */
function failNextWrite(records: LocalRecords, table: 'updates' | 'records' | 'households') {
  const strict = (records as unknown as { strictDb: LianhuDb }).strictDb;
  const unhook = () => {
    strict[table].hook('creating').unsubscribe(hook);
    strict[table].hook('updating').unsubscribe(hook);
  };
  const hook = () => {
    unhook();
    throw new DOMException('full', 'QuotaExceededError');
  };
  strict[table].hook('creating', hook);
  strict[table].hook('updating', hook);
}

describe('the write path', () => {
  it('projects rows as soon as commit resolves, and marks the doc unsynced in the same write', async () => {
    const records = await withHousehold();
    await records.commit(NAME, (doc) => addVisit(doc, visit('v1'), actor));
    const row = await records.db.households.get('h1');
    expect(row).toMatchObject({ headName: '张三', visitCount: 1, nextDueOn: '2026-05-15', lastVisitAt: '2026-05-01T09:00:00.000Z' });
    expect(await visitIds(records.db, 'h1')).toEqual(['v1']);
    const rec = await records.db.docs.get(NAME);
    expect(rec).toMatchObject({ unsynced: 1, projectedVersion: docVersion(await records.doc(NAME)) });
    await records.close();
  });

  it('keeps what was saved across a restart, in the one database', async () => {
    const records = await withHousehold();
    await records.commit(NAME, (doc) => addVisit(doc, visit('v1'), actor));
    await records.close();
    const again = new LocalRecords();
    await again.start(undefined);
    expect(await again.db.updates.where('doc').equals(NAME).count()).toBeGreaterThan(0);
    expect(readHousehold(await again.doc(NAME)).visits.map((v) => v.id)).toEqual(['v1']);
    expect((await indexedDB.databases()).map((d) => d.name)).toEqual(['lianhu']);
    await again.close();
  });

  it('changes nothing when the disk refuses the update', async () => {
    const records = await withHousehold();
    const before = Y.encodeStateAsUpdate(await records.doc(NAME));
    const updates = await records.db.updates.count();
    failNextWrite(records, 'updates');
    await expect(records.commit(NAME, (doc) => addVisit(doc, visit('v1'), actor))).rejects.toMatchObject({ code: 'storage_write_failed', reason: 'quota' });
    expect(Y.encodeStateAsUpdate(await records.doc(NAME))).toEqual(before);
    expect(await visitCount(records.db)).toBe(0);
    expect(await records.db.updates.count()).toBe(updates);
    // The next save goes through as if nothing happened.
    await records.commit(NAME, (doc) => addVisit(doc, visit('v2'), actor));
    expect(await visitIds(records.db, 'h1')).toEqual(['v2']);
    await records.close();
  });

  it('writes the update and its rows together: a refused row write leaves no update on disk', async () => {
    const records = await withHousehold();
    const updates = await records.db.updates.count();
    failNextWrite(records, 'records');
    await expect(records.commit(NAME, (doc) => addVisit(doc, visit('v1'), actor))).rejects.toBeInstanceOf(StorageWriteError);
    expect(await records.db.updates.count()).toBe(updates);
    await records.close();
    const after = new LocalRecords();
    await after.start(undefined);
    expect(readHousehold(await after.doc(NAME)).visits).toEqual([]);
    expect(await visitCount(after.db)).toBe(0);
    await after.close();
  });

  it('writes as this device: one client id however many saves', async () => {
    const records = await withHousehold();
    for (const id of ['v1', 'v2', 'v3']) await records.commit(NAME, (doc) => addVisit(doc, visit(id), actor));
    const doc = await records.doc(NAME);
    expect([...Y.decodeStateVector(Y.encodeStateVector(doc)).keys()]).toEqual([doc.clientID]);
    await records.close();
  });

  it('serialises saves to one doc started together', async () => {
    const records = await withHousehold();
    await Promise.all(['v1', 'v2', 'v3', 'v4'].map((id) => records.commit(NAME, (doc) => addVisit(doc, visit(id), actor))));
    expect(readHousehold(await records.doc(NAME)).visits.map((v) => v.id).sort()).toEqual(['v1', 'v2', 'v3', 'v4']);
    await records.close();
    const after = new LocalRecords();
    await after.start(undefined);
    expect(readHousehold(await after.doc(NAME)).visits).toHaveLength(4);
    expect(await visitCount(after.db)).toBe(4);
    await after.close();
  });

  it('writes nothing when the edit changes nothing', async () => {
    const records = await withHousehold();
    const before = Y.encodeStateVector(await records.doc(NAME));
    const updates = await records.db.updates.count();
    await records.commit(NAME, () => {});
    expect(Y.encodeStateVector(await records.doc(NAME))).toEqual(before);
    expect(await records.db.updates.count()).toBe(updates);
    await records.close();
  });

  it('folds a doc\'s many saves into a snapshot, losing none', async () => {
    const records = await withHousehold();
    const ids = Array.from({ length: COMPACT_AT + 5 }, (_, i) => `v${String(i).padStart(2, '0')}`);
    for (const id of ids) await records.commit(NAME, (doc) => addVisit(doc, visit(id), actor));
    expect(await records.db.updates.where('doc').equals(NAME).count()).toBeLessThan(COMPACT_AT);
    await records.close();
    const after = new LocalRecords();
    await after.start(undefined);
    expect(readHousehold(await after.doc(NAME)).visits.map((v) => v.id).sort()).toEqual(ids);
    await after.close();
  });

  it('starts without loading a household doc: the lists read rows', async () => {
    const records = await withHousehold();
    await records.close();
    const after = new LocalRecords();
    await after.start('t1');
    expect(after.docs.isOpen(NAME)).toBe(false);
    expect((await after.db.households.get('h1'))?.headName).toBe('张三');
    await after.close();
  });
});

describe('updates from elsewhere', () => {
  it('writes a received update with its rows, and keeps it across a restart', async () => {
    const records = await withHousehold();
    const doc = await records.doc(NAME);
    const remote = new Y.Doc();
    Y.applyUpdate(remote, Y.encodeStateAsUpdate(doc));
    addVisit(remote, visit('v-sync'), { memberId: 'm2', deviceId: 'dev-test', now: actor.now });
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(remote, Y.encodeStateVector(doc)), 'relay');
    await records.settled();
    expect(await visitIds(records.db, 'h1')).toEqual(['v-sync']);
    expect(records.docs.unsavedNames()).toEqual([]);
    await records.close();
    const after = new LocalRecords();
    await after.start(undefined);
    expect(readHousehold(await after.doc(NAME)).visits.map((v) => v.id)).toEqual(['v-sync']);
    await after.close();
  });

  it('flushAll reports a received update the disk refused, and writes it once the disk takes it', async () => {
    const records = await withHousehold();
    const doc = await records.doc(NAME);
    const remote = new Y.Doc();
    Y.applyUpdate(remote, Y.encodeStateAsUpdate(doc));
    addVisit(remote, visit('v-sync'), { memberId: 'm2', deviceId: 'dev-test', now: actor.now });
    const hook = () => {
      throw new DOMException('full', 'QuotaExceededError');
    };
    records.db.updates.hook('creating', hook);
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(remote, Y.encodeStateVector(doc)), 'relay');
    await expect(records.docs.flushAll()).rejects.toBeInstanceOf(StorageWriteError);
    expect(records.docs.unsavedNames()).toEqual([NAME]);
    records.db.updates.hook('creating').unsubscribe(hook);
    await records.docs.flushAll();
    quiet.mockRestore();
    expect(records.docs.unsavedNames()).toEqual([]);
    expect(await visitIds(records.db, 'h1')).toEqual(['v-sync']);
    await records.close();
  });

  it('the background check projects a stored doc the tables do not know', async () => {
    const records = await withHousehold();
    await records.db.transaction('rw', [records.db.docs, records.db.households], async () => {
      await records.db.docs.clear();
      await records.db.households.clear();
    });
    await records.close();
    const after = new LocalRecords();
    await after.start(undefined);
    expect(await after.sweep()).toBe(1);
    expect((await after.db.households.get('h1'))?.headName).toBe('张三');
    expect(await after.sweep()).toBe(0);
    await after.close();
  });

  it('derives every household again once, when the rows were derived with other rules', async () => {
    const records = await withHousehold();
    await records.commit(NAME, (doc) => addVisit(doc, visit('v1'), actor));
    // A new database starts with the current rules: nothing to derive again.
    expect(await records.sweep()).toBe(0);
    // As an earlier release left it: its rows say nothing of the rules they were made with.
    await records.db.settings.delete(ROWS_VERSION);
    await records.close();
    const after = new LocalRecords();
    await after.start(undefined);
    expect(await after.sweep()).toBe(1);
    expect(await visitIds(after.db, 'h1')).toEqual(['v1']);
    expect((await after.db.settings.get(ROWS_VERSION))?.value).toBe(PROJECTION_VERSION);
    expect(await after.sweep()).toBe(0);
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
    const rows = await visitRows(records.db);
    expect(rows.map((r) => [r.id, r.householdId, r.docHouseholdId])).toEqual([
      ['va', 'ha', 'ha'],
      ['vb', 'ha', 'hb'],
    ]);

    // A device that never heard of the merge writes to the duplicate: it still shows under the target.
    await records.commit(b, (doc) => addVisit(doc, visit('vb2', { visitedAt: '2026-05-03T09:00:00.000Z' }), actor));
    await records.settled();
    expect((await records.db.households.get('ha'))?.visitCount).toBe(3);
    expect((await visitRow(records.db, 'vb2'))?.householdId).toBe('ha');
    await records.close();
  });
});

describe('assignments in the rows', () => {
  async function teamWithHousehold() {
    const { initTeam, linkMembers } = await import('@/docs/team-doc');
    const { teamDocName } = await import('@/docs/schema');
    const records = new LocalRecords();
    await records.start('t1');
    await records.commit(teamDocName('t1'), (doc) => initTeam(doc, { teamId: 't1', name: '一支部' }));
    await records.commit(NAME, (doc) => createHousehold(doc, { id: 'h1', teamId: 't1', profile: profile() }, actor));
    const link = (ids: string[]) => records.commit(teamDocName('t1'), (doc) => linkMembers(doc, 'h1', ids, { memberId: 'lead', now: actor.now }));
    return { records, link };
  }

  it('follow the team doc, and a start with the same assignments does not read every row again', async () => {
    const { records, link } = await teamWithHousehold();
    await link(['m1']);
    await records.settled();
    expect((await records.db.households.get('h1'))?.linkedMemberIds).toEqual(['m1']);
    await records.close();

    const again = new LocalRecords();
    const read = vi.spyOn(again.db.households, 'toArray');
    await again.start('t1');
    expect(read).not.toHaveBeenCalled();
    await again.commit(teamDocName('t1'), (doc) => linkMembers(doc, 'h1', ['m2'], { memberId: 'lead', now: actor.now }));
    await again.settled();
    expect(read).toHaveBeenCalledTimes(1);
    expect((await again.db.households.get('h1'))?.linkedMemberIds).toEqual(['m1', 'm2']);
  });

  it('derives a household again when the team changed between deriving its rows and writing them', async () => {
    const { records, link } = await teamWithHousehold();
    const stale = await records.projector.plan(NAME);
    // Registered by m1 and not assigned yet: m1's (ADR 0020). The lead then gives it to m2.
    await link(['m2']);
    // The rows derived before the assignment are written after it (a drain that was under way).
    await records.db.transaction('rw', writeTables(records.db), () => records.projector.writeRows(records.db, stale));
    expect((await records.db.households.get('h1'))?.linkedMemberIds).toEqual(['m1']);
    records.projector.rescheduleChanged(stale);
    await records.settled();
    expect((await records.db.households.get('h1'))?.linkedMemberIds).toEqual(['m2']);
  });
});

describe('a start that waits for the first screen', () => {
  it('opens the team only once it is let go, and a save meanwhile waits and derives with the team', async () => {
    const { initTeam } = await import('@/docs/team-doc');
    const before = new LocalRecords();
    await before.start('t1');
    await before.commit(teamDocName('t1'), (doc) => initTeam(doc, { teamId: 't1', name: '一支部' }));
    await before.commit(teamDocName('t1'), (doc) => linkMembers(doc, 'h1', ['m1'], { memberId: 'lead', now: actor.now }));
    await before.close();

    const records = new LocalRecords();
    let drawn!: () => void;
    const started = records.start('t1', { after: new Promise<void>((r) => (drawn = r)) });
    let saved = false;
    const save = records.commit(NAME, (doc) => createHousehold(doc, { id: 'h1', teamId: 't1', profile: profile() }, actor)).then(() => (saved = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(saved).toBe(false);
    expect(records.docs.isOpen(teamDocName('t1'))).toBe(false);
    drawn();
    await started;
    await save;
    expect((await records.db.households.get('h1'))?.linkedMemberIds).toEqual(['m1']);
  });
});
