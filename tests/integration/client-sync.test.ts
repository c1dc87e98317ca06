import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addVisit, createHousehold, readHousehold } from '@/docs/household-doc';
import { newId } from '@/domain/ids';
import { clientDevice, syncOnce, waitForStatus, type ClientDevice } from './helpers/client-device';
import { actor, profile } from './helpers/fixtures';
import { invite, join, startTestRelay, teamWith, waitFor, type TestRelay } from './helpers/relay';

let t: TestRelay;
const open: ClientDevice[] = [];
beforeAll(async () => {
  t = await startTestRelay();
});
afterAll(async () => {
  for (const d of open.splice(0)) await d.close().catch(() => undefined);
  await t.close();
});

async function device(...args: Parameters<typeof clientDevice>): Promise<ClientDevice> {
  const d = await clientDevice(...args);
  open.push(d);
  return d;
}

async function addHousehold(d: ClientDevice, headName: string): Promise<string> {
  const id = newId();
  const by = actor(d.joined.memberId);
  await d.records.commit(d.household(id), (doc) => createHousehold(doc, { id, teamId: d.joined.teamId, profile: profile(headName) }, by));
  return id;
}

describe('client sync engine', () => {
  it('pushes local households, marks them on the server after the ack, and a resync with nothing new is one request and no attach', async () => {
    const { lead } = await teamWith(t, []);
    const d = await device(t.url, lead, 'lead-a');
    await waitForStatus(d, (s) => s.state === 'synced', 15_000, 'first sync');
    const ids = [await addHousehold(d, '张大爷'), await addHousehold(d, '李奶奶'), await addHousehold(d, '王叔')];
    await waitForStatus(d, (s) => s.state === 'synced' && s.pendingHouseholds === 0, 15_000, 'pushed');
    for (const id of ids) expect((await d.records.db.docs.get(d.household(id)))?.unsynced).toBe(0);

    // Resync on the open engine.
    const before = { requests: d.requests.length, attaches: d.engine.stats.attaches };
    await syncOnce(d);
    const resync = d.requests.slice(before.requests);
    expect(resync.map((r) => `${r.method} ${r.path.replace(/\d+$/, 'N')}`)).toEqual(['GET /api/changes?since=N']);
    expect(d.engine.stats.attaches - before.attaches).toBe(0);

    // The phone restarts: still one request, and the socket is never opened.
    await d.close();
    open.splice(open.indexOf(d), 1);
    const again = await device(t.url, lead, 'lead-a');
    await again.engine.whenIdle();
    expect(again.requests.map((r) => r.path.replace(/\d+$/, 'N'))).toEqual(['/api/changes?since=N']);
    expect(again.engine.stats.socket.connections).toBe(0);
    expect(again.engine.stats.attaches).toBe(0);
    expect(again.engine.status.state).toBe('synced');
    console.log(`[measure] resync with nothing new: ${again.requests.length} request, ${again.requests[0]!.bytes} bytes of answer, 0 socket frames`);
  });

  it('a second device of the team receives the households through its first sync', async () => {
    const { teamId, lead, members } = await teamWith(t, ['李明']);
    const leadDev = await device(t.url, lead, 'lead-b');
    const id = await addHousehold(leadDev, '赵大娘');
    await leadDev.records.commit(leadDev.household(id), (doc) => addVisit(doc, { id: newId(), kind: 'home', visitorIds: [lead.memberId], visitedAt: new Date().toISOString(), observations: {}, said: '一切安好', notes: '', photos: [] }, actor(lead.memberId)));
    await waitForStatus(leadDev, (s) => s.state === 'synced' && s.pendingHouseholds === 0, 15_000, 'lead pushed');
    const laptop = await join(t.url, invite(t, teamId, 'lead', lead.memberId), '王书记', 'laptop', lead.memberId);
    const lead2 = await device(t.url, laptop, 'lead-b2');
    await waitForStatus(lead2, (s) => s.state === 'synced', 15_000, 'second device synced');
    const doc = await lead2.records.doc(lead2.household(id));
    expect(readHousehold(doc).visits.map((v) => v.said)).toEqual(['一切安好']);
    await waitFor(async () => (await lead2.records.db.households.get(id))?.headName === '赵大娘', 5000, 'row projected');
    void members;
  });
});
