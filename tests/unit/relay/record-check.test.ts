import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { checkRecords } from '../../../sync-server/src/validation/record-check';
import { addRequest, addVisit, createHousehold, reviewVisit, setRequestStatus, updateProfile, updateVisit, withdrawVisit } from '@/docs/household-doc';
import { initTeam, linkMembers, mergeHouseholds, setCustomTag, unlinkMembers, upsertTeamMember } from '@/docs/team-doc';

const by = { memberId: 'm1', deviceId: 'dev-test', now: '2025-03-01T08:00:00.000Z' };
const profile = { headName: '李大娘', phone: '13800000000', address: { area: '北山林场', village: '二道沟', street: '', house: '' }, tags: ['elderly_alone'], visitIntervalDays: 30 };

function relayDoc(): Y.Doc {
  const doc = new Y.Doc();
  createHousehold(doc, { id: 'h1', teamId: 't1', profile }, by);
  addVisit(doc, { id: 'v1', kind: 'home', visitorIds: ['m1'], visitedAt: by.now, observations: {}, said: '', notes: '', photos: [] }, by);
  addRequest(doc, { id: 'r1', category: 'medical', description: '看病', ownerId: 'm1' }, by);
  return doc;
}

/** The update a device sends after `write` on its copy of the relay's doc. */
function updateFrom(relay: Y.Doc, write: (d: Y.Doc) => void): Uint8Array {
  const d = new Y.Doc();
  Y.applyUpdate(d, Y.encodeStateAsUpdate(relay));
  const sv = Y.encodeStateVector(d);
  write(d);
  return Y.encodeStateAsUpdate(d, sv);
}

const check = (doc: Y.Doc, u: Uint8Array, kind: 'household' | 'team' = 'household') => checkRecords(kind, doc, u);

describe('relay record check', () => {
  it('passes what the app writes: a new file, profile edits (replacements), visits, reviews, status changes', () => {
    const empty = new Y.Doc();
    expect(check(empty, Y.encodeStateAsUpdate(relayDoc())).ok).toBe(true);
    const doc = relayDoc();
    const u = updateFrom(doc, (d) => {
      updateProfile(d, { ...profile, headName: '李秀英', tags: ['disabled'], gps: { lat: 45, lng: 126, accuracy: 10, capturedAt: by.now } }, by);
      reviewVisit(d, 'v1', { status: 'reviewed', comment: '好', by: 'm2', at: by.now });
      setRequestStatus(d, 'r1', { status: 'explained', explanation: '已说明' }, { id: 'a1', at: by.now, by: 'm1', kind: 'status', text: '', status: 'explained' });
      d.getText('notes').insert(0, '备注');
    });
    expect(check(doc, u)).toMatchObject({ ok: true });
  });

  it('refuses a replaced value of the wrong type (the key comes from the struct store, not the update)', () => {
    const doc = relayDoc();
    expect(check(doc, updateFrom(doc, (d) => d.getMap('profile').set('headName', 42)))).toMatchObject({ ok: false });
    expect(check(doc, updateFrom(doc, (d) => d.getMap('profile').set('area', { evil: true })))).toMatchObject({ ok: false });
    expect(check(doc, updateFrom(doc, (d) => (d.getMap('visits').get('v1') as Y.Map<unknown>).set('visitedAt', 7)))).toMatchObject({ ok: false });
    expect(check(doc, updateFrom(doc, (d) => d.getMap('profile').set('headName', new Y.Map())))).toMatchObject({ ok: false });
  });

  it('refuses reserved keys as tags and records, plain values where a record belongs, bad values in nested records', () => {
    const doc = relayDoc();
    expect(check(doc, updateFrom(doc, (d) => d.getMap('tags').set('__proto__', true)))).toMatchObject({ ok: false });
    expect(check(doc, updateFrom(doc, (d) => d.getMap('visits').set('constructor', new Y.Map())))).toMatchObject({ ok: false });
    expect(check(doc, updateFrom(doc, (d) => d.getMap('visits').set('v2', { kind: 'home' })))).toMatchObject({ ok: false });
    expect(check(doc, updateFrom(doc, (d) => ((d.getMap('requests').get('r1') as Y.Map<unknown>).get('actions') as Y.Map<unknown>).set('a9', { id: 'a9', at: 'now', by: 'm1', kind: 'note', text: '' })))).toMatchObject({ ok: false });
    // a new record and its bad field in one update: the parent is an item of the update itself
    expect(
      check(
        doc,
        updateFrom(doc, (d) => {
          const v = new Y.Map<unknown>();
          d.getMap('visits').set('v3', v);
          v.set('kind', 'teleport');
        }),
      ),
    ).toMatchObject({ ok: false });
    // an object whose own key is __proto__ (lib0 decodes it onto the prototype)
    const enc = updateFrom(doc, (d) => (d.getMap('visits').get('v1') as Y.Map<unknown>).set('obs.health', JSON.parse('{"note":"x","__proto__":{"level":"urgent"}}')));
    expect(check(doc, enc)).toMatchObject({ ok: false });
  });

  it('team doc: what leads write passes; a bad link key, member name or merge target is refused', () => {
    const doc = new Y.Doc();
    initTeam(doc, { teamId: 't1', name: '一支部' });
    upsertTeamMember(doc, { id: 'm1', name: '王书记', role: 'lead', joinedAt: by.now });
    const honest = updateFrom(doc, (d) => {
      linkMembers(d, 'h1', ['m1', 'm2'], by);
      mergeHouseholds(d, 'h2', 'h1', by);
      setCustomTag(d, { key: '林区', label: '林区户' });
      upsertTeamMember(d, { id: 'm2', name: '张三', role: 'member', joinedAt: by.now });
    });
    expect(check(doc, honest, 'team')).toMatchObject({ ok: true });
    Y.applyUpdate(doc, honest);
    expect(check(doc, updateFrom(doc, (d) => linkMembers(d, 'h1', ['__proto__'], by)), 'team')).toMatchObject({ ok: false });
    expect(check(doc, updateFrom(doc, (d) => (d.getMap('members').get('m2') as Y.Map<unknown>).set('name', 5)), 'team')).toMatchObject({ ok: false });
    expect(check(doc, updateFrom(doc, (d) => d.getMap('merges').set('h3', { into: 1, at: by.now, by: 'm1' })), 'team')).toMatchObject({ ok: false });
  });

  it('refuses an update whose items hang on items the relay does not hold', () => {
    const doc = relayDoc();
    const d = new Y.Doc();
    Y.applyUpdate(d, Y.encodeStateAsUpdate(doc));
    const sv1 = Y.encodeStateVector(d);
    d.getMap('profile').set('headName', '甲');
    const sv2 = Y.encodeStateVector(d);
    d.getMap('profile').set('headName', 99);
    // only the second write, whose origin (the first write) the relay never saw
    expect(check(doc, Y.encodeStateAsUpdate(d, sv2))).toMatchObject({ ok: false });
    expect(check(doc, Y.encodeStateAsUpdate(d, sv1))).toMatchObject({ ok: false });
  });

  it('household history: corrections and withdrawals pass; an entry of a bad shape or a rewritten entry is refused', () => {
    const doc = relayDoc();
    const honest = updateFrom(doc, (d) => {
      updateVisit(d, { id: 'v1', kind: 'phone', visitorIds: ['m1'], visitedAt: by.now, observations: { health: { level: 'concern', note: '腿疼' } }, said: '改了', notes: '', photos: [] }, by);
      withdrawVisit(d, 'v1', '记错了户', by);
    });
    expect(check(doc, honest)).toMatchObject({ ok: true });
    Y.applyUpdate(doc, honest);
    const entry = { at: by.now, by: 'm1', device: 'dev-test', record: 'visit', recordId: 'v1', action: 'edited', changes: [{ field: 'said', before: 'a', after: 'b' }] };
    expect(check(doc, updateFrom(doc, (d) => d.getMap('history').set('e-new', entry)))).toMatchObject({ ok: true });
    expect(check(doc, updateFrom(doc, (d) => d.getMap('history').set('e-new', { ...entry, by: 42 })))).toMatchObject({ ok: false });
    expect(check(doc, updateFrom(doc, (d) => d.getMap('history').set('e-new', { ...entry, action: 'erased' })))).toMatchObject({ ok: false });
    expect(check(doc, updateFrom(doc, (d) => d.getMap('history').set('e-new', { ...entry, changes: [{ field: 'said/../x', after: 1 }] })))).toMatchObject({ ok: false });
    expect(check(doc, updateFrom(doc, (d) => d.getMap('history').set('__proto__', entry)))).toMatchObject({ ok: false });
    expect(check(doc, updateFrom(doc, (d) => d.getMap('history').set('e-map', new Y.Map())))).toMatchObject({ ok: false });
    expect(check(doc, updateFrom(doc, (d) => (d.getMap('visits').get('v1') as Y.Map<unknown>).set('withdrawn', { at: by.now, by: 'm1' })))).toMatchObject({ ok: false });
    // an existing entry rewritten, even with a value of the right shape
    const existing = [...doc.getMap('history').keys()][0]!;
    expect(check(doc, updateFrom(doc, (d) => d.getMap('history').set(existing, entry)))).toMatchObject({ ok: false, detail: expect.stringContaining('append-only') });
  });

  it('refuses a delete that removes a required field, not one whose record goes with it or that writes it again', () => {
    const doc = relayDoc();
    expect(check(doc, updateFrom(doc, (d) => d.getMap('profile').delete('headName')))).toMatchObject({ ok: false, detail: expect.stringContaining('headName') });
    expect(check(doc, updateFrom(doc, (d) => (d.getMap('visits').get('v1') as Y.Map<unknown>).delete('visitedAt')))).toMatchObject({ ok: false });
    expect(check(doc, updateFrom(doc, (d) => (d.getMap('requests').get('r1') as Y.Map<unknown>).delete('status')))).toMatchObject({ ok: false });
    // Not required: gone is fine. Deleted and written again in one update: a replacement.
    expect(check(doc, updateFrom(doc, (d) => d.getMap('profile').delete('phone')))).toMatchObject({ ok: true });
    expect(
      check(
        doc,
        updateFrom(doc, (d) =>
          d.transact(() => {
            d.getMap('profile').delete('headName');
            d.getMap('profile').set('headName', '李秀英');
          }),
        ),
      ),
    ).toMatchObject({ ok: true });
    // A team member's name is required too; a link removed (unlinking) is not.
    const team = new Y.Doc();
    initTeam(team, { teamId: 't1', name: '一支部' });
    upsertTeamMember(team, { id: 'm1', name: '王芳', role: 'member', joinedAt: by.now });
    linkMembers(team, 'h1', ['m1'], by);
    expect(check(team, updateFrom(team, (d) => (d.getMap('members').get('m1') as Y.Map<unknown>).delete('name')), 'team')).toMatchObject({ ok: false });
    expect(check(team, updateFrom(team, (d) => unlinkMembers(d, 'h1', ['m1'], by)), 'team')).toMatchObject({ ok: true });
  });
});
