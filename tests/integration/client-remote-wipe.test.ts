import { describe, expect, it } from 'vitest';
import { addVisit, createHousehold, readHousehold } from '@/docs/household-doc';
import { newId } from '@/domain/ids';
import type { WipeOutcome } from '@/sync/engine';
import { waitForStatus } from './helpers/client-device';
import { clientSuite } from './helpers/client-suite';
import { actor, profile } from './helpers/fixtures';
import { api, Device, teamWith, waitFor } from './helpers/relay';

// Remote wipe (issue 14 item 3, ADR 0029) with a real relay and the app's engine: a phone the
// lead revoked as lost erases itself on its next contact (HTTP or a live socket) and the lead
// sees the confirmation; a phone revoked as replaced uploads what it holds once, then is refused.

const { relay: t, device } = clientSuite();

async function dbNames(): Promise<string[]> {
  return (await indexedDB.databases()).map((d) => d.name ?? '');
}

async function leadDevices(lead: { token: string }) {
  const r = await api(t.url, 'GET', '/api/devices', { token: lead.token });
  expect(r.status).toBe(200);
  return r.json.devices as { deviceId: string; revokeReason: string | null; retiredAt: string | null; wipeToldAt: string | null; wipedAt: string | null }[];
}

describe('remote wipe', () => {
  it('a phone revoked as lost erases every local record at its next contact and the relay records the confirmation', async () => {
    const { lead, members } = await teamWith(t, ['吴敏', '李强']);
    const [wu, li] = members as [(typeof members)[0], (typeof members)[0]];
    let wiped: WipeOutcome | undefined;
    const phone = await device(t.url, wu, 'lost-wu', { onWiped: (w) => (wiped = w) });
    await waitForStatus(phone, (s) => s.state === 'synced', 15_000, 'first sync');
    // Offline, a household is saved on the phone only: lost means it is erased all the same.
    phone.setOnline(false);
    const id = newId();
    await phone.records.commit(phone.household(id), (doc) => createHousehold(doc, { id, teamId: wu.teamId, profile: profile('赵大娘') }, actor(wu.memberId)));
    expect(await dbNames()).toContain('lianhu-lost-wu');

    const revoked = await api(t.url, 'POST', `/api/devices/${wu.deviceId}/revoke`, { token: lead.token, body: { reason: 'lost' } });
    expect([revoked.status, revoked.json.reason]).toEqual([200, 'lost']);
    expect((await leadDevices(lead)).find((d) => d.deviceId === wu.deviceId)).toMatchObject({ revokeReason: 'lost', wipeToldAt: null, wipedAt: null });

    phone.setOnline(true);
    void phone.engine.syncNow();
    await waitFor(() => wiped !== undefined, 15_000, 'erased');
    expect(wiped!.confirmed).toBe(true);
    expect(await dbNames()).not.toContain('lianhu-lost-wu');
    const row = (await leadDevices(lead)).find((d) => d.deviceId === wu.deviceId)!;
    expect(row.wipeToldAt).not.toBeNull();
    expect(row.wipedAt).not.toBeNull();
    expect(Date.parse(row.wipedAt!)).toBeGreaterThanOrEqual(Date.parse(row.wipeToldAt!));
    // Said once; and the phone's token still reads nothing.
    expect((await api(t.url, 'POST', '/api/devices/wiped', { token: wu.token })).status).toBe(409);
    expect((await api(t.url, 'GET', '/api/changes?since=0', { token: wu.token })).json.error.code).toBe('device_lost');
    // A device not revoked as lost cannot say it was erased.
    expect((await api(t.url, 'POST', '/api/devices/wiped', { token: li.token })).status).toBe(409);

    // A phone connected when the lead revokes it as lost hears it on its socket at once.
    let liWiped: WipeOutcome | undefined;
    const live = await device(t.url, li, 'lost-li', { onWiped: (w) => (liWiped = w) });
    await waitForStatus(live, (s) => s.state === 'synced', 15_000, 'li synced');
    await live.engine.syncNow();
    const watcher = new Device(t.wsUrl, li.token);
    watcher.attach(live.teamDoc);
    await waitFor(() => watcher.providers.get(live.teamDoc)!.isSynced, 10_000, 'socket open');
    expect((await api(t.url, 'POST', `/api/devices/${li.deviceId}/revoke`, { token: lead.token, body: { reason: 'lost' } })).status).toBe(200);
    await waitFor(() => watcher.closes.some((c) => c.code === 4403 && c.reason === 'device-lost'), 10_000, 'socket closed as lost');
    watcher.destroy();
    await live.engine.syncNow();
    await waitFor(() => liWiped !== undefined, 15_000, 'li erased');
    expect(await dbNames()).not.toContain('lianhu-lost-li');
    expect((await leadDevices(lead)).find((d) => d.deviceId === li.deviceId)!.wipedAt).not.toBeNull();
  });

  it('a phone revoked as replaced uploads what it holds once, then is refused; nothing on it is erased', async () => {
    const { lead, members } = await teamWith(t, ['王芳']);
    const wang = members[0]!;
    const phone = await device(t.url, wang, 'replaced-wang');
    await waitForStatus(phone, (s) => s.state === 'synced', 15_000, 'first sync');
    phone.setOnline(false);
    const id = newId();
    const by = actor(wang.memberId);
    await phone.records.commit(phone.household(id), (doc) => createHousehold(doc, { id, teamId: wang.teamId, profile: profile('钱大爷') }, by));
    await phone.records.commit(phone.household(id), (doc) => addVisit(doc, { id: newId(), kind: 'home', visitorIds: [wang.memberId], visitedAt: new Date().toISOString(), observations: {}, said: '要轮椅', notes: '', photos: [] }, by));

    expect((await api(t.url, 'POST', `/api/devices/${wang.deviceId}/revoke`, { token: lead.token, body: { reason: 'replaced' } })).json.reason).toBe('replaced');
    // Reads are refused at once; the last upload is what remains.
    expect((await api(t.url, 'GET', '/api/changes?since=0', { token: wang.token })).json.error.code).toBe('device_replaced');

    phone.setOnline(true);
    await phone.engine.syncNow();
    const stopped = await waitForStatus(phone, (s) => s.reason === 'device_revoked', 15_000, 'stopped after the last upload');
    expect(stopped.pendingHouseholds).toBe(0);
    expect((await leadDevices(lead)).find((d) => d.deviceId === wang.deviceId)).toMatchObject({ revokeReason: 'replaced', wipedAt: null });
    expect((await leadDevices(lead)).find((d) => d.deviceId === wang.deviceId)!.retiredAt).not.toBeNull();

    // The lead has the household and its visit.
    const leadPhone = await device(t.url, lead, 'replaced-lead');
    await waitForStatus(leadPhone, (s) => s.state === 'synced', 15_000, 'lead synced');
    await waitFor(async () => (await leadPhone.records.docs.storedNames()).includes(leadPhone.household(id)), 15_000, 'household at the lead');
    const file = readHousehold(await leadPhone.records.doc(leadPhone.household(id)));
    expect([file.household.headName, file.visits.map((v) => v.said)]).toEqual(['钱大爷', ['要轮椅']]);

    // From now on everything is refused: HTTP, a second "done", and a socket write.
    expect((await api(t.url, 'GET', '/api/changes?since=0', { token: wang.token })).json.error.code).toBe('device_revoked');
    expect((await api(t.url, 'POST', '/api/devices/retire', { token: wang.token })).status).toBe(403);
    const sock = new Device(t.wsUrl, wang.token);
    sock.attach(phone.household(id));
    await waitFor(() => sock.closes.some((c) => c.code === 4403 && c.reason === 'device-revoked'), 10_000, 'socket refused');
    sock.destroy();
    // What the phone holds stays on it (only "lost" erases).
    expect(await dbNames()).toContain('lianhu-replaced-wang');
    expect(readHousehold(await phone.records.doc(phone.household(id))).household.headName).toBe('钱大爷');
  });
});
