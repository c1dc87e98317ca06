import { describe, expect, it } from 'vitest';
import { addRequest, addVisit, createHousehold, readHousehold, setNotes, updateProfile } from '@/docs/household-doc';
import { linkMembers, unlinkMembers } from '@/docs/team-doc';
import { newId } from '@/domain/ids';
import { syncOnce, waitForStatus, type ClientDevice } from './helpers/client-device';
import { clientSuite } from './helpers/client-suite';
import { actor, profile } from './helpers/fixtures';
import { invite, join, startTestRelay, teamWith, waitFor } from './helpers/relay';

const { relay: t, device, close, defer } = clientSuite();

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
    await close(d);
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
    const laptop = await join(t.url, await invite(t, teamId, 'lead', lead.memberId), '王书记', 'laptop', lead.memberId);
    const lead2 = await device(t.url, laptop, 'lead-b2');
    await waitForStatus(lead2, (s) => s.state === 'synced', 15_000, 'second device synced');
    const doc = await lead2.records.doc(lead2.household(id));
    expect(readHousehold(doc).visits.map((v) => v.said)).toEqual(['一切安好']);
    await waitFor(async () => (await lead2.records.db.households.get(id))?.headName === '赵大娘', 5000, 'row projected');
    void members;
  });

  it('three devices edit the same household offline, reconnect in random order, and converge', async () => {
    const { lead, members } = await teamWith(t, ['李明', '赵红']);
    const [a, b] = members as [(typeof members)[0], (typeof members)[0]];
    const L = await device(t.url, lead, 'conv-lead');
    const id = await addHousehold(L, '张大爷');
    await L.records.commit(L.teamDoc, (doc) => linkMembers(doc, id, [a.memberId, b.memberId], actor(lead.memberId)));
    await waitForStatus(L, (s) => s.state === 'synced' && !s.teamUnsynced && s.pendingHouseholds === 0, 15_000, 'lead pushed');
    const A = await device(t.url, a, 'conv-a');
    const B = await device(t.url, b, 'conv-b');
    for (const d of [A, B]) {
      await waitForStatus(d, (s) => s.state === 'synced', 15_000, 'member first sync');
      expect(readHousehold(await d.records.doc(d.household(id))).household.headName).toBe('张大爷');
    }

    // Out of signal, each edits the same household.
    for (const d of [L, A, B]) d.setOnline(false);
    const name = L.household(id);
    await L.records.commit(name, (doc) => updateProfile(doc, profile('张德福', '13900000000'), actor(lead.memberId)));
    await A.records.commit(name, (doc) => addVisit(doc, { id: newId(), kind: 'home', visitorIds: [a.memberId], visitedAt: new Date().toISOString(), observations: { housing: { level: 'concern', note: '屋顶漏雨' } }, said: '老人说冬天取暖困难', notes: '', photos: [] }, actor(a.memberId)));
    await A.records.commit(name, (doc) => addRequest(doc, { id: newId(), category: 'medical', description: '申请就医陪护', ownerId: a.memberId }, actor(a.memberId)));
    await B.records.commit(name, (doc) => addVisit(doc, { id: newId(), kind: 'phone', visitorIds: [b.memberId], visitedAt: new Date().toISOString(), observations: {}, said: '电话联系，身体尚可', notes: '', photos: [] }, actor(b.memberId)));
    await B.records.commit(name, (doc) => setNotes(doc, '独居，子女在外地。'));
    for (const d of [L, A, B]) {
      const s = await waitForStatus(d, (st) => st.pendingHouseholds === 1 && st.state !== 'connecting' && st.state !== 'syncing', 10_000, 'offline with a pending household');
      expect(s.state).toBe('offline');
      expect(s.unsyncedHouseholdIds).toEqual([id]);
      expect((await d.records.db.docs.get(name))?.unsynced).toBe(1);
    }

    // Back in signal in a random order, with random gaps.
    const order = [L, A, B].sort(() => Math.random() - 0.5);
    await Promise.all(
      order.map(async (d, i) => {
        await new Promise((r) => setTimeout(r, i * Math.random() * 150));
        d.setOnline(true);
        await syncOnce(d);
      }),
    );
    // Everyone pulls what the others pushed.
    for (const d of [...order, ...order]) await syncOnce(d);
    const views = await Promise.all([L, A, B].map(async (d) => JSON.stringify(readHousehold(await d.records.doc(name)))));
    expect(new Set(views).size).toBe(1);
    const merged = readHousehold(await L.records.doc(name));
    expect(merged.household.headName).toBe('张德福');
    expect(merged.household.notes).toBe('独居，子女在外地。');
    expect(merged.visits.map((v) => v.said).sort()).toEqual(['电话联系，身体尚可', '老人说冬天取暖困难'].sort());
    expect(merged.requests.map((r) => r.description)).toEqual(['申请就医陪护']);
    for (const d of [L, A, B]) {
      expect(d.engine.status).toMatchObject({ state: 'synced', pendingHouseholds: 0 });
      expect((await d.records.db.docs.get(name))?.unsynced).toBe(0);
    }
  });

  it('drops a household unlinked from a member only after its pending updates are on the relay', async () => {
    const { lead, members } = await teamWith(t, ['周平']);
    const m = members[0]!;
    const L = await device(t.url, lead, 'unlink-lead');
    const id = await addHousehold(L, '钱大妈');
    await L.records.commit(L.teamDoc, (doc) => linkMembers(doc, id, [m.memberId], actor(lead.memberId)));
    await waitForStatus(L, (s) => s.state === 'synced' && !s.teamUnsynced && s.pendingHouseholds === 0, 15_000, 'lead pushed');
    const M = await device(t.url, m, 'unlink-m');
    await waitForStatus(M, (s) => s.state === 'synced', 15_000, 'member synced');
    const name = M.household(id);

    // The member writes a visit offline; meanwhile the lead unlinks the household.
    M.setOnline(false);
    await M.records.commit(name, (doc) => addVisit(doc, { id: newId(), kind: 'home', visitorIds: [m.memberId], visitedAt: new Date().toISOString(), observations: {}, said: '最后一次走访', notes: '', photos: [] }, actor(m.memberId)));
    await L.records.commit(L.teamDoc, (doc) => unlinkMembers(doc, id, [m.memberId], actor(lead.memberId)));
    await waitForStatus(L, (s) => s.state === 'synced' && !s.teamUnsynced, 15_000, 'unlink pushed');

    M.setOnline(true);
    await syncOnce(M);
    // The visit reached the relay before the copy went.
    await syncOnce(L);
    expect(readHousehold(await L.records.doc(L.household(id))).visits.map((v) => v.said)).toEqual(['最后一次走访']);
    expect(await M.records.docs.storedNames()).not.toContain(name);
    expect(await M.records.db.households.get(id)).toBeUndefined();
    expect(await M.records.db.docs.get(name)).toBeUndefined();
    expect(M.engine.status).toMatchObject({ state: 'synced', pendingHouseholds: 0, revokedHouseholdIds: [] });
  });

  it('leaves out a household the relay refuses as too large, syncs the others, and says why', async () => {
    const small = await startTestRelay({ limits: { maxMessageBytes: 16 * 1024 } });
    defer(() => small.close());
    const { lead } = await teamWith(small, []);
    const d = await device(small.url, lead, 'too-large');
    await waitForStatus(d, (s) => s.state === 'synced', 15_000, 'first sync');
    d.setOnline(false);
    // One frame over twice the limit (ws closes with 1009), one just over it (the relay's 4413).
    const big = [newId(), newId()];
    for (const [i, id] of big.entries()) {
      await d.records.commit(d.household(id), (doc) => createHousehold(doc, { id, teamId: lead.teamId, profile: profile('大档案'), notes: '很长的备注。'.repeat([3000, 1300][i]!) }, actor(lead.memberId)));
    }
    const ok = [await addHousehold(d, '小档案一'), await addHousehold(d, '小档案二')];
    d.setOnline(true);
    await syncOnce(d);
    await syncOnce(d);
    expect(d.engine.status).toMatchObject({ state: 'error', reason: 'message_too_large', unsyncedHouseholdIds: [...big].sort() });
    for (const id of ok) expect((await d.records.db.docs.get(d.household(id)))?.unsynced).toBe(0);
    for (const id of big) expect((await d.records.db.docs.get(d.household(id)))?.unsynced).toBe(1);
    expect(readHousehold(await d.records.doc(d.household(big[0]!))).household.notes.length).toBe(18_000);
  });
  it('keeps a household attached only while it is being edited: one edited offline long ago is detached once in step, one edited just now when it goes cold', async () => {
    const { lead } = await teamWith(t, []);
    const hotMs = 4000;
    const d = await device(t.url, lead, 'lead-hot', { hotMs, pollMs: 0 });
    await waitForStatus(d, (s) => s.state === 'synced', 15_000, 'first sync');
    d.setOnline(false);
    const old = await addHousehold(d, '早上录的');
    await new Promise((r) => setTimeout(r, hotMs + 300));
    const fresh = await addHousehold(d, '刚录的');
    d.setOnline(true);
    const started = Date.now();
    await syncOnce(d);
    await waitForStatus(d, (s) => s.state === 'synced' && s.pendingHouseholds === 0, 15_000, 'pushed');
    // The relay holds a loaded doc for every socket that has it attached: only the team doc and
    // the household still being worked on stay.
    expect(Date.now() - started).toBeLessThan(hotMs - 500);
    expect(d.engine.attachedDocs.sort()).toEqual([d.teamDoc, d.household(fresh)].sort());
    expect(d.engine.attachedDocs).not.toContain(d.household(old));
    await waitFor(() => !d.engine.attachedDocs.includes(d.household(fresh)), hotMs + 3000, 'the fresh household detached once cold');
    expect(d.engine.attachedDocs).toEqual([d.teamDoc]);
    for (const id of [old, fresh]) expect((await d.records.db.docs.get(d.household(id)))?.unsynced).toBe(0);
  });
});
