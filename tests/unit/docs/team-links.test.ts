import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { checkRecords } from '../../../sync-server/src/validation/record-check';
import { initTeam, linkedMembers, linkMembers, memberLeaves, mergeHouseholds, readTeam, unlinkMembers, upsertTeamMember } from '@/docs/team-doc';

/** The team doc's links (ADR 0021): flat entries, read together with the per-household maps older apps wrote. */

const lead = (now: string) => ({ memberId: 'lead', now });
const T1 = '2026-02-01T09:00:00.000Z';
const T2 = '2026-03-01T09:00:00.000Z';
const T3 = '2026-04-01T09:00:00.000Z';

function team(): Y.Doc {
  const doc = new Y.Doc();
  doc.transact(() => {
    initTeam(doc, { teamId: 't', name: '东山班组' });
    upsertTeamMember(doc, { id: 'lead', name: '赵书记', role: 'lead', joinedAt: T1 });
    for (const m of ['ma', 'mb', 'mc']) upsertTeamMember(doc, { id: m, name: m, role: 'member', joinedAt: T1 });
  });
  return doc;
}

/** A copy of `doc`, as a second lead device that then goes offline holds it. */
function copy(doc: Y.Doc): Y.Doc {
  const d = new Y.Doc();
  Y.applyUpdate(d, Y.encodeStateAsUpdate(doc));
  return d;
}

function syncBoth(a: Y.Doc, b: Y.Doc): void {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
}

/** Links the way apps before ADR 0021 wrote them: a map per household in `assignments`. */
function oldLink(doc: Y.Doc, householdId: string, memberId: string, at: string): void {
  doc.transact(() => {
    const assignments = doc.getMap<Y.Map<unknown>>('assignments');
    let links = assignments.get(householdId);
    if (!links) assignments.set(householdId, (links = new Y.Map()));
    links.set(memberId, { at, by: 'lead' });
  });
}

const links = (doc: Y.Doc) => Object.fromEntries(readTeam(doc).assignments);

describe('links written by this app', () => {
  it('are flat entries naming their household and member; no per-household map is made', () => {
    const doc = team();
    linkMembers(doc, 'h1', ['ma', 'mb'], lead(T1));
    expect(doc.getMap('assignments').size).toBe(0);
    const entries = [...doc.getMap('links').values()];
    expect(entries).toEqual(expect.arrayContaining([{ householdId: 'h1', memberId: 'ma', at: T1, by: 'lead' }, { householdId: 'h1', memberId: 'mb', at: T1, by: 'lead' }]));
    expect(entries).toHaveLength(2);
    expect(links(doc)).toEqual({ h1: ['ma', 'mb'] });
    expect(readTeam(doc).assignmentHistory.get('h1')).toEqual({ links: { ma: T1, mb: T1 }, ended: [] });
  });

  it('linking a member already linked writes nothing and keeps when the link was made', () => {
    const doc = team();
    linkMembers(doc, 'h1', ['ma'], lead(T1));
    const before = Y.encodeStateVector(doc);
    linkMembers(doc, 'h1', ['ma'], lead(T2));
    expect(Y.encodeStateVector(doc)).toEqual(before);
    expect(readTeam(doc).assignmentHistory.get('h1')!.links).toEqual({ ma: T1 });
  });

  it('keeps both links when two offline lead devices link members to a household neither had seen assigned', () => {
    const one = team();
    const two = copy(one);
    linkMembers(one, 'h1', ['ma'], lead(T1));
    linkMembers(two, 'h1', ['mb'], lead(T2));
    syncBoth(one, two);
    for (const d of [one, two]) expect(links(d)).toEqual({ h1: ['ma', 'mb'] });
  });

  it('reads the same link written on two devices once, from the earlier time; an unlink that saw both ends it', () => {
    const one = team();
    const two = copy(one);
    linkMembers(one, 'h1', ['ma'], lead(T2));
    linkMembers(two, 'h1', ['ma'], lead(T1));
    syncBoth(one, two);
    expect(readTeam(one).assignmentHistory.get('h1')!.links).toEqual({ ma: T1 });
    unlinkMembers(one, 'h1', ['ma'], lead(T3));
    syncBoth(one, two);
    for (const d of [one, two]) {
      expect(links(d)).toEqual({});
      expect(readTeam(d).assignmentHistory.get('h1')).toEqual({ links: {}, ended: [{ memberId: 'ma', from: T1, to: T3, by: 'lead' }] });
    }
  });

  it('a link written on a device the unlinking device had not heard from stays', () => {
    const one = team();
    linkMembers(one, 'h1', ['ma'], lead(T1));
    const two = copy(one);
    unlinkMembers(one, 'h1', ['ma'], lead(T2));
    // The second device, offline, hands the household over and back: its link is a new one.
    unlinkMembers(two, 'h1', ['ma'], lead(T2));
    linkMembers(two, 'h1', ['ma'], lead(T3));
    syncBoth(one, two);
    for (const d of [one, two]) expect(readTeam(d).assignmentHistory.get('h1')!.links).toEqual({ ma: T3 });
  });

  it('a member leaving hands every household to the successor; a merge moves the links to the file kept', () => {
    const doc = team();
    linkMembers(doc, 'h1', ['ma'], lead(T1));
    linkMembers(doc, 'h2', ['ma', 'mb'], lead(T1));
    expect(memberLeaves(doc, 'ma', 'mc', lead(T2))).toBe(2);
    expect(links(doc)).toEqual({ h1: ['mc'], h2: ['mb', 'mc'] });
    mergeHouseholds(doc, 'h1', 'h3', lead(T3));
    expect(links(doc)).toEqual({ h1: ['mc'], h2: ['mb', 'mc'], h3: ['mc'] });
    expect(linkedMembers(doc, 'h3')).toEqual(['mc']);
  });
});

describe('links an older app wrote (per-household maps in `assignments`)', () => {
  it('are read, together with new links of the same household', () => {
    const doc = team();
    oldLink(doc, 'h1', 'ma', T1);
    linkMembers(doc, 'h1', ['mb'], lead(T2));
    expect(links(doc)).toEqual({ h1: ['ma', 'mb'] });
    expect(readTeam(doc).assignmentHistory.get('h1')!.links).toEqual({ ma: T1, mb: T2 });
    expect(linkedMembers(doc, 'h1')).toEqual(['ma', 'mb']);
    // the new link went into `links`: the old map still holds only what the old app wrote
    expect([...(doc.getMap('assignments').get('h1') as Y.Map<unknown>).keys()]).toEqual(['ma']);
  });

  it('an old link is not written again, and unlinking it deletes it where it lives, with its time in the history', () => {
    const doc = team();
    oldLink(doc, 'h1', 'ma', T1);
    linkMembers(doc, 'h1', ['ma'], lead(T2));
    expect(doc.getMap('links').size).toBe(0);
    unlinkMembers(doc, 'h1', ['ma'], lead(T3));
    expect((doc.getMap('assignments').get('h1') as Y.Map<unknown>).size).toBe(0);
    expect(readTeam(doc).assignmentHistory.get('h1')).toEqual({ links: {}, ended: [{ memberId: 'ma', from: T1, to: T3, by: 'lead' }] });
  });

  it('an old household entry with nobody in it still counts as assigned', () => {
    const doc = team();
    doc.getMap('assignments').set('h1', new Y.Map());
    expect(readTeam(doc).assignmentHistory.get('h1')).toEqual({ links: {}, ended: [] });
    // so a leaving member's registrations skip it: the lead assigned it (to nobody)
    expect(memberLeaves(doc, 'ma', 'mb', lead(T2), ['h1'])).toBe(0);
  });

  it('a member leaving moves old and new links alike; a merge moves both', () => {
    const doc = team();
    oldLink(doc, 'h1', 'ma', T1);
    linkMembers(doc, 'h2', ['ma'], lead(T1));
    oldLink(doc, 'h3', 'mb', T1);
    expect(memberLeaves(doc, 'ma', 'mc', lead(T2))).toBe(2);
    expect(links(doc)).toEqual({ h1: ['mc'], h2: ['mc'], h3: ['mb'] });
    mergeHouseholds(doc, 'h3', 'h1', lead(T3));
    expect(links(doc)).toEqual({ h1: ['mb', 'mc'], h2: ['mc'], h3: ['mb'] });
    expect(doc.getMap('assignments').has('h2')).toBe(false);
  });

  it('an old link unlinked on one device and linked anew on another offline: the new link stays', () => {
    const one = team();
    oldLink(one, 'h1', 'ma', T1);
    const two = copy(one);
    unlinkMembers(one, 'h1', ['ma'], lead(T2));
    unlinkMembers(two, 'h1', ['ma'], lead(T2));
    linkMembers(two, 'h1', ['ma', 'mb'], lead(T3));
    syncBoth(one, two);
    for (const d of [one, two]) expect(readTeam(d).assignmentHistory.get('h1')!.links).toEqual({ ma: T3, mb: T3 });
  });
});

describe('the stored layout of links', () => {
  const updateFrom = (doc: Y.Doc, write: (d: Y.Doc) => void) => {
    const d = copy(doc);
    const sv = Y.encodeStateVector(d);
    write(d);
    return Y.encodeStateAsUpdate(d, sv);
  };

  it('the relay passes links the app writes and refuses one with a wrong type or a bad key', () => {
    const doc = team();
    expect(checkRecords('team', doc, updateFrom(doc, (d) => linkMembers(d, 'h1', ['ma'], lead(T1))))).toMatchObject({ ok: true });
    expect(checkRecords('team', doc, updateFrom(doc, (d) => d.getMap('links').set('k1', { householdId: 'h1', memberId: 7, at: T1, by: 'lead' })))).toMatchObject({ ok: false });
    expect(checkRecords('team', doc, updateFrom(doc, (d) => d.getMap('links').set('__proto__', { householdId: 'h1', memberId: 'ma', at: T1, by: 'lead' })))).toMatchObject({ ok: false });
    expect(checkRecords('team', doc, updateFrom(doc, (d) => d.getMap('links').set('k2', new Y.Map())))).toMatchObject({ ok: false });
    // an older app's write still passes: its devices keep syncing until they update
    expect(checkRecords('team', doc, updateFrom(doc, (d) => oldLink(d, 'h1', 'ma', T1)))).toMatchObject({ ok: true });
  });

  it('readers leave out a link that breaks the layout (a doc written before the relay checked)', () => {
    const doc = team();
    doc.getMap('links').set('k1', { householdId: 'h1', memberId: 'ma', at: 'yesterday', by: 'lead' });
    doc.getMap('links').set('k2', { householdId: '__proto__', memberId: 'ma', at: T1, by: 'lead' });
    expect(links(doc)).toEqual({});
    // and the writers do not take it for a link: linking writes a whole one
    linkMembers(doc, 'h1', ['ma'], lead(T2));
    expect(links(doc)).toEqual({ h1: ['ma'] });
  });
});
