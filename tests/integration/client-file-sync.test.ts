import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { loadIdentity } from '@/db/identity';
import { BundleError, encodeDoc, encodeEnd, encodeHeader, encodePhoto } from '@/docs/bundle';
import { addVisit, createHousehold, readHousehold } from '@/docs/household-doc';
import { linkMembers } from '@/docs/team-doc';
import { docVersion } from '@/docs/ymap';
import { newId } from '@/domain/ids';
import { writeBundle } from '@/sync/bundle-io';
import { exportBundle, importBundle } from '@/sync/file-sync';
import { sha256Hex } from '@/sync/sha256';
import { syncOnce, waitForStatus, type ClientDevice } from './helpers/client-device';
import { clientSuite } from './helpers/client-suite';
import { actor, profile } from './helpers/fixtures';
import { jpegBytes } from './helpers/jpeg';
import { teamWith } from './helpers/relay';

const { relay: t, device } = clientSuite();

const visitOf = (memberId: string, said: string, photos: { sha256: string; mime: string; size: number }[] = []) => ({
  id: newId(),
  kind: 'home' as const,
  visitorIds: [memberId],
  visitedAt: new Date().toISOString(),
  observations: {},
  said,
  notes: '',
  photos,
});

/** Everything an import could touch on a device, to prove a refused file changed nothing. */
async function snapshot(d: ClientDevice): Promise<string> {
  const names = await d.records.docs.storedNames();
  const versions = await Promise.all(names.map(async (n) => `${n}=${docVersion(await d.records.doc(n))}`));
  const rows = await d.records.db.docs.toArray();
  const blobs = await d.records.db.blobs.toCollection().primaryKeys();
  return JSON.stringify({ versions, rows: rows.map((r) => [r.name, r.unsynced, r.serverVersion]), blobs, records: await d.records.db.records.toArray(), requests: await d.records.db.requests.count() });
}

/** A team whose member and lead both hold one household, synced, then cut off. */
async function fieldAndOffice() {
  const { lead, members } = await teamWith(t, ['刘强']);
  const m = members[0]!;
  const L = await device(t.url, lead, `file-lead-${newId().slice(-6)}`);
  const id = newId();
  await L.records.commit(L.household(id), (doc) => createHousehold(doc, { id, teamId: lead.teamId, profile: profile('马大爷') }, actor(lead.memberId)));
  await L.records.commit(L.teamDoc, (doc) => linkMembers(doc, id, [m.memberId], actor(lead.memberId)));
  await waitForStatus(L, (s) => s.state === 'synced' && !s.teamUnsynced && s.pendingHouseholds === 0, 15_000, 'lead pushed');
  const M = await device(t.url, m, `file-m-${newId().slice(-6)}`);
  await waitForStatus(M, (s) => s.state === 'synced', 15_000, 'member synced');
  M.setOnline(false);
  L.setOnline(false);
  return { lead, m, L, M, id, name: L.household(id) };
}

describe('sync by file', () => {
  it('a file carried from the field merges on the lead device exactly like network sync, photos included, and then goes up', async () => {
    const { lead, m, L, M, id, name } = await fieldAndOffice();
    const bytes = jpegBytes(50_000);
    const sha256 = await sha256Hex(bytes);
    await M.records.db.blobs.add({ sha256, mime: 'image/jpeg', size: bytes.length, blob: new Blob([bytes], { type: 'image/jpeg' }), createdAt: new Date().toISOString(), uploaded: 0, householdId: id });
    await M.records.commit(name, (doc) => addVisit(doc, visitOf(m.memberId, '山里走访，无信号', [{ sha256, mime: 'image/jpeg', size: bytes.length }]), actor(m.memberId)));
    await L.records.commit(name, (doc) => addVisit(doc, visitOf(lead.memberId, '办公室电话回访'), actor(lead.memberId)));

    const identity = (await loadIdentity(M.records.db))!;
    const file = await exportBundle(M.records, identity);
    expect(file.filename).toMatch(/^lianhu-.+-.+-\d{8}-\d{4}\.lianhu$/);
    expect(file.photos).toBe(1);
    // What network sync would give: both replicas' updates merged.
    const expected = new Y.Doc();
    Y.applyUpdate(expected, Y.encodeStateAsUpdate(await L.records.doc(name)));
    Y.applyUpdate(expected, Y.encodeStateAsUpdate(await M.records.doc(name)));

    const result = await importBundle(L.records, new Blob([await file.blob.arrayBuffer()]), lead.teamId);
    expect(result).toMatchObject({ docsChanged: 1, photosAdded: 1 });
    expect(JSON.stringify(readHousehold(await L.records.doc(name)))).toBe(JSON.stringify(readHousehold(expected)));
    const photo = await L.records.db.blobs.get(sha256);
    expect(photo).toMatchObject({ uploaded: 0, householdId: id, size: bytes.length });
    // Imported work is this device's to upload now.
    await waitForStatus(L, (s) => s.pendingHouseholds === 1 && s.pendingPhotos === 1, 5000, 'import pending');
    L.setOnline(true);
    await syncOnce(L);
    expect(L.engine.status).toMatchObject({ state: 'synced', pendingHouseholds: 0, pendingPhotos: 0 });
    // The member's device, back in signal, ends up with the same file.
    M.setOnline(true);
    await syncOnce(M);
    await syncOnce(M);
    expect(JSON.stringify(readHousehold(await M.records.doc(name)))).toBe(JSON.stringify(readHousehold(expected)));
  });

  it('exports only what changed since the last export; such a file needs the earlier one', async () => {
    const { lead, m, L, M, name } = await fieldAndOffice();
    const identity = (await loadIdentity(M.records.db))!;
    await M.records.commit(name, (doc) => addVisit(doc, visitOf(m.memberId, '第一次'), actor(m.memberId)));
    const first = await exportBundle(M.records, identity);
    await M.records.commit(name, (doc) => addVisit(doc, visitOf(m.memberId, '第二次'), actor(m.memberId)));
    const second = await exportBundle(M.records, identity, { changesOnly: true });
    expect(second.docs).toBe(1);
    expect(second.photos).toBe(0);
    expect(second.blob.size).toBeLessThan(first.blob.size);
    const nothing = await exportBundle(M.records, identity, { changesOnly: true });
    expect(nothing.docs).toBe(0);

    // Without the first file, the second one is refused whole.
    const before = await snapshot(L);
    await expect(importBundle(L.records, second.blob, lead.teamId)).rejects.toMatchObject({ code: 'bundle_corrupt' });
    expect(await snapshot(L)).toBe(before);
    await importBundle(L.records, first.blob, lead.teamId);
    await importBundle(L.records, second.blob, lead.teamId);
    expect(readHousehold(await L.records.doc(name)).visits.map((v) => v.said).sort()).toEqual(['第一次', '第二次'].sort());
  });

  it('refuses corrupt, cut-off, foreign and forged files with a clear error and changes nothing', async () => {
    const { lead, m, L, M, id, name } = await fieldAndOffice();
    await M.records.commit(name, (doc) => addVisit(doc, visitOf(m.memberId, '要导出的走访'), actor(m.memberId)));
    const good = new Uint8Array(await (await exportBundle(M.records, (await loadIdentity(M.records.db))!)).blob.arrayBuffer());
    const other = await teamWith(t, []);
    const stranger = await device(t.url, other.lead, `file-stranger-${newId().slice(-6)}`);
    await stranger.records.commit(stranger.household(id), (doc) => createHousehold(doc, { id, teamId: other.teamId, profile: profile('外队') }, actor(other.lead.memberId)));
    const foreign = await exportBundle(stranger.records, (await loadIdentity(stranger.records.db))!);

    const header = encodeHeader({ teamId: lead.teamId, createdAt: new Date().toISOString(), source: { kind: 'device' } });
    const garbageUpdate = await writeBundle([header, encodeDoc({ name, update: new Uint8Array([0, 1, 2, 3, 200, 7, 9, 0, 0, 0, 5]) }), encodeEnd({ docs: 1, photos: 0 })]);
    const notAHousehold = await writeBundle([header, encodeDoc({ name: L.household(newId()), update: Y.encodeStateAsUpdateV2(new Y.Doc()) }), encodeEnd({ docs: 1, photos: 0 })]);
    const photo = new Uint8Array([1, 2, 3, 4]);
    const forgedPhoto = await writeBundle([header, encodePhoto({ sha256: 'a'.repeat(64), mime: 'image/jpeg', size: photo.length, data: photo }), encodeEnd({ docs: 0, photos: 1 })]);
    const flipped = good.slice();
    flipped[Math.floor(flipped.length / 2)]! ^= 0xff;

    const cases: [string, Blob, string][] = [
      ['cut off', new Blob([good.slice(0, Math.floor(good.length * 0.6))]), 'bundle_truncated'],
      ['a flipped byte', new Blob([flipped]), 'bundle_corrupt'],
      ['another team', foreign.blob, 'bundle_foreign_team'],
      ['a broken update', garbageUpdate, 'bundle_corrupt'],
      ['a doc that is no household', notAHousehold, 'bundle_corrupt'],
      ['a photo that is not what it says', forgedPhoto, 'bundle_corrupt'],
      ['not a Lianhu file', new Blob(['名单.xlsx 不是走访文件']), 'bundle_not_lianhu'],
      ['empty', new Blob([]), 'bundle_empty'],
    ];
    const before = await snapshot(L);
    for (const [what, file, code] of cases) {
      const err = await importBundle(L.records, file, lead.teamId).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, what).toBeInstanceOf(BundleError);
      expect((err as BundleError).code, what).toBe(code);
      expect(await snapshot(L), what).toBe(before);
    }
    expect(L.engine.status.pendingHouseholds).toBe(0);
    // The good file still imports.
    await importBundle(L.records, new Blob([good]), lead.teamId);
    expect(readHousehold(await L.records.doc(name)).visits.map((v) => v.said)).toEqual(['要导出的走访']);
  });
});
