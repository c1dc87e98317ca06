import { describe, expect, it } from 'vitest';
import { loadIdentity } from '@/db/identity';
import { addVisit, createHousehold, readHousehold } from '@/docs/household-doc';
import { newId } from '@/domain/ids';
import { joinTeam, JoinError, redeemInvite } from '@/sync/join';
import { waitForStatus } from './helpers/client-device';
import { clientSuite } from './helpers/client-suite';
import { actor, profile } from './helpers/fixtures';
import { api, teamWith, waitFor } from './helpers/relay';

// A revoked phone (issue 11 item 4): it says so, keeps every unsynced record, and joins its
// own team again on the same phone with a new invite made for its member, then uploads what
// it kept. Real relay, the app's engine and join code.

const { relay: t, device, close } = clientSuite();

describe('a revoked phone', () => {
  it('says it was revoked (also after a restart offline), keeps its records, joins again with a code for its member and uploads them', async () => {
    const { lead, members } = await teamWith(t, ['吴敏']);
    const member = members[0]!;
    const phone = await device(t.url, member, 'wumin');
    await waitForStatus(phone, (s) => s.state === 'synced', 15_000, 'first sync');

    // Out of signal: a household and a visit are saved on the phone only.
    phone.setOnline(false);
    const id = newId();
    const by = actor(member.memberId);
    await phone.records.commit(phone.household(id), (doc) => createHousehold(doc, { id, teamId: member.teamId, profile: profile('赵大娘') }, by));
    await phone.records.commit(phone.household(id), (doc) => addVisit(doc, { id: newId(), kind: 'home', visitorIds: [member.memberId], visitedAt: new Date().toISOString(), observations: {}, said: '腿脚不便', notes: '', photos: [] }, by));

    // Meanwhile the lead revokes the phone (thinking it lost).
    expect((await api(t.url, 'POST', `/api/devices/${member.deviceId}/revoke`, { token: lead.token })).status).toBe(200);
    phone.setOnline(true);
    await phone.engine.syncNow();
    const revoked = await waitForStatus(phone, (s) => s.reason === 'device_revoked', 10_000, 'revoked');
    expect([revoked.state, revoked.pendingHouseholds]).toEqual(['error', 1]);

    // Restarted with no signal: it still says revoked, without asking the relay anything.
    await close(phone);
    const again = await device(t.url, member, 'wumin', { start: false });
    again.setOnline(false);
    await again.engine.start();
    const offline = await waitForStatus(again, (s) => s.reason === 'device_revoked', 5_000, 'revoked after restart');
    expect([offline.state, offline.pendingHouseholds, again.requests.length]).toEqual(['error', 1, 0]);
    again.setOnline(true);

    const relayFetch: typeof fetch = (input, init) => fetch(`${t.url}${String(input)}`, init);
    const names = { memberName: '吴敏', deviceName: 'wumin-phone', memberId: member.memberId, teamId: member.teamId };
    // A code for a new member does not make this phone someone else: refused, nothing used up.
    const generic = (await api(t.url, 'POST', '/api/invites', { token: lead.token, body: { role: 'member' } })).json.code as string;
    await expect(redeemInvite({ code: generic, ...names }, relayFetch)).rejects.toMatchObject({ serverCode: 'member_exists', messageKey: 'errors.inviteNotForYou' });
    // A code of another team is refused before it is used.
    const other = await teamWith(t, [], '另一个班组');
    const foreign = (await api(t.url, 'POST', '/api/invites', { token: other.lead.token, body: { role: 'member', memberId: member.memberId } })).json.code as string;
    const refused = await redeemInvite({ code: foreign, ...names }, relayFetch).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(JoinError);
    expect(refused).toMatchObject({ serverCode: 'team_mismatch', messageKey: 'errors.inviteOtherTeam' });
    expect((await api(t.url, 'GET', '/api/invites', { token: other.lead.token })).json.invites).toHaveLength(1);

    // The lead's "invite code for a new phone" under the member's name: joins again.
    const code = (await api(t.url, 'POST', '/api/invites', { token: lead.token, body: { role: 'member', memberId: member.memberId } })).json.code as string;
    const redeemed = await redeemInvite({ code, ...names }, relayFetch);
    expect(redeemed.memberId).toBe(member.memberId);
    expect(redeemed.deviceId).not.toBe(member.deviceId);
    const identity = (await loadIdentity(again.records.db))!;
    await joinTeam(again.records, identity, redeemed);
    await again.engine.syncNow();
    const synced = await waitForStatus(again, (s) => s.state === 'synced' && s.pendingHouseholds === 0, 15_000, 'kept records uploaded');
    expect(synced.reason).toBeUndefined();

    // The lead gets the member's household with its visit.
    const leadDev = await device(t.url, lead, 'lead-rejoin');
    await waitFor(async () => leadDev.records.docs.isOpen(leadDev.household(id)) || (await leadDev.records.docs.storedNames()).includes(leadDev.household(id)), 15_000, 'household at the lead');
    await waitForStatus(leadDev, (s) => s.state === 'synced', 15_000, 'lead synced');
    const file = readHousehold(await leadDev.records.doc(leadDev.household(id)));
    expect([file.household.headName, file.visits.map((v) => v.said)]).toEqual(['赵大娘', ['腿脚不便']]);
  });
});
