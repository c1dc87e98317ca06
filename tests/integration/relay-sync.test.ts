import zlib from 'node:zlib';
import { WebSocketStatus } from '@hocuspocus/provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { BundleReader } from '@/docs/bundle';
import { householdDocName, teamDocName } from '@/docs/schema';
import { linkMembers, unlinkMembers } from '@/docs/team-doc';
import { actor, newHousehold, readHousehold, rename, request, visit } from './helpers/fixtures';
import { api, Device, startTestRelay, teamWith, waitFor, type TestRelay } from './helpers/relay';

let t: TestRelay;
beforeAll(async () => {
  t = await startTestRelay();
});
afterAll(async () => {
  await t.close();
});

const sv = (d: Y.Doc) => Buffer.from(Y.encodeStateVector(d)).toString('base64');

/** Count what the relay sees per document: authentications that opened a doc. */
function countOpens(): { opens: number; reset(): void } {
  const c = { opens: 0, reset: () => (c.opens = 0) };
  t.relay.services.hocuspocus.configuration.extensions.push({
    async connected() {
      c.opens++;
    },
  });
  return c;
}

async function downloadBundle(token: string, query = ''): Promise<{ status: number; seq: number; more: boolean; total: number; docs: Map<string, Uint8Array> }> {
  const res = await fetch(`${t.url}/api/bundle${query}`, { headers: { Authorization: `Bearer ${token}` } });
  const body = new Uint8Array(await res.arrayBuffer());
  const docs = new Map<string, Uint8Array>();
  if (res.status === 200) {
    expect(res.headers.get('content-type')).toBe('application/gzip');
    const reader = new BundleReader();
    for (const r of reader.push(zlib.gunzipSync(body))) if (r.kind === 'doc') docs.set(r.doc.name, r.doc.update);
    reader.finish();
  }
  return { status: res.status, seq: Number(res.headers.get('x-lianhu-seq')), more: res.headers.get('x-lianhu-more') === '1', total: Number(res.headers.get('x-lianhu-total')), docs };
}

describe('relay sync', () => {
  it('three devices editing the same household offline converge through the relay', async () => {
    const { teamId, lead, members } = await teamWith(t, ['李明', '赵红']);
    const [a, b] = members as [(typeof members)[0], (typeof members)[0]];
    // The lead registers the household and links both members to it.
    const leadDev = new Device(t.wsUrl, lead.token);
    const team = new Y.Doc();
    const teamP = leadDev.attach(teamDocName(teamId), team);
    await leadDev.saved(teamP);
    const h = newHousehold(teamId, actor(lead.memberId));
    const hp = leadDev.attach(h.name, h.doc);
    linkMembers(team, h.id, [a.memberId, b.memberId], actor(lead.memberId));
    await Promise.all([leadDev.saved(hp), leadDev.saved(teamP)]);

    // Each member fetches it once, then everyone goes offline.
    const copies = new Map<string, Y.Doc>([[lead.deviceId, h.doc]]);
    for (const m of [a, b]) {
      const dev = new Device(t.wsUrl, m.token);
      const doc = new Y.Doc();
      const p = dev.attach(h.name, doc);
      await dev.saved(p);
      expect(readHousehold(doc).household.headName).toBe('张大爷');
      dev.destroy();
      copies.set(m.deviceId, doc);
    }
    leadDev.destroy();

    // Offline edits: profile fields, visits, requests.
    rename(copies.get(lead.deviceId)!, actor(lead.memberId), '张德福');
    visit(copies.get(a.deviceId)!, actor(a.memberId), '老人说冬天取暖困难');
    request(copies.get(a.deviceId)!, actor(a.memberId), '申请就医陪护');
    visit(copies.get(b.deviceId)!, actor(b.memberId), '电话联系，身体尚可');
    copies.get(b.deviceId)!.getText('notes').insert(0, '独居，子女在外地。');

    // Reconnect in random order; all stay online until they agree.
    const order = [lead, a, b].sort(() => Math.random() - 0.5);
    const devices: Device[] = [];
    for (const who of order) {
      const dev = new Device(t.wsUrl, who.token);
      devices.push(dev);
      const p = dev.attach(h.name, copies.get(who.deviceId)!);
      await dev.saved(p);
    }
    const docs = [...copies.values()];
    await waitFor(() => new Set(docs.map(sv)).size === 1, 10_000, 'convergence');
    const views = docs.map((d) => JSON.stringify(readHousehold(d)));
    expect(new Set(views).size).toBe(1);
    const merged = readHousehold(docs[0]!);
    expect(merged.household.headName).toBe('张德福');
    expect(merged.household.notes).toBe('独居，子女在外地。');
    expect(merged.visits.map((v) => v.said).sort()).toEqual(['电话联系，身体尚可', '老人说冬天取暖困难'].sort());
    expect(merged.requests).toHaveLength(1);
    for (const d of devices) d.destroy();

    // The relay's stored copy is the same after a restart.
    t = await t.restart();
    const stored = (await t.relay.services.store.load(h.name))!;
    expect(JSON.stringify(readHousehold(stored))).toBe(views[0]);
  });

  it('a resync with nothing new costs one request and no document handshakes', async () => {
    const { teamId, lead, members } = await teamWith(t, ['孙强']);
    const m = members[0]!;
    const leadDev = new Device(t.wsUrl, lead.token);
    const team = new Y.Doc();
    const teamP = leadDev.attach(teamDocName(teamId), team);
    await leadDev.saved(teamP);
    const households = Array.from({ length: 30 }, (_, i) => newHousehold(teamId, actor(lead.memberId), `户主${i}`));
    for (const h of households) leadDev.attach(h.name, h.doc);
    linkMembers(team, households[0]!.id, [m.memberId], actor(lead.memberId));
    for (const h of households.slice(1, 10)) linkMembers(team, h.id, [m.memberId], actor(lead.memberId));
    await Promise.all([...leadDev.providers.values()].map((p) => leadDev.saved(p)));

    // First sync: the change feed names the team doc and the 10 linked households.
    const first = await api(t.url, 'GET', '/api/changes?since=0', { token: m.token });
    expect(first.status).toBe(200);
    expect(first.json.readable).toBe(11);
    expect(new Set(first.json.changed)).toEqual(new Set([teamDocName(teamId), ...households.slice(0, 10).map((h) => h.name)]));
    const mine = await downloadBundle(m.token);
    expect(mine.docs.size).toBe(11);

    // Resync with nothing new: an empty answer, and the device attaches nothing.
    const opens = countOpens();
    const again = await api(t.url, 'GET', `/api/changes?since=${mine.seq}`, { token: m.token });
    expect(again.json).toEqual({ seq: mine.seq, changed: [], readable: 11, revoked: [] });
    const dev = new Device(t.wsUrl, m.token);
    for (const name of again.json.changed as string[]) dev.attach(name);
    expect(dev.providers.size).toBe(0);
    // Its socket is open on the relay, and no document was opened on it (the one opened
    // below is the only one counted).
    await waitFor(() => dev.socket.status === WebSocketStatus.Connected, 5000, 'socket open');
    expect(opens.opens).toBe(0);

    // The lead's own uploads do not come back to the lead either.
    const leadFeed = await api(t.url, 'GET', `/api/changes?since=${mine.seq}`, { token: lead.token });
    expect(leadFeed.json.changed).toEqual([]);

    // One household changes: exactly that one is listed, and attaching it is one handshake.
    const target = households[3]!;
    visit(target.doc, actor(lead.memberId), '复访');
    await leadDev.saved(leadDev.providers.get(target.name)!);
    const one = await api(t.url, 'GET', `/api/changes?since=${mine.seq}`, { token: m.token });
    expect(one.json.changed).toEqual([target.name]);
    const local = new Y.Doc();
    Y.applyUpdateV2(local, mine.docs.get(target.name)!);
    const p = dev.attach(target.name, local);
    await dev.saved(p);
    expect(opens.opens).toBe(1);
    expect(readHousehold(local).visits).toHaveLength(1);

    // Unlinking lists the household under `revoked`, not `changed`.
    unlinkMembers(team, households[5]!.id, [m.memberId], actor(lead.memberId));
    await leadDev.saved(teamP);
    const after = await api(t.url, 'GET', `/api/changes?since=${one.json.seq}`, { token: m.token });
    expect(after.json.revoked).toEqual([households[5]!.name]);
    expect(after.json.changed).toEqual([teamDocName(teamId)]);
    expect(after.json.readable).toBe(10);
    dev.destroy();
    leadDev.destroy();
  });

  it('a household a member registers does not come back to that member as a change', async () => {
    const { teamId, lead, members } = await teamWith(t, ['吴敏']);
    const m = members[0]!;
    const before = await api(t.url, 'GET', '/api/changes?since=0', { token: m.token });
    const dev = new Device(t.wsUrl, m.token);
    const h = newHousehold(teamId, actor(m.memberId), '新登记户');
    await dev.saved(dev.attach(h.name, h.doc));
    dev.destroy();
    const mine = await api(t.url, 'GET', `/api/changes?since=${before.json.seq}`, { token: m.token });
    expect(mine.json).toMatchObject({ changed: [], readable: 2, revoked: [] });
    const leads = await api(t.url, 'GET', `/api/changes?since=${before.json.seq}`, { token: lead.token });
    expect(leads.json.changed).toEqual([h.name]);
  });

  it('bundles round-trip in pieces and hold only what the device may read', async () => {
    const { teamId, lead, members } = await teamWith(t, ['周芳']);
    const m = members[0]!;
    const leadDev = new Device(t.wsUrl, lead.token);
    const team = new Y.Doc();
    const teamP = leadDev.attach(teamDocName(teamId), team);
    const households = Array.from({ length: 17 }, (_, i) => newHousehold(teamId, actor(lead.memberId), `户主${i}`));
    for (const h of households) {
      visit(h.doc, actor(lead.memberId), `走访记录 ${h.id}`);
      leadDev.attach(h.name, h.doc);
    }
    linkMembers(team, households[2]!.id, [m.memberId], actor(lead.memberId));
    await Promise.all([...leadDev.providers.values()].map((p) => leadDev.saved(p)));
    await leadDev.saved(teamP);

    // The lead pages through everything, 5 docs at a time.
    const got = new Map<string, Uint8Array>();
    let after = '';
    let pieces = 0;
    for (;;) {
      const piece = await downloadBundle(lead.token, `?limit=5&after=${encodeURIComponent(after)}`);
      expect(piece.status).toBe(200);
      expect(piece.seq).toBeGreaterThan(0);
      expect(piece.total).toBe(18);
      pieces++;
      for (const [k, v] of piece.docs) got.set(k, v);
      if (!piece.more) break;
      after = [...piece.docs.keys()].at(-1)!;
    }
    expect(pieces).toBe(4); // 18 docs: 5 + 5 + 5 + 3
    expect(got.size).toBe(18);
    for (const h of households) {
      const copy = new Y.Doc();
      Y.applyUpdateV2(copy, got.get(h.name)!);
      expect(readHousehold(copy)).toEqual(readHousehold(h.doc));
      expect(sv(copy)).toBe(sv(h.doc));
    }

    // A member's bundle: the team doc and the one linked household, nothing else.
    const mine = await downloadBundle(m.token);
    expect([...mine.docs.keys()].sort()).toEqual([householdDocName(teamId, households[2]!.id), teamDocName(teamId)].sort());
    const bad = await downloadBundle(m.token, '?limit=0');
    expect(bad.status).toBe(400);
    leadDev.destroy();
  });

  it('a bundle serves the states it kept the last time, and a doc written since as it is now', async () => {
    const { teamId, lead } = await teamWith(t, []);
    const leadDev = new Device(t.wsUrl, lead.token);
    const teamP = leadDev.attach(teamDocName(teamId), new Y.Doc());
    const households = Array.from({ length: 6 }, (_, i) => newHousehold(teamId, actor(lead.memberId), `户主${i}`));
    for (const h of households) {
      visit(h.doc, actor(lead.memberId), `走访记录 ${h.id}`);
      leadDev.attach(h.name, h.doc);
    }
    await Promise.all([...leadDev.providers.values()].map((p) => leadDev.saved(p)));
    await leadDev.saved(teamP);
    const keptFor = async () =>
      (await t.relay.services.db.all<{ doc: string }>('SELECT doc FROM bundle_states WHERE doc LIKE @team', { team: `${teamId}/%` })).length;
    const matches = (got: Map<string, Uint8Array>) => {
      for (const h of households) {
        const copy = new Y.Doc();
        Y.applyUpdateV2(copy, got.get(h.name)!);
        expect(readHousehold(copy)).toEqual(readHousehold(h.doc));
        expect(sv(copy)).toBe(sv(h.doc));
      }
    };

    const first = await downloadBundle(lead.token);
    matches(first.docs);
    // Kept after the piece was sent (the device does not wait for it).
    await waitFor(async () => (await keptFor()) === 7);
    const again = await downloadBundle(lead.token);
    matches(again.docs);
    for (const [name, update] of first.docs) expect(Buffer.from(again.docs.get(name)!).equals(Buffer.from(update))).toBe(true);

    // One household written since: the next bundle has the write.
    const changed = households[3]!;
    visit(changed.doc, actor(lead.memberId), '又来了一次');
    await leadDev.saved(leadDev.providers.get(changed.name)!);
    const later = await downloadBundle(lead.token);
    matches(later.docs);
    leadDev.destroy();
  });
});
