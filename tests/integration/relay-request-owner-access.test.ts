import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { readHousehold, setRequestFields, setRequestStatus } from '@/docs/household-doc';
import { teamDocName } from '@/docs/schema';
import { linkMembers } from '@/docs/team-doc';
import { newId } from '@/domain/ids';
import { actor, newHousehold, request } from './helpers/fixtures';
import { RawClient, syncFrame, T } from './helpers/raw';
import { api, Device, startTestRelay, teamWith, waitFor, type Joined, type TestRelay } from './helpers/relay';

// Access follows request ownership (issue 11 item 5, ADR 0024): a request handed to a member
// not linked to its household reaches that member — in their change feed, for reading and
// writing — until it is handed away, or closed and aged.

let t: TestRelay | undefined;
const cleanup: (() => void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) c();
  await t?.close();
  t = undefined;
});

function socket(relay: TestRelay): RawClient {
  const c = new RawClient(relay.wsUrl);
  cleanup.push(() => c.close());
  return c;
}

function note(text: string): Uint8Array {
  const d = new Y.Doc();
  d.getText('notes').insert(0, text);
  return Y.encodeStateAsUpdate(d);
}

async function write(c: RawClient, name: string, update: Uint8Array): Promise<'acked' | 'not-saved' | 'denied' | 'closed' | 'no-answer'> {
  const from = c.received.length;
  c.send(syncFrame(name, 2, update));
  const m = await c.waitFor((m) => m.docName === name && (m.type === T.SyncStatus || (m.type === T.Auth && m.authType === 1)), 3000, from).catch(() => undefined);
  if (!m) return c.closed ? 'closed' : 'no-answer';
  if (m.type === T.SyncStatus) return m.saved ? 'acked' : 'not-saved';
  return 'denied';
}

/** The lead's device holding the team doc and one household, as the lead's phone would. */
async function leadSide(relay: TestRelay, lead: Joined, teamId: string, household: { name: string; doc: Y.Doc }) {
  const dev = new Device(relay.wsUrl, lead.token);
  cleanup.push(() => dev.destroy());
  const team = new Y.Doc();
  const tp = dev.attach(teamDocName(teamId), team);
  await dev.saved(tp);
  const hp = dev.attach(household.name, household.doc);
  await dev.saved(hp);
  return { team, teamSaved: () => dev.saved(tp), saved: () => dev.saved(hp) };
}

const feed = async (m: Joined, since = 0) => (await api(t!.url, 'GET', `/api/changes?since=${since}`, { token: m.token })).json as { seq: number; changed: string[]; revoked: string[]; readable: number };

/** Open a doc on a fresh socket as this member: 2 = allowed, 1 = denied. */
async function opens(m: Joined, name: string): Promise<{ c: RawClient; authType: number }> {
  const c = socket(t!);
  const a = await c.auth(name, m.token);
  return { c, authType: a.authType ?? 0 };
}

describe('access follows request ownership', () => {
  it('a request handed to a member not linked to the household reaches them, and leaves them when handed away', async () => {
    t = await startTestRelay();
    const { teamId, lead, members } = await teamWith(t, ['王芳', '张伟', '李明']);
    const [linked, helper, third] = members as [Joined, Joined, Joined];
    const h = newHousehold(teamId, actor(lead.memberId), '赵大娘');
    const rid = request(h.doc, actor(linked.memberId), '想申请低保');
    const side = await leadSide(t, lead, teamId, h);
    linkMembers(side.team, h.id, [linked.memberId], actor(lead.memberId));
    await side.teamSaved();

    // 张伟 is not linked and owns nothing here: no feed entry, no access.
    const before = await feed(helper);
    expect(before.changed).not.toContain(h.name);
    expect((await opens(helper, h.name)).authType).toBe(1);

    // The lead hands the request to 张伟; once the write is acknowledged, the feed says so.
    setRequestFields(h.doc, rid, { ownerId: helper.memberId }, { id: newId(), at: new Date().toISOString(), by: lead.memberId, kind: 'assign', text: '' });
    await side.saved();
    const after = await feed(helper, before.seq);
    expect(after.changed).toContain(h.name);
    expect(after.readable).toBe(before.readable + 1);

    // 张伟's phone reads the whole file (the request and the household it is for) and writes to it.
    const { c, authType } = await opens(helper, h.name);
    expect(authType).toBe(2);
    const phone = new Device(t.wsUrl, helper.token);
    cleanup.push(() => phone.destroy());
    const got = new Y.Doc();
    await phone.saved(phone.attach(h.name, got));
    expect(readHousehold(got).requests.map((r) => [r.id, r.ownerId])).toEqual([[rid, helper.memberId]]);
    expect(readHousehold(got).household.headName).toBe('赵大娘');
    expect(await write(c, h.name, note('张伟已联系民政所'))).toBe('acked');
    // A third member still reaches nothing.
    expect((await opens(third, h.name)).authType).toBe(1);

    // Handed on to 李明: 张伟 is told it is revoked, 李明 gets it.
    const helperSeq = (await feed(helper)).seq;
    const thirdSeq = (await feed(third)).seq;
    setRequestFields(h.doc, rid, { ownerId: third.memberId }, { id: newId(), at: new Date().toISOString(), by: lead.memberId, kind: 'assign', text: '' });
    await side.saved();
    expect((await feed(helper, helperSeq)).revoked).toContain(h.name);
    expect((await feed(third, thirdSeq)).changed).toContain(h.name);
    expect((await opens(third, h.name)).authType).toBe(2);
  });

  it('the owner keeps a closed request’s household for the configured days after closing, then loses it', async () => {
    t = await startTestRelay({ config: { closedRequestAccessDays: 2 / 86400, unlinkGraceDays: 0 } });
    const { teamId, lead, members } = await teamWith(t, ['张伟']);
    const helper = members[0]!;
    const h = newHousehold(teamId, actor(lead.memberId), '钱大爷');
    const rid = request(h.doc, actor(helper.memberId), '屋顶漏雨');
    const side = await leadSide(t, lead, teamId, h);
    const start = await feed(helper);
    expect(start.changed).toContain(h.name);

    const closedAt = Date.now();
    setRequestStatus(h.doc, rid, { status: 'resolved' }, { id: newId(), at: new Date(closedAt).toISOString(), by: lead.memberId, kind: 'status', status: 'resolved', text: '已修好' });
    await side.saved();
    // Closed a moment ago: the owner still reaches it (the household's rating comes later).
    const { c } = await opens(helper, h.name);
    expect(await write(c, h.name, note('回访：满意'))).toBe('acked');
    expect((await feed(helper)).readable).toBe(start.readable);

    // Aged: the relay takes it away by itself (no write, no team change needed).
    await waitFor(async () => (await feed(helper, start.seq)).revoked.includes(h.name), 10_000, 'aged request revoked');
    expect(Date.now()).toBeGreaterThanOrEqual(closedAt + 2000);
    expect((await opens(helper, h.name)).authType).toBe(1);
    expect(await write(c, h.name, note('太晚了'))).toBe('denied');
  });
});
