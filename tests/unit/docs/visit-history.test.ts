import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addRating, addVisit, createHousehold, readHistory, readHousehold, restoreVisit, reviewVisit, updateProfile, updateVisit, withdrawVisit, type NewVisit } from '@/docs/household-doc';
import { concurrentEdits } from '@/domain/history';
import { projectHousehold } from '@/domain/projection';

const a = { memberId: 'm1', deviceId: 'dev-a', now: '2026-03-01T08:00:00.000Z' };
const b = { memberId: 'm2', deviceId: 'dev-b', now: '2026-03-02T08:00:00.000Z' };
const profile = { headName: '李大娘', phone: '', address: { area: '北山林场', village: '', street: '', house: '' }, tags: [], visitIntervalDays: 30 };
const sha = (c: string) => c.repeat(64);
const visit = (over: Partial<NewVisit> = {}): NewVisit => ({ id: 'v1', kind: 'home', visitorIds: ['m1'], visitedAt: '2026-02-28T09:00:00.000Z', observations: { health: { level: 'good', note: '' } }, said: '身体还行', notes: '', photos: [{ sha256: sha('a'), mime: 'image/jpeg', size: 10 }], ...over });

function household(): Y.Doc {
  const doc = new Y.Doc();
  createHousehold(doc, { id: 'h1', teamId: 't1', profile }, a);
  addVisit(doc, visit(), a);
  return doc;
}
const rows = (doc: Y.Doc) => projectHousehold(readHousehold(doc), { docVersion: 'x', linkedMemberIds: [], requestDueDays: 30 });

describe('correcting a visit', () => {
  it('changes every field it is given, removes and adds photos, and records before → after with member and device', () => {
    const doc = household();
    updateVisit(doc, visit({ said: '腿脚不便', observations: { health: { level: 'concern', note: '腿疼' } }, photos: [{ sha256: sha('b'), mime: 'image/jpeg', size: 12 }] }), b);
    const v = readHousehold(doc).visits[0]!;
    expect(v.said).toBe('腿脚不便');
    expect(v.photos.map((p) => p.sha256)).toEqual([sha('b')]);
    const edit = readHistory(doc).entries.find((e) => e.action === 'edited')!;
    expect(edit).toMatchObject({ by: 'm2', device: 'dev-b', at: b.now, record: 'visit', recordId: 'v1' });
    expect(edit.changes).toEqual([
      { field: 'obs.health', before: { level: 'good', note: '' }, after: { level: 'concern', note: '腿疼' } },
      { field: 'said', before: '身体还行', after: '腿脚不便' },
      { field: 'photos', before: [sha('a')], after: [sha('b')] },
    ]);
  });

  it('appends nothing when nothing changed', () => {
    const doc = household();
    const before = readHistory(doc).entries.length;
    updateVisit(doc, visit(), b);
    expect(readHistory(doc).entries).toHaveLength(before);
  });

  it('stamps correctedAt when the lead asked for a correction, and the row carries it with the comment', () => {
    const doc = household();
    reviewVisit(doc, 'v1', { status: 'needs_correction', comment: '时间写错了', by: 'lead', at: a.now });
    expect(rows(doc).visits[0]).toMatchObject({ reviewStatus: 'needs_correction', reviewComment: '时间写错了' });
    expect(rows(doc).visits[0]!.correctedAt).toBeUndefined();
    updateVisit(doc, visit({ visitedAt: '2026-02-27T09:00:00.000Z' }), a);
    expect(rows(doc).visits[0]).toMatchObject({ correctedAt: a.now, visitedAt: '2026-02-27T09:00:00.000Z' });
  });
});

describe('withdrawing a visit', () => {
  it('keeps the visit in the file with its reason but counts it nowhere, nor the rating given in it', () => {
    const doc = household();
    addRating(doc, { id: 'r1', subjectKind: 'visit', subjectId: 'v1', memberId: 'm1', level: 'satisfied', comment: '', recordedAt: a.now, recordedBy: 'm1' });
    expect(rows(doc)).toMatchObject({ household: { visitCount: 1 }, visits: [{ id: 'v1' }], ratings: [{ id: 'r1' }] });
    withdrawVisit(doc, 'v1', '记到了别的户上', b);
    expect(readHousehold(doc).visits[0]!.withdrawn).toEqual({ at: b.now, by: 'm2', reason: '记到了别的户上' });
    const r = rows(doc);
    expect(r.household.visitCount).toBe(0);
    expect(r.household.lastVisitAt).toBeUndefined();
    expect(r.visits).toEqual([]);
    expect(r.ratings).toEqual([]);
    expect(readHistory(doc).entries.at(-1)).toMatchObject({ action: 'withdrawn', reason: '记到了别的户上', by: 'm2', device: 'dev-b' });
    restoreVisit(doc, 'v1', { ...a, now: '2026-03-03T08:00:00.000Z' });
    expect(rows(doc).household.visitCount).toBe(1);
    expect(readHistory(doc).entries.map((e) => e.action)).toEqual(['added', 'added', 'withdrawn', 'restored']);
  });
});

describe('the history as a reader sees it', () => {
  it('leaves out an entry of the wrong shape and says the history is damaged', () => {
    const doc = household();
    doc.getMap('history').set('bad', { at: 'yesterday', by: 'm1', device: 'd', record: 'visit', action: 'edited' });
    const h = readHistory(doc);
    expect(h.damaged).toBe(true);
    expect(h.entries.every((e) => e.id !== 'bad')).toBe(true);
    expect(h.entries).toHaveLength(2);
  });

  it('shows which of two offline interval edits the merge kept, and whose it was', () => {
    const base = new Y.Doc();
    createHousehold(base, { id: 'h1', teamId: 't1', profile }, a);
    const one = new Y.Doc();
    const two = new Y.Doc();
    Y.applyUpdate(one, Y.encodeStateAsUpdate(base));
    Y.applyUpdate(two, Y.encodeStateAsUpdate(base));
    updateProfile(one, { ...profile, visitIntervalDays: 14 }, a);
    updateProfile(two, { ...profile, visitIntervalDays: 60 }, b);
    Y.applyUpdate(one, Y.encodeStateAsUpdate(two));
    Y.applyUpdate(two, Y.encodeStateAsUpdate(one));
    const kept = readHousehold(one).household.visitIntervalDays;
    expect(readHousehold(two).household.visitIntervalDays).toBe(kept);
    const conflicts = concurrentEdits(readHistory(one).entries, (_r, _id, field) => (field === 'visitIntervalDays' ? kept : undefined));
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({ field: 'visitIntervalDays', before: 30 });
    const winner = conflicts[0]!.edits.find((e) => e.kept)!;
    expect(winner.after).toBe(kept);
    expect(winner.entry.by).toBe(kept === 14 ? 'm1' : 'm2');
    expect(conflicts[0]!.edits.filter((e) => !e.kept)).toHaveLength(1);
  });
});
