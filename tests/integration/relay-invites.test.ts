import { afterEach, describe, expect, it } from 'vitest';
import { api, join, startTestRelay, teamWith, type TestRelay } from './helpers/relay';

// A lead's open invites (docs/sync-protocol.md "Identity"): listed with role and expiry,
// cancellable; used, expired and cancelled ones drop off, and a cancelled code no longer joins.

let relay: TestRelay | undefined;
afterEach(async () => {
  await relay?.close();
  relay = undefined;
});

describe('open invites', () => {
  it('lists open invites with role, member and expiry; used, expired and cancelled ones drop off', async () => {
    relay = await startTestRelay();
    const t = await teamWith(relay, ['吴敏']);
    const made = [];
    for (const body of [{ role: 'member' }, { role: 'lead' }, { role: 'member', memberId: t.members[0]!.memberId }]) {
      const r = await api(relay.url, 'POST', '/api/invites', { token: t.lead.token, body });
      expect(r.status).toBe(201);
      made.push(r.json as { code: string; inviteId: string; role: string; expiresAt: string });
    }
    const list = await api(relay.url, 'GET', '/api/invites', { token: t.lead.token });
    expect(list.status).toBe(200);
    expect(list.json.invites).toEqual(
      made.map((m, i) => ({ inviteId: m.inviteId, role: m.role, ...(i === 2 ? { memberId: t.members[0]!.memberId } : {}), createdAt: expect.any(String), expiresAt: m.expiresAt })),
    );
    // The list never carries the code (only the relay's hash of it is kept).
    expect(JSON.stringify(list.json)).not.toContain(made[0]!.code.replace(/-/g, '').slice(0, 8));

    // Used: drops off.
    await join(relay.url, made[0]!.code, '李强');
    // Cancelled: drops off, and its code is refused.
    const cancelled = await api(relay.url, 'POST', `/api/invites/${made[1]!.inviteId}/cancel`, { token: t.lead.token });
    expect([cancelled.status, cancelled.json]).toEqual([200, { inviteId: made[1]!.inviteId, cancelled: true }]);
    const refused = await api(relay.url, 'POST', '/api/invites/redeem', { body: { code: made[1]!.code, memberName: '赵刚', deviceName: 'phone' } });
    expect([refused.status, refused.json.error.code]).toEqual([410, 'invite_expired']);
    // Expired: drops off by itself.
    const expired = await relay.relay.services.registry.createInvite({ teamId: t.teamId, role: 'member', createdBy: 'test', ttlDays: -1 });
    const after = await api(relay.url, 'GET', '/api/invites', { token: t.lead.token });
    expect(after.json.invites.map((i: { inviteId: string }) => i.inviteId)).toEqual([made[2]!.inviteId]);
    expect(after.json.invites.map((i: { inviteId: string }) => i.inviteId)).not.toContain(expired.inviteId);
    // The remaining one still works.
    expect((await join(relay.url, made[2]!.code, '吴敏', 'second-phone', t.members[0]!.memberId)).memberId).toBe(t.members[0]!.memberId);
    expect((await api(relay.url, 'GET', '/api/invites', { token: t.lead.token })).json.invites).toEqual([]);
  });

  it('only a lead of the team lists or cancels, and a used or unknown invite cannot be cancelled', async () => {
    relay = await startTestRelay();
    const t = await teamWith(relay, ['吴敏']);
    const other = await teamWith(relay, [], '另一个班组');
    const made = (await api(relay.url, 'POST', '/api/invites', { token: t.lead.token, body: { role: 'member' } })).json as { code: string; inviteId: string };
    const member = t.members[0]!;
    expect((await api(relay.url, 'GET', '/api/invites', { token: member.token })).status).toBe(403);
    expect((await api(relay.url, 'POST', `/api/invites/${made.inviteId}/cancel`, { token: member.token })).status).toBe(403);
    // Another team's lead does not see it and cannot cancel it.
    expect((await api(relay.url, 'GET', '/api/invites', { token: other.lead.token })).json.invites).toEqual([]);
    expect((await api(relay.url, 'POST', `/api/invites/${made.inviteId}/cancel`, { token: other.lead.token })).status).toBe(404);
    expect((await api(relay.url, 'POST', '/api/invites/nope/cancel', { token: t.lead.token })).json.error.code).toBe('not_found');
    await join(relay.url, made.code, '李强');
    expect((await api(relay.url, 'POST', `/api/invites/${made.inviteId}/cancel`, { token: t.lead.token })).status).toBe(404);
  });
});
