import { describe, expect, it } from 'vitest';
import { loadIdentity } from '@/db/identity';
import { addVisit, createHousehold, readHousehold } from '@/docs/household-doc';
import { newId } from '@/domain/ids';
import { listCarried } from '@/sync/carried-files';
import { importOrCarry } from '@/sync/file-import';
import { exportBundle } from '@/sync/file-sync';
import { sha256Hex } from '@/sync/sha256';
import { syncOnce, waitForStatus } from './helpers/client-device';
import { clientSuite } from './helpers/client-suite';
import { actor, profile } from './helpers/fixtures';
import { jpegBytes } from './helpers/jpeg';
import { teamWith } from './helpers/relay';

// Issue 11 item 2, the carrier's side (docs/adr/0019): a member who imports a colleague's file
// keeps it as a carried file. Before: the colleague's households were applied to the carrier's
// docs, the relay refused them to the carrier for ever ("5 户的记录未上传", refused docs, 403s
// on the photos). Real relay, the app's engine, import and export.

const { relay: t, device } = clientSuite();

describe('a file carried for a colleague', () => {
  it('is kept whole and apart: the carrier’s own status stays exact, and when signal comes it is delivered to the relay on the exporter’s authority', async () => {
    const { lead, members } = await teamWith(t, ['吴敏', '李强']);
    const [wu, li] = members as [(typeof members)[0], (typeof members)[0]];
    const W = await device(t.url, wu, 'carry-wu', { memberName: '吴敏' });
    const C = await device(t.url, li, 'carry-li', { memberName: '李强' });
    await waitForStatus(W, (s) => s.state === 'synced', 15_000, 'wu synced');
    await waitForStatus(C, (s) => s.state === 'synced', 15_000, 'li synced');

    // In the forest: 吴敏 registers three households, visits them, takes a photo; no signal.
    W.setOnline(false);
    const ids = [newId(), newId(), newId()];
    const bytes = jpegBytes(30_000);
    const sha256 = await sha256Hex(bytes);
    await W.records.db.blobs.add({ sha256, mime: 'image/jpeg', size: bytes.length, blob: new Blob([bytes], { type: 'image/jpeg' }), createdAt: new Date().toISOString(), uploaded: 0, householdId: ids[0] });
    for (const [i, id] of ids.entries()) {
      await W.records.commit(W.household(id), (doc) => createHousehold(doc, { id, teamId: wu.teamId, profile: profile(`农户${i}`) }, actor(wu.memberId)));
      const photos = i === 0 ? [{ sha256, mime: 'image/jpeg', size: bytes.length }] : [];
      await W.records.commit(W.household(id), (doc) => addVisit(doc, { id: newId(), kind: 'home', visitorIds: [wu.memberId], visitedAt: new Date().toISOString(), observations: {}, said: `走访${i}`, notes: '', photos }, actor(wu.memberId)));
    }
    const file = await exportBundle(W.records, (await loadIdentity(W.records.db))!);
    expect(file.signed).toBe(true);
    const bytesOfFile = new Uint8Array(await file.blob.arrayBuffer());

    // 李强 walks out first with the file, and has one unsynced household of his own.
    C.setOnline(false);
    const own = newId();
    await C.records.commit(C.household(own), (doc) => createHousehold(doc, { id: own, teamId: li.teamId, profile: profile('李家') }, actor(li.memberId)));
    const before = { names: (await C.records.docs.storedNames()).sort(), blobs: await C.records.db.blobs.count() };
    const outcome = await importOrCarry(C.records, new Blob([bytesOfFile]), (await loadIdentity(C.records.db))!);
    expect(outcome).toMatchObject({ kind: 'carried', already: false, carried: { from: { memberId: wu.memberId, memberName: '吴敏' }, households: 3, photos: 1 } });
    // Nothing of it reached the carrier's records.
    expect({ names: (await C.records.docs.storedNames()).sort(), blobs: await C.records.db.blobs.count() }).toEqual(before);
    // The same file again is kept once.
    expect(await importOrCarry(C.records, new Blob([bytesOfFile]), (await loadIdentity(C.records.db))!)).toMatchObject({ kind: 'carried', already: true });
    expect(await listCarried(C.records.db, li.teamId)).toHaveLength(1);

    // Signal: the carrier's own household goes up, and its status is exactly its own; the
    // colleague's file goes up whole, signed by 吴敏's phone (its key was registered on its first
    // sync: it joined without one), applied on 吴敏's authority (ADR 0023).
    C.setOnline(true);
    const status = await syncOnce(C);
    expect([status.state, status.pendingHouseholds, status.pendingPhotos, status.reason]).toEqual(['synced', 0, 0, undefined]);
    expect(C.requests.filter((r) => r.status === 403)).toEqual([]);
    expect(C.requests.filter((r) => r.path === '/api/carried').map((r) => r.status)).toEqual([200]);
    const carried = (await listCarried(C.records.db, li.teamId))[0]!;
    expect(carried).toMatchObject({ signed: true, delivery: { state: 'delivered', docs: 3, photos: 1 } });
    // Nothing of it came into the carrier's records (the relay does not send 吴敏's households to 李强).
    expect((await C.records.docs.storedNames()).filter((n) => ids.some((id) => n.endsWith(id)))).toEqual([]);
    // A second run does not send it again.
    await syncOnce(C);
    expect(C.requests.filter((r) => r.path === '/api/carried')).toHaveLength(1);

    // The lead sees 吴敏's records from the relay, photo included; importing the same file too doubles nothing.
    const L = await device(t.url, lead, 'carry-lead');
    await waitForStatus(L, (s) => s.state === 'synced', 15_000, 'lead synced');
    expect(readHousehold(await L.records.doc(L.household(ids[0]!))).visits.map((v) => v.said)).toEqual(['走访0']);
    const applied = await importOrCarry(L.records, carried.file, (await loadIdentity(L.records.db))!);
    expect(applied).toMatchObject({ kind: 'applied', result: { docsChanged: 0 } });

    // 吴敏 back in signal: the lead's upload made the lead the households' first writer, but
    // the import linked them to 吴敏, so his own phone's updates are his to upload still.
    W.setOnline(true);
    const back = await syncOnce(W);
    expect([back.state, back.pendingHouseholds, back.pendingPhotos, back.reason]).toEqual(['synced', 0, 0, undefined]);
  });
});
