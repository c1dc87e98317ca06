import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { teamDocName } from '@/docs/schema';
import { actor, newHousehold, visit } from './helpers/fixtures';
import { authFrame, frame, RawClient, syncFrame, T } from './helpers/raw';
import { api, createTeam, Device, invite, join, startTestRelay, teamWith, waitFor, type TestRelay } from './helpers/relay';

let t: TestRelay;
beforeAll(async () => {
  t = await startTestRelay({
    limits: {
      maxMessageBytes: 16 * 1024,
      // Short enough to wait for, long enough that a loaded CI machine reads 20 frames before it
      // (at 300 ms the pre-auth bound's test saw the auth deadline first).
      authTimeoutMs: 1500,
      maxPreAuthBytes: 8 * 1024,
      maxDocsPerConnection: 5,
      maxPendingAuth: 3,
      messagesPerSecond: 20,
      messageBurst: 60,
      connectionsPerMinute: 6,
      connectionBurst: 6,
      maxSocketsPerDevice: 3,
      httpPerSecond: 1,
      httpBurst: 10,
      redeemFailuresPerMinute: 5,
      maxUnauthenticatedPerIp: 5,
    },
  });
});
afterAll(async () => {
  await t.close();
});

const queryAwareness = (doc: string) => frame(doc, (e) => encoding.writeVarUint(e, T.QueryAwareness));

describe('limits', () => {
  it('a socket that does not authenticate in time is closed with 4408', async () => {
    const c = new RawClient(t.wsUrl);
    await c.open();
    const started = Date.now();
    expect(await c.waitClosed(6000)).toEqual({ code: 4408, reason: 'auth-timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
  });

  it('caps sockets from one address that have not authenticated yet, closing the oldest first', async () => {
    const idle = Array.from({ length: 5 }, () => new RawClient(t.wsUrl));
    await Promise.all(idle.map((c) => c.open()));
    // A sixth gets in: the oldest idle one makes room for it.
    const sixth = new RawClient(t.wsUrl);
    await sixth.open();
    expect(await idle[0]!.waitClosed()).toEqual({ code: 4429, reason: 'too-many-unauthenticated' });
    // The others and the sixth run out of time as usual.
    for (const c of [...idle.slice(1), sixth]) expect(await c.waitClosed()).toEqual({ code: 4408, reason: 'auth-timeout' });
  });

  it('bounds what a socket may send before it has authenticated', async () => {
    const { teamId } = await createTeam(t);
    const c = new RawClient(t.wsUrl);
    await c.open();
    // Sync messages for a doc whose token never comes: held, until the bound.
    const big = new Y.Doc();
    big.getText('notes').insert(0, 'x'.repeat(900));
    const update = Y.encodeStateAsUpdate(big);
    for (let i = 0; i < 20 && !c.closed; i++) c.send(syncFrame(teamDocName(teamId), 2, update));
    expect(await c.waitClosed()).toEqual({ code: 4413, reason: 'too-much-before-auth' });
  });

  it('refuses an update larger than the message limit with 4413, and only that socket', async () => {
    const { teamId, lead } = await teamWith(t, []);
    const dev = new Device(t.wsUrl, lead.token);
    const h = newHousehold(teamId, actor(lead.memberId));
    const p = dev.attach(h.name, h.doc);
    await dev.saved(p);
    h.doc.getText('notes').insert(0, '很长的备注'.repeat(1500)); // ~22 KB of UTF-8: over the limit, under ws's ceiling
    await waitFor(() => dev.closes.length > 0, 3000, 'close');
    expect(dev.closes[0]).toEqual({ code: 4413, reason: 'message-too-large' });
    dev.destroy();
  });

  it('caps documents per socket and documents awaiting authentication', async () => {
    const { teamId, lead } = await teamWith(t, []);
    const names = Array.from({ length: 6 }, () => newHousehold(teamId, actor(lead.memberId)).name);
    const c = new RawClient(t.wsUrl);
    for (const n of names.slice(0, 5)) expect((await c.auth(n, lead.token)).authType).toBe(2);
    c.send(authFrame(names[5]!, lead.token));
    expect(await c.waitClosed()).toEqual({ code: 4429, reason: 'too-many-documents' });

    // Messages for documents whose token has not come yet are held; a fourth such document is too many.
    const d = new RawClient(t.wsUrl);
    expect((await d.auth(names[0]!, lead.token)).authType).toBe(2);
    for (const n of names.slice(1, 5)) d.send(syncFrame(n, 0, new Uint8Array([0])));
    expect(await d.waitClosed()).toEqual({ code: 4429, reason: 'too-many-documents' });
  });

  it('limits messages per device, not per address: a flooding phone does not stop its colleague', async () => {
    const { teamId, lead, members } = await teamWith(t, ['刷屏的手机']);
    const flooder = members[0]!;
    const h = newHousehold(teamId, actor(flooder.memberId));
    const c = new RawClient(t.wsUrl);
    expect((await c.auth(h.name, flooder.token)).authType).toBe(2);
    for (let i = 0; i < 200 && !c.closed; i++) c.send(queryAwareness(h.name));
    expect(await c.waitClosed()).toEqual({ code: 4429, reason: 'rate-limited' });

    // Same machine, same IP, another device: unaffected.
    const dev = new Device(t.wsUrl, lead.token);
    const mine = newHousehold(teamId, actor(lead.memberId));
    const p = dev.attach(mine.name, mine.doc);
    await dev.saved(p);
    visit(mine.doc, actor(lead.memberId), '照常保存');
    await dev.saved(p);
    expect(dev.closes).toEqual([]);
    dev.destroy();
  });

  it('limits new and open sockets per device', async () => {
    const { teamId, lead, members } = await teamWith(t, ['多开']);
    const m = members[0]!;
    const team = teamDocName(teamId);
    const open: RawClient[] = [];
    for (let i = 0; i < 3; i++) {
      const c = new RawClient(t.wsUrl);
      expect((await c.auth(team, m.token)).authType).toBe(2);
      open.push(c);
    }
    const fourth = new RawClient(t.wsUrl);
    await fourth.auth(team, m.token).catch(() => undefined);
    expect(await fourth.waitClosed()).toEqual({ code: 4429, reason: 'too-many-sockets' });
    // The relay has let a closed socket go once the device holds none.
    const released = () => waitFor(() => !t.relay.services.sessions.deviceIds().includes(m.deviceId), 5000, 'the relay registered the closes');
    for (const c of open) c.close();
    await released();
    // 6 per minute: 3 used above, 3 more pass, the next is refused.
    for (let i = 0; i < 3; i++) {
      const c = new RawClient(t.wsUrl);
      expect((await c.auth(team, m.token)).authType).toBe(2);
      c.close();
      await released();
    }
    const again = new RawClient(t.wsUrl);
    await again.auth(team, m.token).catch(() => undefined);
    expect(await again.waitClosed()).toEqual({ code: 4429, reason: 'rate-limited' });
    // The lead's device has its own budget.
    const lc = new RawClient(t.wsUrl);
    expect((await lc.auth(team, lead.token)).authType).toBe(2);
    lc.close();
  });

  it('limits API requests per device and wrong invite codes per address', async () => {
    const { lead, members } = await teamWith(t, ['查询']);
    let status = 200;
    let n = 0;
    while (status === 200 && n < 50) {
      status = (await api(t.url, 'GET', '/api/changes?since=0', { token: members[0]!.token })).status;
      n++;
    }
    expect(status).toBe(429);
    expect(n).toBeGreaterThanOrEqual(10);
    expect((await api(t.url, 'GET', '/api/changes?since=0', { token: lead.token })).status).toBe(200);

    const { teamId } = await createTeam(t);
    const good = await invite(t, teamId);
    for (let i = 0; i < 5; i++) {
      const r = await api(t.url, 'POST', '/api/invites/redeem', { body: { code: `WRONG-CODE-${i}`, memberName: 'x', deviceName: 'y' } });
      expect(r.status).toBe(404);
    }
    const locked = await api(t.url, 'POST', '/api/invites/redeem', { body: { code: good, memberName: 'x', deviceName: 'y' } });
    expect([locked.status, locked.json.error.code]).toEqual([429, 'rate_limited']);
    await expect(join(t.url, good, 'x')).rejects.toThrow(/429/);
  });
});
