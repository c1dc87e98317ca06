import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { teamDocName } from '@/docs/schema';
import { linkMembers, memberLeaves, unlinkMembers } from '@/docs/team-doc';
import { actor, newHousehold } from './helpers/fixtures';
import { RawClient, syncFrame, T } from './helpers/raw';
import { Device, startTestRelay, teamWith, waitFor, type Joined, type TestRelay } from './helpers/relay';

let t: TestRelay | undefined;
const sockets: RawClient[] = [];
afterEach(async () => {
  for (const c of sockets.splice(0)) c.close();
  await t?.close();
  t = undefined;
});

function socket(relay: TestRelay): RawClient {
  const c = new RawClient(relay.wsUrl);
  sockets.push(c);
  return c;
}

/** A small change from a fresh Yjs client. */
function note(text: string): Uint8Array {
  const d = new Y.Doc();
  d.getText('notes').insert(0, text);
  return Y.encodeStateAsUpdate(d);
}

/** Send one update on an authenticated socket and say what the relay made of it. */
async function write(c: RawClient, name: string, update: Uint8Array): Promise<'acked' | 'not-saved' | 'denied' | 'closed' | 'no-answer'> {
  const from = c.received.length;
  c.send(syncFrame(name, 2, update));
  const m = await c.waitFor((m) => m.docName === name && (m.type === T.SyncStatus || (m.type === T.Auth && m.authType === 1)), 3000, from).catch(() => undefined);
  if (!m) return c.closed ? 'closed' : 'no-answer';
  if (m.type === T.SyncStatus) return m.saved ? 'acked' : 'not-saved';
  return 'denied';
}

/** The lead's device on the team doc, for linking and unlinking. */
async function leadTeamDoc(relay: TestRelay, lead: Joined, teamId: string) {
  const dev = new Device(relay.wsUrl, lead.token);
  const team = new Y.Doc();
  const p = dev.attach(teamDocName(teamId), team);
  await dev.saved(p);
  return { dev, team, saved: () => dev.saved(p) };
}

const stored = async (name: string) => (await t!.relay.services.store.row(name))?.last_seq ?? 0;

describe('access re-checked on open sockets', () => {
  it('a socket stops writing when its token expires', async () => {
    t = await startTestRelay({ config: { tokenTtlDays: 3 / 86400 } });
    const { teamId, members } = await teamWith(t, ['李明']);
    const m = members[0]!;
    const h = newHousehold(teamId, actor(m.memberId));
    const c = socket(t);
    expect((await c.auth(h.name, m.token)).authType).toBe(2);
    expect(await write(c, h.name, Y.encodeStateAsUpdate(h.doc))).toBe('acked');
    const expiry = Date.parse(m.expiresAt);
    await waitFor(() => Date.now() > expiry + 50, 10_000, 'token expiry');
    const before = await stored(h.name);
    expect(await write(c, h.name, note('过期之后'))).toBe('closed');
    expect(c.closed).toEqual({ code: 4401, reason: 'token-expired' });
    expect(await stored(h.name)).toBe(before);
  });

  it('a member unlinked from a household writes during the grace, and not after it', async () => {
    t = await startTestRelay({ config: { unlinkGraceDays: 2 / 86400 } });
    const { teamId, lead, members } = await teamWith(t, ['李明']);
    const m = members[0]!;
    const leadSide = await leadTeamDoc(t, lead, teamId);
    const h = newHousehold(teamId, actor(lead.memberId));
    const lc = socket(t);
    expect((await lc.auth(h.name, lead.token)).authType).toBe(2);
    expect(await write(lc, h.name, Y.encodeStateAsUpdate(h.doc))).toBe('acked');
    linkMembers(leadSide.team, h.id, [m.memberId], actor(lead.memberId));
    await leadSide.saved();

    const c = socket(t);
    expect((await c.auth(h.name, m.token)).authType).toBe(2);
    expect(await write(c, h.name, note('联系中'))).toBe('acked');
    const before = Date.now();
    unlinkMembers(leadSide.team, h.id, [m.memberId], actor(lead.memberId));
    await leadSide.saved();
    expect(await write(c, h.name, note('宽限期内'))).toBe('acked');
    await waitFor(() => Date.now() > before + 2000 + 100, 10_000, 'end of the grace');
    const seq = await stored(h.name);
    expect(await write(c, h.name, note('宽限期后'))).toBe('denied');
    expect(await stored(h.name)).toBe(seq);
    leadSide.dev.destroy();
  });

  it('a member marked as left stops writing at once', async () => {
    t = await startTestRelay();
    const { teamId, lead, members } = await teamWith(t, ['李明']);
    const m = members[0]!;
    const leadSide = await leadTeamDoc(t, lead, teamId);
    const h = newHousehold(teamId, actor(m.memberId));
    const c = socket(t);
    expect((await c.auth(h.name, m.token)).authType).toBe(2);
    expect(await write(c, h.name, Y.encodeStateAsUpdate(h.doc))).toBe('acked');
    // The write that created the household emptied the access cache; this one leaves the
    // member's decision in it, so only the team doc's change can take it out.
    expect(await write(c, h.name, note('离开之前'))).toBe('acked');
    memberLeaves(leadSide.team, m.memberId, lead.memberId, actor(lead.memberId));
    await leadSide.saved();
    const seq = await stored(h.name);
    expect(await write(c, h.name, note('离开之后'))).toBe('denied');
    expect(await stored(h.name)).toBe(seq);
    leadSide.dev.destroy();
  });

  it('a new household belongs to its first writer: another member who attached it first neither reads nor writes it', async () => {
    t = await startTestRelay();
    const { teamId, members } = await teamWith(t, ['先打开的', '先写的']);
    const [early, writer] = members as [Joined, Joined];
    const h = newHousehold(teamId, actor(writer.memberId), '新户');
    const a = socket(t);
    expect((await a.auth(h.name, early.token)).authType).toBe(2); // nobody has it: allowed, as a new household
    const b = socket(t);
    expect((await b.auth(h.name, writer.token)).authType).toBe(2);
    expect(await write(b, h.name, Y.encodeStateAsUpdate(h.doc))).toBe('acked');
    await a.waitFor((m) => m.docName === h.name && m.type === T.Auth && m.authType === 1);
    // Nothing of the writer's household reached the one who only attached it.
    expect(a.received.filter((m) => m.docName === h.name && m.type === T.Sync)).toEqual([]);
    const seq = await stored(h.name);
    expect(await write(a, h.name, note('抢先'))).not.toBe('acked');
    expect(await stored(h.name)).toBe(seq);
    expect((await t.relay.services.store.row(h.name))!.created_by_member).toBe(writer.memberId);
  });
});
