import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { teamDocName } from '@/docs/schema';
import { linkMembers, mergeHouseholds, readTeam, unlinkMembers } from '@/docs/team-doc';
import { loadSecret, TokenService } from '../../sync-server/src/auth/tokens';
import { actor, newHousehold, readHousehold, visit } from './helpers/fixtures';
import { RawClient } from './helpers/raw';
import { api, Device, invite, join, ROOT, startTestRelay, teamWith, waitFor, type Joined, type TestRelay } from './helpers/relay';
import { backendEnv } from './helpers/backend';

let t: TestRelay;
beforeAll(async () => {
  t = await startTestRelay();
});
afterAll(async () => {
  await t.close();
});

/** A lead who registered households; returns the lead's device and the team doc. */
async function leadWithHouseholds(lead: Joined, teamId: string, n: number) {
  const dev = new Device(t.wsUrl, lead.token);
  const team = new Y.Doc();
  const teamP = dev.attach(teamDocName(teamId), team);
  await dev.saved(teamP);
  const households = Array.from({ length: n }, (_, i) => newHousehold(teamId, actor(lead.memberId), `户主${i}`));
  for (const h of households) await dev.saved(dev.attach(h.name, h.doc));
  return { dev, team, teamP, households };
}

const storedUpdates = async (name: string) => (await t.relay.services.store.row(name))?.last_seq ?? 0;

describe('who may open what', () => {
  it('a member opens linked households, reads the team doc, and is refused the rest', async () => {
    const one = await teamWith(t, ['李明', '赵红']);
    const other = await teamWith(t, [], '另一个班组');
    const [m, m2] = one.members as [Joined, Joined];
    const { dev: leadDev, team, teamP, households } = await leadWithHouseholds(one.lead, one.teamId, 2);
    const [linked, unlinked] = households as [(typeof households)[0], (typeof households)[0]];
    linkMembers(team, linked.id, [m.memberId], actor(one.lead.memberId));
    await leadDev.saved(teamP);
    const foreign = await leadWithHouseholds(other.lead, other.teamId, 1);

    const dev = new Device(t.wsUrl, m.token);
    const ok = dev.attach(linked.name);
    await dev.saved(ok);
    expect(readHousehold(ok.document).household.headName).toBe('户主0');

    const refused = dev.attach(unlinked.name);
    const alien = dev.attach(foreign.households[0]!.name);
    const alienTeam = dev.attach(teamDocName(other.teamId));
    await waitFor(() => dev.denied.size === 3, 5000, 'three refusals');
    expect(Object.fromEntries(dev.denied)).toEqual({ [unlinked.name]: 'forbidden', [foreign.households[0]!.name]: 'forbidden', [teamDocName(other.teamId)]: 'forbidden' });
    expect(refused.document.getMap('meta').size).toBe(0);
    expect(alien.document.getMap('meta').size).toBe(0);
    expect(alienTeam.document.getMap('meta').size).toBe(0);
    // Writing into a refused doc stores nothing.
    const before = await storedUpdates(unlinked.name);
    visit(refused.document, actor(m.memberId), '不该保存');
    // A barrier instead of a sleep: the relay handles one socket's frames in order, so once
    // a later write on the same socket is acknowledged, the refused one has been dealt with.
    visit(ok.document, actor(m.memberId), '屏障一');
    await dev.saved(ok);
    expect(await storedUpdates(unlinked.name)).toBe(before);
    expect(readHousehold(unlinked.doc).visits).toHaveLength(0);

    // The team doc is read-only for a member: their change is not stored or passed on.
    const teamCopy = dev.attach(teamDocName(one.teamId));
    await waitFor(() => teamCopy.isSynced, 5000, 'team doc synced');
    expect(readTeam(teamCopy.document).members.map((x) => x.id)).toContain(m.memberId);
    const teamSeq = await storedUpdates(teamDocName(one.teamId));
    linkMembers(teamCopy.document, unlinked.id, [m.memberId], actor(m.memberId));
    visit(ok.document, actor(m.memberId), '屏障二');
    await dev.saved(ok);
    expect(await storedUpdates(teamDocName(one.teamId))).toBe(teamSeq);
    expect(readTeam(team).assignments.get(unlinked.id)).toBeUndefined();
    expect((await api(t.url, 'GET', `/api/changes?since=0`, { token: m.token })).json.readable).toBe(2);

    // The socket survived all of it and still syncs.
    visit(ok.document, actor(m.memberId), '正常走访');
    await dev.saved(ok);
    expect(dev.closes).toEqual([]);

    // A household the member registers is theirs; a colleague cannot open it, the lead can.
    const mine = newHousehold(one.teamId, actor(m.memberId), '新登记户');
    await dev.saved(dev.attach(mine.name, mine.doc));
    expect((await t.relay.services.store.row(mine.name))?.created_by_member).toBe(m.memberId);
    const dev2 = new Device(t.wsUrl, m2.token);
    dev2.attach(mine.name);
    await waitFor(() => dev2.denied.get(mine.name) === 'forbidden', 5000, 'colleague refused');
    const leadCopy = leadDev.attach(mine.name);
    await leadDev.saved(leadCopy);
    expect(readHousehold(leadCopy.document).household.headName).toBe('新登记户');

    // Leads-only API.
    expect((await api(t.url, 'GET', '/api/devices', { token: m.token })).status).toBe(403);
    expect((await api(t.url, 'POST', '/api/invites', { token: m.token, body: { role: 'member' } })).json.error.code).toBe('forbidden');
    const inv = await api(t.url, 'POST', '/api/invites', { token: one.lead.token, body: { role: 'member' } });
    expect(inv.status).toBe(201);
    expect(inv.json.code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    for (const d of [dev, dev2, leadDev, foreign.dev]) d.destroy();
  });

  it('an unlinked member may still write for the grace period, then not', async () => {
    const { teamId, lead, members } = await teamWith(t, ['钱伟']);
    const m = members[0]!;
    const { dev: leadDev, team, teamP, households } = await leadWithHouseholds(lead, teamId, 1);
    const h = households[0]!;
    linkMembers(team, h.id, [m.memberId], actor(lead.memberId));
    await leadDev.saved(teamP);
    unlinkMembers(team, h.id, [m.memberId], actor(lead.memberId));
    await leadDev.saved(teamP);

    const dev = new Device(t.wsUrl, m.token);
    const p = dev.attach(h.name);
    await dev.saved(p);
    visit(p.document, actor(m.memberId), '离线时记下的走访');
    await dev.saved(p);
    expect(readHousehold((await t.relay.services.store.load(h.name))!).visits.map((v) => v.said)).toEqual(['离线时记下的走访']);
    dev.destroy();

    // 31 days later the household is closed to them.
    await t.relay.services.db.run('UPDATE access SET changed_at = @at WHERE household_id = @hid', { at: new Date(Date.now() - 31 * 86400_000).toISOString(), hid: h.id });
    const later = new Device(t.wsUrl, m.token);
    later.attach(h.name);
    await waitFor(() => later.denied.get(h.name) === 'forbidden', 5000, 'refused after grace');
    later.destroy();
    leadDev.destroy();
  });
});

describe('merged duplicates and registered households', () => {
  it('a member linked to the merge target opens the duplicate too, and a creator keeps what they registered', async () => {
    const { teamId, lead, members } = await teamWith(t, ['周敏', '吴刚']);
    const [m, m2] = members as [Joined, Joined];
    const { dev: leadDev, team, teamP, households } = await leadWithHouseholds(lead, teamId, 2);
    const [target, duplicate] = households as [(typeof households)[0], (typeof households)[0]];
    linkMembers(team, target.id, [m.memberId], actor(lead.memberId));
    await leadDev.saved(teamP);

    const dev = new Device(t.wsUrl, m.token);
    dev.attach(duplicate.name);
    await waitFor(() => dev.denied.get(duplicate.name) === 'forbidden', 5000, 'duplicate refused before the merge');
    dev.destroy();

    mergeHouseholds(team, duplicate.id, target.id, actor(lead.memberId));
    await leadDev.saved(teamP);
    const after = new Device(t.wsUrl, m.token);
    const p = after.attach(duplicate.name);
    await after.saved(p);
    expect(readHousehold(p.document).household.headName).toBe('户主1');
    // the team doc, the target and its duplicate
    expect((await api(t.url, 'GET', '/api/changes?since=0', { token: m.token })).json.readable).toBe(3);
    after.destroy();

    // m2 registers a household; the lead links it to m: m2 still reaches it.
    const dev2 = new Device(t.wsUrl, m2.token);
    const mine = newHousehold(teamId, actor(m2.memberId), '自己登记的户');
    await dev2.saved(dev2.attach(mine.name, mine.doc));
    linkMembers(team, mine.id, [m.memberId], actor(lead.memberId));
    await leadDev.saved(teamP);
    dev2.destroy();
    await t.relay.services.db.run('UPDATE access SET changed_at = @at', { at: new Date(Date.now() - 31 * 86400_000).toISOString() });
    const again = new Device(t.wsUrl, m2.token);
    const q = again.attach(mine.name);
    await again.saved(q);
    expect(readHousehold(q.document).household.headName).toBe('自己登记的户');
    again.destroy();
    leadDev.destroy();
  });
});

describe('tokens and revocation', () => {
  it('revoking a device closes its socket at once and refuses it everywhere', async () => {
    const { teamId, lead, members } = await teamWith(t, ['孙强']);
    const m = members[0]!;
    const { dev: leadDev, team, teamP, households } = await leadWithHouseholds(lead, teamId, 1);
    linkMembers(team, households[0]!.id, [m.memberId], actor(lead.memberId));
    await leadDev.saved(teamP);
    const dev = new Device(t.wsUrl, m.token);
    await dev.saved(dev.attach(households[0]!.name));

    const r = await api(t.url, 'POST', `/api/devices/${m.deviceId}/revoke`, { token: lead.token });
    expect(r.json).toEqual({ deviceId: m.deviceId, revoked: true, reason: null });
    // The relay closes the socket itself, with the revocation code: not the token running out
    // or a ping timing out (those close differently, and much later).
    await waitFor(() => dev.closes.length > 0, 30_000, 'socket closed');
    expect(dev.closes[0]).toEqual({ code: 4403, reason: 'device-revoked' });
    dev.destroy();

    const raw = new RawClient(t.wsUrl);
    await raw.auth(households[0]!.name, m.token).catch(() => undefined);
    expect(await raw.waitClosed()).toEqual({ code: 4403, reason: 'device-revoked' });
    const http = await api(t.url, 'GET', '/api/changes?since=0', { token: m.token });
    expect(http.status).toBe(403);
    expect(http.json.error.code).toBe('device_revoked');
    expect((await api(t.url, 'POST', '/api/token/refresh', { token: m.token })).status).toBe(403);
    const list = await api(t.url, 'GET', '/api/devices', { token: lead.token });
    expect(list.json.devices.find((d: { deviceId: string }) => d.deviceId === m.deviceId).revokedAt).toBeTruthy();
    leadDev.destroy();
  });

  it('a device revoked from the admin CLI is stopped within seconds', async () => {
    const { teamId, lead } = await teamWith(t, []);
    const dev = new Device(t.wsUrl, lead.token);
    await dev.saved(dev.attach(teamDocName(teamId)));
    const out = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'sync-server/src/admin.ts'), 'device', 'revoke', lead.deviceId], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: t.dataDir, ...backendEnv(t.dataDir) },
      encoding: 'utf8',
    });
    expect(out.status).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ deviceId: lead.deviceId, revoked: true });
    await waitFor(() => dev.closes.length > 0, 3000, 'socket closed');
    expect(dev.closes[0]).toEqual({ code: 4403, reason: 'device-revoked' });
    dev.destroy();
  });

  it('expired and forged tokens get 4401 with the reason, and an expired one can be refreshed', async () => {
    const { teamId, lead } = await teamWith(t, []);
    const oldTokens = new TokenService(loadSecret(t.dataDir), -1, 365);
    const expired = (await oldTokens.sign({ deviceId: lead.deviceId, teamId, memberId: lead.memberId, role: 'lead' })).token;
    const forged = (await new TokenService(new TextEncoder().encode('x'.repeat(43)), 30, 365).sign({ deviceId: lead.deviceId, teamId, memberId: lead.memberId, role: 'lead' })).token;

    for (const [token, reason] of [
      [expired, 'token-expired'],
      [forged, 'token-invalid'],
      ['not-a-jwt', 'token-invalid'],
    ] as const) {
      const dev = new Device(t.wsUrl, token);
      const p = dev.attach(teamDocName(teamId));
      await waitFor(() => dev.closes.length > 0, 3000, `close for ${reason}`);
      expect(dev.closes[0]).toEqual({ code: 4401, reason });
      expect(p.document.getMap('meta').size).toBe(0);
      dev.destroy();
    }
    expect((await api(t.url, 'GET', '/api/changes?since=0', { token: expired })).json.error.code).toBe('token_expired');
    expect((await api(t.url, 'GET', '/api/changes?since=0', { token: forged })).json.error.code).toBe('token_invalid');
    expect((await api(t.url, 'GET', '/api/changes?since=0')).status).toBe(401);

    const fresh = await api(t.url, 'POST', '/api/token/refresh', { token: expired });
    expect(fresh.status).toBe(200);
    expect(fresh.json).toMatchObject({ teamId, memberId: lead.memberId, deviceId: lead.deviceId, role: 'lead' });
    const dev = new Device(t.wsUrl, fresh.json.token);
    await dev.saved(dev.attach(teamDocName(teamId)));
    dev.destroy();

    const ancient = (await new TokenService(loadSecret(t.dataDir), -400, 365).sign({ deviceId: lead.deviceId, teamId, memberId: lead.memberId, role: 'lead' })).token;
    expect((await api(t.url, 'POST', '/api/token/refresh', { token: ancient })).json.error.code).toBe('token_expired');
  });
});

describe('joining', () => {
  it('keeps a member id the device already uses, refuses someone else’s, and uses a code once', async () => {
    const { teamId, lead } = await teamWith(t, []);
    const code = await invite(t, teamId);
    const alone = await join(t.url, code, '吴敏', 'phone', 'my-own-member-id');
    expect(alone.memberId).toBe('my-own-member-id');
    expect(alone.teamName).toBe('测试班组');

    const reuse = await api(t.url, 'POST', '/api/invites/redeem', { body: { code, memberName: '吴敏', deviceName: 'phone2' } });
    expect([reuse.status, reuse.json.error.code]).toEqual([410, 'invite_used']);
    const takeover = await api(t.url, 'POST', '/api/invites/redeem', { body: { code: await invite(t, teamId), memberName: '冒名', deviceName: 'x', memberId: lead.memberId } });
    expect([takeover.status, takeover.json.error.code]).toEqual([409, 'member_exists']);

    // A second phone for the same member needs an invite made for that member.
    const forHer = await api(t.url, 'POST', '/api/invites', { token: lead.token, body: { role: 'member', memberId: alone.memberId } });
    const second = await join(t.url, forHer.json.code.toLowerCase().replace(/-/g, ' '), '吴敏', 'tablet');
    expect(second.memberId).toBe(alone.memberId);
    expect(second.deviceId).not.toBe(alone.deviceId);

    const unknown = await api(t.url, 'POST', '/api/invites/redeem', { body: { code: 'AAAA-BBBB-CCCC', memberName: 'x', deviceName: 'y' } });
    expect([unknown.status, unknown.json.error.code]).toEqual([404, 'invite_invalid']);
    const noName = await api(t.url, 'POST', '/api/invites/redeem', { body: { code: await invite(t, teamId), memberName: '', deviceName: 'y' } });
    expect(noName.json.error.code).toBe('member_name_invalid');
  });
});
