import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { teamDocName } from '@/docs/schema';
import { linkMembers } from '@/docs/team-doc';
import { checkUpdateV1 } from '../../sync-server/src/validation/yjs-update';
import { loadsCleanly, trialApply } from '../../sync-server/src/validation/trial-apply';
import { EVIL_CLASSES, evilFrames, FUZZ_KEY_LIMIT, rng, updateClasses } from './helpers/evil';
import { actor, newHousehold, readHousehold, visit } from './helpers/fixtures';
import { RawClient, T } from './helpers/raw';
import { Device, startTestRelay, teamWith, type TestRelay } from './helpers/relay';

const MAX_MESSAGE = 64 * 1024;
let t: TestRelay;
beforeAll(async () => {
  // One attacking device opens a thousand sockets here; the per-device socket budget has its own test.
  // Its key limit is low enough for a 'key-flood' frame to cross it under the message limit.
  t = await startTestRelay({ limits: { maxMessageBytes: MAX_MESSAGE, connectionsPerMinute: 1e6, connectionBurst: 1e6, maxSocketsPerDevice: 100, maxRecordsPerMap: FUZZ_KEY_LIMIT } });
});
afterAll(async () => {
  await t.close();
});

function validUpdate(teamId: string): Uint8Array {
  const h = newHousehold(teamId, actor('someone'));
  return Y.encodeStateAsUpdate(h.doc);
}

describe('hostile updates', () => {
  it('the checks refuse every class, including those stock Yjs accepts or half-applies', () => {
    const valid = validUpdate('team');
    expect(valid.at(-1)).toBe(0); // no deletes: the fixtures below rely on an empty delete set
    expect(checkUpdateV1(valid)).toMatchObject({ ok: true });
    const r = rng(7);
    const stock: Record<string, string> = {};
    for (const [kind, make] of Object.entries(updateClasses)) {
      const u = make(r, valid);
      expect(checkUpdateV1(u).ok, kind).toBe(false);
      // What Yjs alone makes of it, on a fresh doc.
      const d = new Y.Doc();
      let changed = false;
      d.on('update', () => (changed = true));
      try {
        Y.applyUpdate(d, u);
        stock[kind] = loadsCleanly(Y.encodeStateAsUpdate(d)) ? 'accepted' : 'accepted, then fails to load';
      } catch {
        let encodes = true;
        try {
          Y.encodeStateAsUpdate(d);
        } catch {
          encodes = false;
        }
        stock[kind] = !encodes ? 'threw, leaving a doc that no longer encodes' : changed ? 'half-applied, then threw' : 'threw';
      }
      const trial = trialApply(new Y.Doc(), u);
      if (stock[kind] !== 'accepted') expect(trial.ok, kind).toBe(false);
    }
    expect(stock['zero-length-string-then-origin']).toBe('threw, leaving a doc that no longer encodes');
    expect(stock['structs-then-broken-delete-set']).toBe('half-applied, then threw');
    expect(stock['trailing-garbage']).toBe('accepted');
    expect(Object.values(stock).filter((s) => s !== 'threw').length).toBeGreaterThanOrEqual(8);
  });

  it('1,000 malformed or oversized frames close only their own socket, none is acknowledged, every doc loads after a restart', async () => {
    const { teamId, lead, members } = await teamWith(t, ['正常成员']);
    const honest = members[0]!;
    const leadDev = new Device(t.wsUrl, lead.token);
    const team = new Y.Doc();
    leadDev.attach(teamDocName(teamId), team);
    const targets = Array.from({ length: 3 }, (_, i) => newHousehold(teamId, actor(lead.memberId), `目标${i}`));
    const own = newHousehold(teamId, actor(lead.memberId), '正常户');
    for (const h of [...targets, own]) leadDev.attach(h.name, h.doc);
    linkMembers(team, own.id, [honest.memberId], actor(lead.memberId));
    await Promise.all([...leadDev.providers.values()].map((p) => leadDev.saved(p)));
    leadDev.destroy();
    const store = t.relay.services.store;
    const before = new Map<string, { seq: number; state: Buffer }>();
    for (const h of targets) before.set(h.name, { seq: (await store.row(h.name))!.last_seq, state: Buffer.from((await store.encodedState(h.name))!) });

    // An honest member keeps working on their household the whole time.
    const dev = new Device(t.wsUrl, honest.token);
    const mine = dev.attach(own.name);
    await dev.saved(mine);
    let fuzzing = true;
    let honestAcks = 0;
    const honestWork = (async () => {
      while (fuzzing) {
        visit(mine.document, actor(honest.memberId), `正常走访 ${honestAcks}`);
        await dev.saved(mine, 15_000);
        honestAcks++;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();

    const frames = targets.flatMap((h, i) => evilFrames(h.name, validUpdate(teamId), i === 0 ? 334 : 333, 1000 + i, MAX_MESSAGE));
    expect(frames).toHaveLength(1000);
    expect(new Set(frames.map((f) => f.kind))).toEqual(new Set(EVIL_CLASSES));
    const results: { kind: string; code: number; expected: boolean; acked: boolean; ms: number }[] = [];
    const started = Date.now();
    let next = 0;
    const worker = async () => {
      while (next < frames.length) {
        const i = next++;
        const f = frames[i]!;
        const target = targets[i < 334 ? 0 : i < 667 ? 1 : 2]!;
        const c = new RawClient(t.wsUrl);
        const auth = await c.auth(target.name, lead.token);
        expect(auth.authType).toBe(2);
        const sent = Date.now();
        c.send(f.data);
        const closed = await c.waitClosed(10_000);
        results.push({ kind: f.kind, code: closed.code, expected: f.expect.includes(closed.code), acked: c.received.some((m) => m.type === T.SyncStatus), ms: Date.now() - sent });
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    const fuzzMs = Date.now() - started;
    fuzzing = false;
    await honestWork;

    const wrong = results.filter((r) => !r.expected);
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(results.filter((r) => r.acked)).toEqual([]);
    expect(honestAcks).toBeGreaterThan(5);
    expect(dev.closes).toEqual([]);
    const slowest = [...results].sort((a, b) => b.ms - a.ms)[0]!;
    console.log(`fuzz: ${results.length} frames in ${fuzzMs} ms, slowest close ${slowest.ms} ms (${slowest.kind}); honest member saved ${honestAcks} visits meanwhile`);

    // Nothing of it reached the targets.
    for (const h of targets) {
      expect((await store.row(h.name))!.last_seq).toBe(before.get(h.name)!.seq);
      expect(Buffer.from((await store.encodedState(h.name))!).equals(before.get(h.name)!.state)).toBe(true);
    }
    dev.destroy();

    // After a restart every stored doc loads, nothing was quarantined, and the member's visits are there.
    t = await t.restart();
    const s2 = t.relay.services;
    const names = (await s2.db.all<{ name: string }>('SELECT name FROM docs')).map((r) => r.name);
    expect(names.length).toBeGreaterThanOrEqual(5);
    for (const name of names) {
      const doc = await s2.store.load(name);
      expect(doc, name).toBeDefined();
      expect(loadsCleanly(Y.encodeStateAsUpdate(doc!))).toBe(true);
    }
    expect(await s2.db.get('SELECT count(*) AS n FROM quarantine')).toEqual({ n: 0 });
    const again = new Device(t.wsUrl, honest.token);
    const p = again.attach(own.name);
    await again.saved(p);
    expect(readHousehold(p.document).visits).toHaveLength(honestAcks);
    again.destroy();
  });
});
