import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addRequest, addRequestAction, addVisit, createHousehold, readHousehold, removeVisitPhoto, updateVisit, type NewVisit } from '@/docs/household-doc';

/**
 * The maps inside a household's records (a visit's photos, a request's timeline) are made with
 * their record, never later by whoever writes into them first: two phones each making one
 * offline would merge to one of the two maps, losing the other phone's entries (ADR 0021).
 */

const actor = (memberId: string) => ({ memberId, deviceId: `phone-${memberId}`, now: '2026-05-01T09:00:00.000Z' });
const photo = (n: number) => ({ sha256: String(n).repeat(64), mime: 'image/jpeg' as const, size: 1000, width: 800, height: 600 });
const visit: NewVisit = { id: 'v1', kind: 'home', visitorIds: ['ma'], visitedAt: '2026-05-01T09:00:00.000Z', observations: {}, said: '', notes: '', photos: [] };

function household(): Y.Doc {
  const doc = new Y.Doc();
  createHousehold(doc, { id: 'h1', teamId: 't', profile: { headName: '李大娘', phone: '', address: { area: '东山', village: '', street: '', house: '' }, tags: [], visitIntervalDays: 30 } }, actor('ma'));
  addVisit(doc, visit, actor('ma'));
  addRequest(doc, { id: 'q1', category: 'medical', description: '看病', ownerId: 'ma' }, actor('ma'));
  return doc;
}

/** Two phones with the file, each with the given Yjs client id (the order Yjs breaks ties in). */
function phones(base: Y.Doc, ids: [number, number]): [Y.Doc, Y.Doc] {
  return ids.map((id) => {
    const d = new Y.Doc();
    d.clientID = id;
    Y.applyUpdate(d, Y.encodeStateAsUpdate(base));
    return d;
  }) as [Y.Doc, Y.Doc];
}

function sync(a: Y.Doc, b: Y.Doc): void {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
}

describe('maps inside records, written on two phones offline', () => {
  for (const ids of [[100, 200], [200, 100]] as [number, number][]) {
    it(`keep both phones' photos and actions (client ids ${ids.join(', ')})`, () => {
      const [one, two] = phones(household(), ids);
      updateVisit(one, { ...visit, photos: [photo(1)] }, actor('ma'));
      updateVisit(two, { ...visit, photos: [photo(2)] }, actor('mb'));
      addRequestAction(one, 'q1', { id: 'a1', at: '2026-05-02T09:00:00.000Z', by: 'ma', kind: 'note', text: '已联系' });
      addRequestAction(two, 'q1', { id: 'a2', at: '2026-05-02T10:00:00.000Z', by: 'mb', kind: 'note', text: '已上报' });
      sync(one, two);
      for (const d of [one, two]) {
        const file = readHousehold(d);
        expect(file.visits[0]!.photos.map((p) => p.sha256[0])).toEqual(['1', '2']);
        expect(file.requests[0]!.actions.map((a) => a.id)).toEqual(['a1', 'a2']);
      }
    });

    it(`removing a photo never makes the photo map, so a photo added offline elsewhere stays (client ids ${ids.join(', ')})`, () => {
      const base = household();
      // A visit without its photo map (written before the map came with every visit, or by hand).
      (base.getMap('visits').get('v1') as Y.Map<unknown>).delete('photos');
      const [one, two] = phones(base, ids);
      removeVisitPhoto(one, 'v1', photo(9).sha256);
      expect((one.getMap('visits').get('v1') as Y.Map<unknown>).has('photos')).toBe(false);
      updateVisit(two, { ...visit, photos: [photo(2)] }, actor('mb'));
      sync(one, two);
      for (const d of [one, two]) expect(readHousehold(d).visits[0]!.photos.map((p) => p.sha256[0])).toEqual(['2']);
    });
  }
});
