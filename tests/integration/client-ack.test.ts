import { describe, expect, it } from 'vitest';
import { addVisit, createHousehold, readHousehold } from '@/docs/household-doc';
import { newId } from '@/domain/ids';
import { syncOnce, waitForStatus } from './helpers/client-device';
import { clientSuite } from './helpers/client-suite';
import { actor, profile } from './helpers/fixtures';
import { join, waitFor, type ChildRelay } from './helpers/relay';

// A relay process per test (its team made by the admin CLI), so it can be frozen and killed.
const { relays, device } = clientSuite({ relay: 'process' });

const visitOf = (memberId: string, said: string) => ({ id: newId(), kind: 'home' as const, visitorIds: [memberId], visitedAt: new Date().toISOString(), observations: {}, said, notes: '', photos: [] });

describe('the ack rule on the client', () => {
  it('keeps a doc unsynced until the relay acknowledged it: a relay frozen and killed before the ack leaves it unsynced, a restart takes it', async () => {
    const started = await relays.startWithTeam({}, '北山班组');
    let relay = started.relay;
    const { teamId, inviteCode } = started;
    const lead = await join(relay.url, inviteCode, '王书记', 'lead-phone');
    const d = await device(relay.url, lead, 'ack-lead', { stallMs: 1500, connectTimeoutMs: 2000, httpTimeoutMs: 2000, retryBaseMs: 300, retryMaxMs: 1000 });
    const id = newId();
    const name = d.household(id);
    await d.records.commit(name, (doc) => createHousehold(doc, { id, teamId, profile: profile('孙大爷') }, actor(lead.memberId)));
    await waitForStatus(d, (s) => s.state === 'synced' && s.pendingHouseholds === 0, 15_000, 'household on the relay');

    // The relay freezes (no ack can come), the member saves a visit on the live socket.
    relay.proc.kill('SIGSTOP');
    await d.records.commit(name, (doc) => addVisit(doc, visitOf(lead.memberId, '冻结时的走访'), actor(lead.memberId)));
    // A frozen relay sends nothing, so there is no event to await: give a wrong client time to claim the ack.
    await new Promise((r) => setTimeout(r, 600));
    expect((await d.records.db.docs.get(name))?.unsynced).toBe(1);
    expect(d.engine.status.state).not.toBe('synced');
    expect(d.engine.status.pendingHouseholds).toBe(1);
    // The stall is noticed and said.
    await waitForStatus(d, (s) => s.state === 'error' && s.reason === 'stalled', 10_000, 'stall detected');

    await relay.kill('SIGKILL');
    // Nor from a killed one (only the socket's close, which must change nothing): the same wait.
    await new Promise((r) => setTimeout(r, 300));
    expect((await d.records.db.docs.get(name))?.unsynced).toBe(1);
    expect(d.statuses.some((s) => s.state === 'synced' && s.pendingHouseholds > 0)).toBe(false);

    // Back on the same port: the retry takes the visit up, and only then is it synced.
    relay = await relays.restart();
    await syncOnce(d);
    await waitForStatus(d, (s) => s.state === 'synced' && s.pendingHouseholds === 0, 15_000, 'synced after restart');
    expect((await d.records.db.docs.get(name))?.unsynced).toBe(0);

    // Everything acknowledged survives a kill -9: a new device of the team finds it all.
    await relay.kill('SIGKILL');
    relay = await relays.restart();
    const laptop = await join(relay.url, await leadInvite(relay, lead.token, lead.memberId), '王书记', 'laptop', lead.memberId);
    const other = await device(relay.url, laptop, 'ack-laptop');
    await waitForStatus(other, (s) => s.state === 'synced', 15_000, 'laptop synced');
    expect(readHousehold(await other.records.doc(name)).visits.map((v) => v.said)).toEqual(['冻结时的走访']);
  });

  it('detects a relay that stops answering mid-sync, retries, and finishes when it answers again', async () => {
    const { relay, teamId, inviteCode } = await relays.startWithTeam({}, '南沟班组');
    const lead = await join(relay.url, inviteCode, '陈书记', 'lead-phone');
    const d = await device(relay.url, lead, 'stall-lead', { stallMs: 800, connectTimeoutMs: 1500, httpTimeoutMs: 1500, retryBaseMs: 200, retryMaxMs: 600 });
    await waitForStatus(d, (s) => s.state === 'synced', 15_000, 'first sync');
    d.setOnline(false);
    const ids = Array.from({ length: 40 }, () => newId());
    for (const id of ids) await d.records.commit(d.household(id), (doc) => createHousehold(doc, { id, teamId, profile: profile('周奶奶') }, actor(lead.memberId)));
    await waitForStatus(d, (s) => s.pendingHouseholds === 40 && s.state === 'offline', 10_000, 'all pending offline');

    // The relay freezes as soon as documents attach (the change feed has answered).
    const attachedBefore = d.engine.stats.attaches;
    d.setOnline(true);
    const freeze = waitFor(() => d.engine.stats.attaches > attachedBefore, 10_000, 'docs attaching').then(() => relay.proc.kill('SIGSTOP'));
    void d.engine.syncNow();
    await freeze;
    // The stall is detected and said as such; nothing is claimed synced meanwhile.
    const failed = await waitForStatus(d, (s) => s.state === 'error' && s.reason === 'stalled', 15_000, 'stall reported');
    expect(failed.pendingHouseholds).toBeGreaterThan(0);
    expect(d.statuses.some((s) => s.state === 'synced' && s.pendingHouseholds > 0)).toBe(false);

    relay.proc.kill('SIGCONT');
    await waitForStatus(d, (s) => s.state === 'synced' && s.pendingHouseholds === 0, 20_000, 'retried to the end');
    for (const id of ids) expect((await d.records.db.docs.get(d.household(id)))?.unsynced).toBe(0);
  });
});

async function leadInvite(relay: ChildRelay, token: string, memberId: string): Promise<string> {
  const res = await fetch(`${relay.url}/api/invites`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ role: 'lead', memberId }) });
  const body = (await res.json()) as { code: string };
  return body.code;
}
