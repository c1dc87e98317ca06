import Dexie from 'dexie';
import { describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { IndexeddbPersistence } from 'y-indexeddb';
import { LianhuDb, SCHEMA_V1 } from '@/db/database';
import { LocalRecords } from '@/db/local-records';
import { addVisit, createHousehold, readHousehold } from '@/docs/household-doc';
import { householdDocName, teamDocName } from '@/docs/schema';
import { initTeam, linkMembers, readTeam } from '@/docs/team-doc';
import { actor, profile, visit } from './fixtures';
import { visitCount } from '../helpers/rows';
import { complaint as rowComplaint, rating as rowRating, visit as rowVisit } from '../lead/rows';

/**
 * A device as the previous release (0.1) left it: each doc in its own y-indexeddb database
 * `lianhu-doc:<name>` — written by y-indexeddb itself, as that release's DocPersistence
 * (a subclass adding strict writes) did, one stored update per save — and the Dexie database
 * at schema version 1 with its `pending` marks.
 */
async function legacyDoc(name: string, edits: ((doc: Y.Doc) => void)[]): Promise<Uint8Array> {
  const doc = new Y.Doc();
  const persistence = new IndexeddbPersistence(`lianhu-doc:${name}`, doc);
  await persistence.whenSynced;
  for (const edit of edits) edit(doc);
  // y-indexeddb writes each update in a transaction of its own; closing waits for them.
  await persistence.destroy();
  const state = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return state;
}

async function legacyRows(rows: { name: string; householdId?: string; unsynced: 0 | 1 }[]): Promise<void> {
  const db = new Dexie('lianhu');
  db.version(1).stores(SCHEMA_V1);
  await db.table('docs').bulkPut(rows.map((r) => ({ ...r, kind: r.householdId ? 'household' : 'team', pending: 0, updatedAt: '' })));
  db.close();
}

const TEAM = teamDocName('t1');
const H = (id: string) => householdDocName('t1', id);

async function oldRelease(households: string[]) {
  const states = new Map<string, Uint8Array>();
  states.set(
    TEAM,
    await legacyDoc(TEAM, [(doc) => initTeam(doc, { teamId: 't1', name: '一支部' }), (doc) => linkMembers(doc, households[0]!, ['m1'], actor)]),
  );
  for (const id of households) {
    states.set(
      H(id),
      await legacyDoc(H(id), [
        (doc) => createHousehold(doc, { id, teamId: 't1', profile: profile({ headName: `户主${id}` }) }, actor),
        (doc) => addVisit(doc, visit(`${id}-v1`), actor),
        (doc) => addVisit(doc, visit(`${id}-v2`, { visitedAt: '2026-05-02T09:00:00.000Z' }), actor),
      ]),
    );
  }
  await legacyRows([{ name: TEAM, unsynced: 0 }, ...households.map((id, i) => ({ name: H(id), householdId: id, unsynced: (i === 0 ? 1 : 0) as 0 | 1 }))]);
  return states;
}

async function databaseNames(): Promise<string[]> {
  return (await indexedDB.databases()).map((d) => d.name ?? '').sort();
}

function sameVector(doc: Y.Doc, state: Uint8Array): boolean {
  return Buffer.from(Y.encodeStateVector(doc)).equals(Buffer.from(Y.encodeStateVectorFromUpdate(state)));
}

describe('upgrade from the per-doc databases of the previous release', () => {
  it('moves every doc into the one database, with nothing lost, and deletes the old databases', async () => {
    const states = await oldRelease(['h1', 'h2', 'h3']);
    expect(await databaseNames()).toEqual(['lianhu', `lianhu-doc:${H('h1')}`, `lianhu-doc:${H('h2')}`, `lianhu-doc:${H('h3')}`, `lianhu-doc:${TEAM}`]);

    const records = new LocalRecords();
    await records.start('t1');
    expect(await databaseNames()).toEqual(['lianhu']);
    for (const [name, state] of states) expect(sameVector(await records.doc(name), state), name).toBe(true);
    expect(readHousehold(await records.doc(H('h2'))).visits.map((v) => v.id)).toEqual(['h2-v1', 'h2-v2']);
    expect(readTeam(await records.doc(TEAM)).name).toBe('一支部');
    // Rows derived from the moved docs, the team's links applied, the unsynced mark kept.
    expect((await records.db.households.get('h1'))).toMatchObject({ headName: '户主h1', visitCount: 2, linkedMemberIds: ['m1'] });
    expect(await visitCount(records.db)).toBe(6);
    expect((await records.db.docs.get(H('h1')))?.unsynced).toBe(1);
    expect((await records.db.docs.get(H('h2')))?.unsynced).toBe(0);
    await records.close();

    // Later starts find nothing to move, and the docs come from the new store.
    const again = new LocalRecords();
    await again.start('t1');
    expect(readHousehold(await again.doc(H('h3'))).visits).toHaveLength(2);
    await again.close();
  });

  it('resumes after a crash in the middle, losing nothing', async () => {
    const states = await oldRelease(['h1', 'h2']);
    const crashing = new LocalRecords();
    const persist = crashing.projector.persist.bind(crashing.projector);
    let calls = 0;
    // The team doc moves, then the process dies while writing the households.
    vi.spyOn(crashing.projector, 'persist').mockImplementation((...args) => (++calls === 2 ? Promise.reject(new Error('power cut')) : persist(...args)));
    await expect(crashing.start('t1')).rejects.toThrow('power cut');
    expect(await databaseNames()).toEqual(['lianhu', `lianhu-doc:${H('h1')}`, `lianhu-doc:${H('h2')}`]);
    vi.restoreAllMocks();
    await crashing.close();

    const after = new LocalRecords();
    await after.start('t1');
    expect(await databaseNames()).toEqual(['lianhu']);
    for (const [name, state] of states) expect(sameVector(await after.doc(name), state), name).toBe(true);
    expect(await visitCount(after.db)).toBe(4);
    await after.close();
  });

  it('keeps a legacy database whose content did not arrive whole', async () => {
    await oldRelease(['h1']);
    const records = new LocalRecords();
    // The write "succeeds" but stores nothing: the check must refuse to delete the source.
    vi.spyOn(records.projector, 'persist').mockResolvedValue();
    await expect(records.start('t1')).rejects.toThrow(/did not arrive whole/);
    expect(await databaseNames()).toContain(`lianhu-doc:${TEAM}`);
    vi.restoreAllMocks();
    await records.close();
  });

  it("packs schema 1's visit, rating and complaint rows per household, and drops their tables", async () => {
    const old = new Dexie('lianhu');
    old.version(1).stores(SCHEMA_V1);
    await old.table('visits').bulkPut([rowVisit('v1', 'h1', '2026-02-03T09:00:00'), rowVisit('v2', 'h1', '2026-03-03T09:00:00'), rowVisit('v3', 'h2', '2026-03-04T09:00:00')]);
    await old.table('ratings').bulkPut([rowRating('r1', 'h2', '2026-03-04T10:00:00', 'satisfied')]);
    await old.table('complaints').bulkPut([rowComplaint('c1', 'h3', '2026-03-05T10:00:00')]);
    old.close();

    const db = new LianhuDb();
    await db.open();
    expect(db.tables.map((t) => t.name).sort()).not.toContain('visits');
    const packed = await db.records.toArray();
    expect(packed.map((p) => [p.id, p.visits.map((v) => v.id), p.ratings.map((r) => r.id), p.complaints.map((c) => c.id)])).toEqual([
      ['h1', ['v1', 'v2'], [], []],
      ['h2', ['v3'], ['r1'], []],
      ['h3', [], [], ['c1']],
    ]);
    db.close();
  });
});

