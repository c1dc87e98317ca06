import { describe, expect, it } from 'vitest';
import { addVisit, createHousehold } from '@/docs/household-doc';
import { linkMembers } from '@/docs/team-doc';
import { newId } from '@/domain/ids';
import { PhotoOutbox } from '@/sync/outbox';
import { fetchPhoto } from '@/sync/photos';
import { sha256Hex } from '@/sync/sha256';
import { syncOnce, waitForStatus } from './helpers/client-device';
import { clientSuite } from './helpers/client-suite';
import { actor, profile } from './helpers/fixtures';
import { jpegBytes } from './helpers/jpeg';
import { api, teamWith } from './helpers/relay';

const { relay: t, device } = clientSuite();

describe('photo outbox', () => {
  it('resumes an interrupted upload where the relay left off, after a reload, and the lead fetches the photo when viewing it', async () => {
    const { lead, members } = await teamWith(t, ['郑伟']);
    const m = members[0]!;
    const L = await device(t.url, lead, 'photo-lead');
    const id = newId();
    await L.records.commit(L.household(id), (doc) => createHousehold(doc, { id, teamId: lead.teamId, profile: profile('冯大娘') }, actor(lead.memberId)));
    await L.records.commit(L.teamDoc, (doc) => linkMembers(doc, id, [m.memberId], actor(lead.memberId)));
    await waitForStatus(L, (s) => s.state === 'synced' && !s.teamUnsynced && s.pendingHouseholds === 0, 15_000, 'lead pushed');
    // The member's engine does not run photos itself here: the test drives the outbox.
    const M = await device(t.url, m, 'photo-m', { photos: false });
    await waitForStatus(M, (s) => s.state === 'synced', 15_000, 'member synced');

    const bytes = jpegBytes(700_000, 7);
    const sha256 = await sha256Hex(bytes);
    await M.records.db.blobs.add({ sha256, mime: 'image/jpeg', size: bytes.length, blob: new Blob([bytes], { type: 'image/jpeg' }), createdAt: new Date().toISOString(), uploaded: 0, householdId: id });
    await M.records.commit(M.household(id), (doc) =>
      addVisit(doc, { id: newId(), kind: 'home', visitorIds: [m.memberId], visitedAt: new Date().toISOString(), observations: {}, said: '拍了屋顶照片', notes: '', photos: [{ sha256, mime: 'image/jpeg', size: bytes.length }] }, actor(m.memberId)),
    );
    await waitForStatus(M, (s) => s.pendingHouseholds === 0 && s.pendingPhotos === 1, 15_000, 'visit up, photo pending');

    const chunk = 64 * 1024;
    const token = () => m.token;
    // First attempt: the connection "drops" after three chunks.
    const first = new PhotoOutbox(M.records.db, {
      base: t.url,
      token,
      chunkSize: chunk,
      retryDelays: [],
      onChunk: (_sha, accepted) => {
        if (accepted >= 3 * chunk) void first.stop();
      },
    });
    const r1 = await first.run();
    expect(r1.uploaded).toEqual([]);
    expect((await M.records.db.blobs.get(sha256))?.uploaded).toBe(0);
    expect((await api(t.url, 'GET', `/files/${sha256}`, { token: m.token })).status).toBe(404);

    // After a reload: a new outbox finds the upload in Dexie and continues from the relay's offset.
    const accepted: number[] = [];
    const second = new PhotoOutbox(M.records.db, { base: t.url, token, chunkSize: chunk, onChunk: (_sha, a) => accepted.push(a) });
    const r2 = await second.run();
    expect(r2.uploaded).toEqual([sha256]);
    expect(accepted[0]).toBeGreaterThanOrEqual(4 * chunk);
    expect(accepted.at(-1)).toBe(bytes.length);
    expect((await M.records.db.blobs.get(sha256))?.uploaded).toBe(1);
    expect(await M.records.db.settings.where('key').startsWith('sync.tus:').count()).toBe(0);

    // The lead's device lacks the bytes until the photo is viewed; then they are fetched, checked and kept.
    await syncOnce(L);
    expect(await L.records.db.blobs.get(sha256)).toBeUndefined();
    const got = await fetchPhoto(L.records.db, await L.engine.relayApi(), sha256);
    expect(got && (await sha256Hex(got))).toBe(sha256);
    expect(await L.records.db.blobs.get(sha256)).toMatchObject({ uploaded: 1, size: bytes.length });
    L.setOnline(false);
    expect(await fetchPhoto(L.records.db, await L.engine.relayApi(), sha256)).toBeDefined();
    expect(await fetchPhoto(L.records.db, await L.engine.relayApi(), 'b'.repeat(64))).toBeUndefined();
  });

  it('the engine uploads pending photos on its own and only then says synced', async () => {
    const { lead } = await teamWith(t, []);
    const L = await device(t.url, lead, 'photo-engine');
    await waitForStatus(L, (s) => s.state === 'synced', 15_000, 'first sync');
    const id = newId();
    const bytes = jpegBytes(200_000, 3);
    const sha256 = await sha256Hex(bytes);
    L.setOnline(false);
    await L.records.db.blobs.add({ sha256, mime: 'image/webp', size: bytes.length, blob: new Blob([bytes], { type: 'image/webp' }), createdAt: new Date().toISOString(), uploaded: 0, householdId: id });
    await L.records.commit(L.household(id), (doc) => createHousehold(doc, { id, teamId: lead.teamId, profile: profile('褚大爷') }, actor(lead.memberId)));
    await waitForStatus(L, (s) => s.state === 'offline' && s.pendingPhotos === 1 && s.pendingHouseholds === 1, 10_000, 'offline with a pending photo');
    L.setOnline(true);
    await syncOnce(L);
    expect(L.engine.status).toMatchObject({ state: 'synced', pendingPhotos: 0, pendingHouseholds: 0 });
    const res = await fetch(`${t.url}/files/${sha256}`, { headers: { Authorization: `Bearer ${lead.token}` } });
    expect(await sha256Hex(new Uint8Array(await res.arrayBuffer()))).toBe(sha256);
  });
});
