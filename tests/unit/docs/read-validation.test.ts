import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addRequest, addVisit, createHousehold, readHousehold, updateProfile } from '@/docs/household-doc';
import { initTeam, linkMembers, readTeam, upsertTeamMember } from '@/docs/team-doc';
import { checkWrite, HOUSEHOLD_DOC_LAYOUT, isPlainData, isSafeKey } from '@/domain/doc-layout';
import { parseHouseholdProfile } from '@/domain/household';
import { projectHousehold } from '@/domain/projection';

const by = { memberId: 'm1', deviceId: 'dev-test', now: '2025-03-01T08:00:00.000Z' };
const profile = { headName: '李大娘', phone: '13800000000', address: { area: '北山林场', village: '二道沟', street: '', house: '' }, tags: ['elderly_alone'], visitIntervalDays: 30 };

function household(): Y.Doc {
  const doc = new Y.Doc();
  createHousehold(doc, { id: 'h1', teamId: 't1', profile }, by);
  addVisit(doc, { id: 'v1', kind: 'home', visitorIds: ['m1'], visitedAt: by.now, observations: { housing: { level: 'fair', note: '漏雨' } }, said: '好', notes: '', photos: [] }, by);
  addRequest(doc, { id: 'r1', category: 'medical', description: '看病', ownerId: 'm1' }, by);
  return doc;
}

/** Apply what a crafted client would send: raw Yjs writes on a copy, merged back as an update. */
function craft(doc: Y.Doc, write: (copy: Y.Doc) => void): void {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  const sv = Y.encodeStateVector(copy);
  write(copy);
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(copy, sv));
}

describe('readers check what they read', () => {
  it('an honest file reads whole, with no flags', () => {
    const snap = readHousehold(household());
    expect(snap.household.invalid).toBeUndefined();
    expect(snap.household.invalidTags).toBeUndefined();
    expect(snap.visits[0]!.invalid).toBeUndefined();
    expect(snap.requests[0]!.invalid).toBeUndefined();
    expect(snap.household.headName).toBe('李大娘');
  });

  it('flags a head name that is a number and an area that is an object, instead of reading garbage', () => {
    const doc = household();
    craft(doc, (d) => {
      d.getMap('profile').set('headName', 42);
      d.getMap('profile').set('area', { evil: true });
    });
    const h = readHousehold(doc).household;
    expect(h.invalid).toEqual(['headName', 'area']);
    expect(h.address.area).toBe('');
    expect(h.address.village).toBe('二道沟');
  });

  it('flags a file whose head name is missing or blank', () => {
    const doc = household();
    craft(doc, (d) => d.getMap('profile').set('headName', '   '));
    expect(readHousehold(doc).household.invalid).toEqual(['headName']);
    craft(doc, (d) => d.getMap('profile').delete('headName'));
    expect(readHousehold(doc).household.invalid).toEqual(['headName']);
  });

  it('a tag named __proto__, constructor or prototype is kept apart and removed by the next save', () => {
    const doc = household();
    craft(doc, (d) => {
      for (const t of ['__proto__', 'constructor', 'prototype', 'ABC']) d.getMap('tags').set(t, true);
    });
    const h = readHousehold(doc).household;
    expect(h.tags).toEqual(['elderly_alone']);
    expect(h.invalidTags).toEqual(['ABC', '__proto__', 'constructor', 'prototype']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // The edit form saves the valid tags; the invalid ones go.
    updateProfile(doc, parseHouseholdProfile({ ...profile, tags: h.tags }), by);
    expect(readHousehold(doc).household.invalidTags).toBeUndefined();
    expect([...doc.getMap('tags').keys()]).toEqual(['elderly_alone']);
  });

  it('a form refuses reserved names as tags', () => {
    expect(() => parseHouseholdProfile({ ...profile, tags: ['__proto__'] })).toThrow();
    expect(() => parseHouseholdProfile({ ...profile, tags: ['constructor'] })).toThrow();
  });

  it('flags records of the wrong shape and keyed by a reserved name; observation keys never reach a prototype', () => {
    const doc = household();
    craft(doc, (d) => {
      const v = d.getMap('visits').get('v1') as Y.Map<unknown>;
      v.set('kind', 'teleport');
      v.set('visitedAt', 12);
      v.set('obs.__proto__', { polluted: true });
      v.set('review', { status: 'reviewed', comment: 1, by: 'm2', at: by.now });
      const evil = new Y.Map<unknown>();
      d.getMap('visits').set('__proto__', evil);
      evil.set('kind', 'home');
      evil.set('visitedAt', by.now);
      const r = d.getMap('requests').get('r1') as Y.Map<unknown>;
      (r.get('actions') as Y.Map<unknown>).set('a1', { id: 'a1', at: 'yesterday', by: 'm1', kind: 'note', text: 'x' });
      r.set('status', { open: true });
    });
    const snap = readHousehold(doc);
    const v1 = snap.visits.find((v) => v.id === 'v1')!;
    expect(v1.invalid).toEqual(['kind', 'visitedAt', 'review']);
    expect(v1.kind).toBe('home');
    expect(v1.review).toBeUndefined();
    expect(Object.getPrototypeOf(v1.observations)).toBe(Object.prototype);
    expect(Object.keys(v1.observations)).toEqual(['housing']);
    expect(snap.visits.find((v) => v.id === '__proto__')!.invalid).toEqual(['id']);
    const r1 = snap.requests[0]!;
    expect(r1.invalid).toEqual(['status', 'actions']);
    expect(r1.status).toBe('open');
    expect(r1.actions).toEqual([]);
  });

  it('rows derive from a flagged file without throwing, flagged, the records kept', () => {
    const doc = household();
    craft(doc, (d) => {
      d.getMap('profile').set('headName', 42);
      (d.getMap('visits').get('v1') as Y.Map<unknown>).set('visitedAt', { t: 1 });
      (d.getMap('requests').get('r1') as Y.Map<unknown>).set('createdAt', 5);
    });
    const rows = projectHousehold(readHousehold(doc), { docVersion: '1', linkedMemberIds: ['m1'], requestDueDays: 15 });
    expect(rows.household.flagged).toBe(1);
    // a visit without a valid time has no row (as before); the file still lists it, flagged
    expect(rows.visits).toHaveLength(0);
    expect(rows.requests).toHaveLength(1);
    expect(projectHousehold(readHousehold(household()), { docVersion: '1', linkedMemberIds: [], requestDueDays: 15 }).household.flagged).toBeUndefined();
  });

  it('team: members of the wrong shape are flagged; bad assignment, merge and tag keys are left out', () => {
    const doc = new Y.Doc();
    initTeam(doc, { teamId: 't1', name: '一支部' });
    upsertTeamMember(doc, { id: 'm1', name: '王书记', role: 'lead', joinedAt: by.now });
    linkMembers(doc, 'h1', ['m1'], by);
    craft(doc, (d) => {
      const m = new Y.Map<unknown>();
      d.getMap('members').set('m2', m);
      m.set('name', 7);
      m.set('role', 'admin');
      const links = new Y.Map<unknown>();
      d.getMap('assignments').set('constructor', links);
      links.set('m1', { at: by.now, by: 'm1' });
      d.getMap('merges').set('h2', { into: { h: 1 }, at: by.now, by: 'm1' });
      d.getMap('tags').set('__proto__', 'x');
      d.getMap('settings').set('dueSoonDays', 'soon');
    });
    const team = readTeam(doc);
    expect(team.members.find((m) => m.id === 'm2')).toMatchObject({ name: '', role: 'member', invalid: ['name', 'role'] });
    expect(team.members.find((m) => m.id === 'm1')!.invalid).toBeUndefined();
    expect([...team.assignments.keys()]).toEqual(['h1']);
    expect(team.merges.size).toBe(0);
    expect(team.tags).toEqual([]);
    expect(team.settings.dueSoonDays).toBe(7);
  });
});

describe('key safety', () => {
  it('reserved keys are never valid record or tag keys', () => {
    for (const k of ['__proto__', 'constructor', 'prototype']) {
      expect(isSafeKey(k)).toBe(false);
      expect(checkWrite(HOUSEHOLD_DOC_LAYOUT.visits!, k, { kind: 'map' })).toBeDefined();
      expect(checkWrite(HOUSEHOLD_DOC_LAYOUT.tags!, k, { kind: 'value', value: true })).toBeDefined();
    }
    expect(checkWrite(HOUSEHOLD_DOC_LAYOUT.visits!, 'v-1', { kind: 'map' })).toBeUndefined();
  });

  it('plain data has no foreign prototype, no reserved keys, no non-finite numbers', () => {
    expect(isPlainData({ a: [1, 'x', null, { b: true }] })).toBe(true);
    expect(isPlainData(JSON.parse('{"__proto__": {"x": 1}}'))).toBe(false);
    expect(isPlainData(Object.create({ x: 1 }))).toBe(false);
    expect(isPlainData(Number.NaN)).toBe(false);
    expect(isPlainData(new Uint8Array(2))).toBe(false);
  });
});
