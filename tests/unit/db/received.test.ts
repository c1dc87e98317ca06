import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { StorageWriteError } from '@/db/doc-persistence';
import { LocalRecords } from '@/db/local-records';
import { addVisit, createHousehold, readHousehold } from '@/docs/household-doc';
import { householdDocName } from '@/docs/schema';
import { docVersion } from '@/docs/ymap';
import { applyRelayDocs } from '@/sync/catch-up';
import { UnsyncedTracker } from '@/sync/unsynced';
import { actor, profile, visit } from './fixtures';
import { visitIds, visitRows } from '../helpers/rows';

/**
 * Docs received whole (a first-sync piece) that nobody has open are stored as they came (Yjs
 * v2) with rows derived from a doc built once, instead of going through a live doc each.
 */

const name = (id: string) => householdDocName('t1', id);

/** A household as the relay would send it: its whole state as a v2 update. */
function remoteHousehold(id: string, visits: string[]): Uint8Array {
  const doc = new Y.Doc();
  createHousehold(doc, { id, teamId: 't1', profile: profile({ headName: `户主${id}` }) }, actor);
  for (const v of visits) addVisit(doc, visit(v), actor);
  const update = Y.encodeStateAsUpdateV2(doc);
  doc.destroy();
  return update;
}

async function started(dbName: string): Promise<LocalRecords> {
  const records = new LocalRecords({ dbName });
  await records.start(undefined);
  return records;
}

/** Everything derived and stored for a doc, without the write time. */
async function derived(records: LocalRecords, id: string) {
  const { db } = records;
  const mark = await db.docs.get(name(id));
  const { updatedAt: _ignored, ...marks } = mark ?? { updatedAt: '' };
  return {
    household: await db.households.get(id),
    records: await db.records.get(id),
    requests: await db.requests.where('householdId').equals(id).sortBy('id'),
    marks,
  };
}

describe('docs received whole', () => {
  it('are stored as received, with exactly the rows and marks the live path derives, and read back whole', async () => {
    const docs = [
      { name: name('h1'), update: remoteHousehold('h1', ['v1', 'v2']) },
      { name: name('h2'), update: remoteHousehold('h2', []) },
    ];
    const fast = await started('fast');
    const prepared = await fast.projector.prepareReceived(docs);
    expect(prepared.stored.map((s) => s.name)).toEqual([name('h1'), name('h2')]);
    expect(fast.docs.isOpen(name('h1'))).toBe(false);
    await fast.projector.persist([], () => true, { prepared });
    const rows = await fast.db.updates.where('doc').equals(name('h1')).toArray();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ format: 2, update: docs[0]!.update });

    // The previous path: each doc applied to a live doc, then written with its rows.
    const live = await started('live');
    const opened = await live.docs.getMany(docs.map((d) => d.name));
    docs.forEach((d, i) => Y.applyUpdateV2(opened[i]!, d.update));
    await live.projector.persist(
      docs.map((d) => d.name),
      () => true,
    );
    for (const id of ['h1', 'h2']) expect(await derived(fast, id)).toEqual(await derived(live, id));
    expect((await derived(fast, 'h1')).marks).toMatchObject({ unsynced: 0, projectedVersion: docVersion(opened[0]!), serverVersion: docVersion(opened[0]!) });

    // Opened later, the doc is built from the stored v2 bytes.
    expect(readHousehold(await fast.doc(name('h1'))).visits.map((v) => v.id).sort()).toEqual(['v1', 'v2']);
    await fast.close();
    await live.close();
  });

  it('makes a page that opens such a doc meanwhile wait for the write, then see it', async () => {
    const records = await started('wait');
    const prepared = await records.projector.prepareReceived([{ name: name('h1'), update: remoteHousehold('h1', ['v1']) }]);
    const opening = records.doc(name('h1'));
    await records.projector.persist([], () => true, { prepared });
    expect(readHousehold(await opening).visits.map((v) => v.id)).toEqual(['v1']);
    await records.close();
  });

  it('writes nothing of a piece the disk refuses, and leaves its docs free to open', async () => {
    const records = await started('refused');
    const prepared = await records.projector.prepareReceived([
      { name: name('h1'), update: remoteHousehold('h1', ['v1']) },
      { name: name('h2'), update: remoteHousehold('h2', ['v2']) },
    ]);
    const fail = () => {
      records.db.records.hook('creating').unsubscribe(fail);
      throw new DOMException('full', 'QuotaExceededError');
    };
    records.db.records.hook('creating', fail);
    await expect(records.projector.persist([], () => true, { prepared, also: (db) => db.settings.put({ key: 'position', value: 2 }) })).rejects.toBeInstanceOf(StorageWriteError);
    expect(await records.db.updates.count()).toBe(0);
    expect(await records.db.households.count()).toBe(0);
    expect(await records.db.docs.count()).toBe(0);
    expect(await records.db.settings.get('position')).toBeUndefined();
    expect(readHousehold(await records.doc(name('h1'))).visits).toEqual([]);
    await records.close();
  });

  it('derives a doc that already held rows again from all of them', async () => {
    const records = await started('held');
    await records.commit(name('h1'), (doc) => createHousehold(doc, { id: 'h1', teamId: 't1', profile: profile() }, actor));
    // The relay's copy: the household as created, and a visit this device does not have…
    const other = new Y.Doc();
    Y.applyUpdate(other, Y.encodeStateAsUpdate(await records.doc(name('h1'))));
    addVisit(other, visit('theirs'), { memberId: 'm2', deviceId: 'dev-test', now: actor.now });
    // … while this device saved one the relay has not seen.
    await records.commit(name('h1'), (doc) => addVisit(doc, visit('mine'), actor));
    const update = Y.encodeStateAsUpdateV2(other);
    await records.docs.close(name('h1'));

    const prepared = await records.projector.prepareReceived([{ name: name('h1'), update }]);
    expect(prepared.stored).toHaveLength(1);
    // Not confirmed: the device's own visit is not on the relay.
    await records.projector.persist([], () => false, { prepared });
    await records.settled();
    expect((await visitIds(records.db, 'h1')).sort()).toEqual(['mine', 'theirs']);
    expect(await records.db.docs.get(name('h1'))).toMatchObject({ unsynced: 1, projectedVersion: docVersion(await records.doc(name('h1'))) });
    other.destroy();
    await records.close();
  });

  it('applies a doc that is open to its live doc, and stores the others as received', async () => {
    const records = await started('open');
    const doc = await records.doc(name('h1'));
    const docs = [
      { name: name('h1'), update: remoteHousehold('h1', ['v1']) },
      { name: name('h2'), update: remoteHousehold('h2', ['v2']) },
    ];
    const prepared = await records.projector.prepareReceived(docs);
    expect(prepared.stored.map((s) => s.name)).toEqual([name('h2')]);
    expect(prepared.live.map((d) => d.name)).toEqual([name('h1')]);
    prepared.release();
    await applyRelayDocs(records, new UnsyncedTracker(records), docs);
    expect(readHousehold(doc).visits.map((v) => v.id)).toEqual(['v1']);
    expect(await visitIds(records.db)).toEqual(['v1', 'v2']);
    expect(await records.db.updates.where('doc').equals(name('h1')).first()).not.toHaveProperty('format');
    await records.close();
  });

  it('shows a merged duplicate under its target even when the target comes in a later piece', async () => {
    const { initTeam, mergeHouseholds } = await import('@/docs/team-doc');
    const { teamDocName } = await import('@/docs/schema');
    const records = new LocalRecords({ dbName: 'merged' });
    await records.start('t1');
    await records.commit(teamDocName('t1'), (doc) => {
      initTeam(doc, { teamId: 't1', name: '一支部' });
      mergeHouseholds(doc, 'hb', 'ha', { memberId: 'lead', now: actor.now });
    });
    await records.settled();
    // Pieces in name order: the duplicate first, its target in the next piece.
    await applyRelayDocs(records, new UnsyncedTracker(records), [{ name: name('hb'), update: remoteHousehold('hb', ['vb']) }]);
    await applyRelayDocs(records, new UnsyncedTracker(records), [
      { name: name('ha'), update: remoteHousehold('ha', ['va']) },
      { name: name('hc'), update: remoteHousehold('hc', ['vc']) },
    ]);
    await records.settled();
    expect((await records.db.households.get('hb'))?.mergedInto).toBe('ha');
    expect((await records.db.households.get('ha'))?.visitCount).toBe(2);
    expect((await visitRows(records.db)).map((r) => [r.id, r.householdId, r.docHouseholdId])).toEqual([
      ['va', 'ha', 'ha'],
      ['vb', 'ha', 'hb'],
      ['vc', 'hc', 'hc'],
    ]);
    expect(await records.db.records.get('hb')).toBeUndefined();
    await records.close();
  });
});
