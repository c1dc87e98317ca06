import { afterEach, describe, expect, it } from 'vitest';
import { teamDocName } from '@/docs/schema';
import { RawClient } from './helpers/raw';
import { relayProcessPerTest, type ChildRelay, type Joined } from './helpers/relay';

const relays = relayProcessPerTest();
const open: RawClient[] = [];
afterEach(() => {
  for (const c of open.splice(0)) c.close();
});

const FLOOD = '203.0.113.7';
const PHONE = '198.51.100.2';

/** What nginx sends with `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`. */
const via = (client: string) => ({ headers: { 'X-Forwarded-For': client } });

async function redeem(relay: ChildRelay, client: string, code: string, name: string): Promise<{ status: number; json: Joined & { error?: { code: string } } }> {
  const res = await fetch(`${relay.url}/api/invites/redeem`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': client },
    body: JSON.stringify({ code, memberName: name, deviceName: `${name}-phone` }),
  });
  return { status: res.status, json: await res.json() };
}

describe('behind a reverse proxy', () => {
  it('200 sockets that never authenticate through the trusted proxy do not keep a phone out', async () => {
    const { relay: child, teamId, inviteCode } = await relays.startWithTeam({ TRUST_PROXY: '127.0.0.1', LOG_LEVEL: 'info' });
    const lead = (await redeem(child, PHONE, inviteCode, '王书记')).json;
    const team = teamDocName(teamId);

    const flood = Array.from({ length: 200 }, () => new RawClient(child.wsUrl, via(FLOOD)));
    open.push(...flood);
    await Promise.all(flood.map((c) => c.open()));

    // A phone elsewhere, through the same proxy: its own address, its own budget.
    const phone = new RawClient(child.wsUrl, via(PHONE));
    open.push(phone);
    expect((await phone.auth(team, lead.token, 2000)).authType).toBe(2);

    // A phone behind the flooder's own NAT: the oldest unauthenticated socket makes room.
    const neighbour = new RawClient(child.wsUrl, via(FLOOD));
    open.push(neighbour);
    expect((await neighbour.auth(team, lead.token, 2000)).authType).toBe(2);
    expect(await flood[0]!.waitClosed()).toEqual({ code: 4429, reason: 'too-many-unauthenticated' });
    expect(flood.slice(1).filter((c) => c.closed)).toEqual([]);
    // The relay logged the flooder's address, not the proxy's.
    expect(child.log()).toMatch(new RegExp(`"ip":"${FLOOD.replace(/\./g, '\\.')}".*"reason":"too-many-unauthenticated"`));
  });

  it('the cap on unauthenticated sockets from all addresses together closes the oldest, and a phone still gets in', async () => {
    // Each address stays far under its own cap: only the overall one (12) can act.
    const { relay: child, teamId, inviteCode } = await relays.startWithTeam({ TRUST_PROXY: 'loopback', MAX_UNAUTHENTICATED: '12', MAX_UNAUTHENTICATED_PER_IP: '100', AUTH_TIMEOUT_MS: '60000', AUTH_TIMEOUT_UNDER_PRESSURE_MS: '60000' });
    const lead = (await redeem(child, PHONE, inviteCode, '王书记')).json;
    const flood = Array.from({ length: 12 }, (_, i) => new RawClient(child.wsUrl, via(`203.0.113.${10 + i}`)));
    open.push(...flood);
    for (const c of flood) await c.open(); // in order: flood[0] is the oldest
    expect(flood.filter((c) => c.closed)).toEqual([]);

    const phone = new RawClient(child.wsUrl, via(PHONE));
    open.push(phone);
    expect((await phone.auth(teamDocName(teamId), lead.token, 2000)).authType).toBe(2);
    expect(await flood[0]!.waitClosed()).toEqual({ code: 4429, reason: 'too-many-unauthenticated' });
    expect(flood.slice(1).filter((c) => c.closed)).toEqual([]);
    // The phone, authenticated, no longer counts: one more stranger fits, the next pushes out the next oldest.
    const more = [new RawClient(child.wsUrl, via('203.0.113.98')), new RawClient(child.wsUrl, via('203.0.113.99'))];
    open.push(...more);
    await more[0]!.open();
    expect(flood.filter((c) => c.closed).length).toBe(1);
    await more[1]!.open();
    expect(await flood[1]!.waitClosed()).toEqual({ code: 4429, reason: 'too-many-unauthenticated' });
    expect(flood.slice(2).filter((c) => c.closed)).toEqual([]);
    expect(phone.closed).toBeUndefined();
  });

  it('under pressure a new unauthenticated socket gets a short deadline; the earlier ones keep theirs', async () => {
    const { relay: child } = await relays.start({ TRUST_PROXY: 'loopback', MAX_UNAUTHENTICATED_PER_IP: '10', AUTH_TIMEOUT_MS: '60000', AUTH_TIMEOUT_UNDER_PRESSURE_MS: '300' });
    const calm = Array.from({ length: 5 }, () => new RawClient(child.wsUrl, via(FLOOD)));
    open.push(...calm);
    for (const c of calm) await c.open();
    // Half the address's budget is in use: the next one has 300 ms, not 60 s.
    const late = new RawClient(child.wsUrl, via(FLOOD));
    open.push(late);
    expect(await late.waitClosed()).toEqual({ code: 4408, reason: 'auth-timeout' });
    expect(calm.filter((c) => c.closed)).toEqual([]);
    // Another address is not under pressure.
    const elsewhere = new RawClient(child.wsUrl, via(PHONE));
    open.push(elsewhere);
    await elsewhere.open();
    const probe = new RawClient(child.wsUrl, via(FLOOD));
    open.push(probe);
    await probe.waitClosed();
    expect(elsewhere.closed).toBeUndefined();
  });

  it('wrong invite codes count against the address that sent them, not the proxy', async () => {
    const { relay: child, inviteCode } = await relays.startWithTeam({ TRUST_PROXY: '127.0.0.0/8', REDEEM_FAILURES_PER_MINUTE: '5' });
    for (let i = 0; i < 5; i++) expect((await redeem(child, FLOOD, `WRONG-CODE-${i}`, '猜码')).status).toBe(404);
    expect((await redeem(child, FLOOD, inviteCode, '猜码')).status).toBe(429);
    // `Forwarded` (RFC 7239) is read when X-Forwarded-For is absent.
    const res = await fetch(`${child.url}/api/invites/redeem`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Forwarded: `for="${PHONE}:4711";proto=https` },
      body: JSON.stringify({ code: inviteCode, memberName: '王书记', deviceName: 'laptop' }),
    });
    expect(res.status).toBe(201);
  });

  it('believes forwarding headers only from the proxies it was told about', async () => {
    const { relay: child, inviteCode } = await relays.startWithTeam({ TRUST_PROXY: '192.0.2.1', REDEEM_FAILURES_PER_MINUTE: '3' });
    // Every forged address is the same caller to the relay: the loopback peer.
    for (let i = 0; i < 3; i++) expect((await redeem(child, `198.51.100.${10 + i}`, `WRONG-CODE-${i}`, '伪造')).status).toBe(404);
    expect((await redeem(child, '198.51.100.99', inviteCode, '伪造')).status).toBe(429);
  });
});
