import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { teamDocName } from '@/docs/schema';
import { linkMembers, readTeam, unlinkMembers } from '@/docs/team-doc';
import { actor, newHousehold } from './helpers/fixtures';
import { RawClient, syncFrame, T } from './helpers/raw';
import { Device, startTestRelay, teamWith, waitFor, type TestRelay } from './helpers/relay';

/**
 * The relay's access follows the team doc's links (ADR 0021): links written on two offline
 * lead devices both open the household to their members, and a link an older app wrote (a
 * per-household map in `assignments`) opens it until a lead unlinks it where it lives.
 */

let t: TestRelay | undefined;
const closers: (() => void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) c();
  await t?.close();
  t = undefined;
});

function socket(relay: TestRelay): RawClient {
  const c = new RawClient(relay.wsUrl);
  closers.push(() => c.close());
  return c;
}

/** Whether a member's fresh socket may open the household (the relay answers its auth). */
async function opens(relay: TestRelay, name: string, token: string): Promise<boolean> {
  const c = socket(relay);
  return (await c.auth(name, token)).authType === 2;
}

/** Upload a household as the lead (so it exists on the relay, created by the lead). */
async function upload(relay: TestRelay, token: string, h: { name: string; doc: Y.Doc }): Promise<void> {
  const c = socket(relay);
  expect((await c.auth(h.name, token)).authType).toBe(2);
  const from = c.received.length;
  c.send(syncFrame(h.name, 2, Y.encodeStateAsUpdate(h.doc)));
  await c.waitFor((m) => m.docName === h.name && m.type === T.SyncStatus, 3000, from);
}

describe('access by the team doc’s links', () => {
  it('links two offline lead devices made to one household both open it', async () => {
    t = await startTestRelay();
    const { teamId, lead, members } = await teamWith(t, ['李明', '王芳']);
    const [a, b] = members as [(typeof members)[0], (typeof members)[0]];
    const h = newHousehold(teamId, actor(lead.memberId));
    await upload(t, lead.token, h);

    const devOne = new Device(t.wsUrl, lead.token);
    closers.push(() => devOne.destroy());
    const one = new Y.Doc();
    const p1 = devOne.attach(teamDocName(teamId), one);
    await devOne.saved(p1);
    // The second device has the team as it was, then links offline while the first links online.
    const two = new Y.Doc();
    Y.applyUpdate(two, Y.encodeStateAsUpdate(one));
    linkMembers(one, h.id, [a.memberId], actor(lead.memberId));
    await devOne.saved(p1);
    linkMembers(two, h.id, [b.memberId], actor(lead.memberId));
    const devTwo = new Device(t.wsUrl, lead.token);
    closers.push(() => devTwo.destroy());
    await devTwo.saved(devTwo.attach(teamDocName(teamId), two));

    await waitFor(() => readTeam(one).assignments.get(h.id)?.length === 2, 5000, 'both links on the first device');
    expect(readTeam(two).assignments.get(h.id)).toEqual([a.memberId, b.memberId].sort());
    expect(await opens(t, h.name, a.token)).toBe(true);
    expect(await opens(t, h.name, b.token)).toBe(true);
  });

  it('a link an older app wrote opens the household until it is unlinked where it lives', async () => {
    t = await startTestRelay({ config: { unlinkGraceDays: 0 } });
    const { teamId, lead, members } = await teamWith(t, ['李明']);
    const m = members[0]!;
    const h = newHousehold(teamId, actor(lead.memberId));
    await upload(t, lead.token, h);
    const dev = new Device(t.wsUrl, lead.token);
    closers.push(() => dev.destroy());
    const team = new Y.Doc();
    const p = dev.attach(teamDocName(teamId), team);
    await dev.saved(p);
    expect(await opens(t, h.name, m.token)).toBe(false);

    // As apps before ADR 0021 linked: a map per household under `assignments`.
    team.transact(() => {
      const links = new Y.Map<unknown>();
      team.getMap('assignments').set(h.id, links);
      links.set(m.memberId, { at: new Date().toISOString(), by: lead.memberId });
    });
    await dev.saved(p);
    await waitFor(() => opens(t!, h.name, m.token), 5000, 'the old link opens the household');

    unlinkMembers(team, h.id, [m.memberId], actor(lead.memberId));
    expect((team.getMap('assignments').get(h.id) as Y.Map<unknown>).size).toBe(0);
    await dev.saved(p);
    await waitFor(async () => !(await opens(t!, h.name, m.token)), 5000, 'the unlink closes it');
  });
});
