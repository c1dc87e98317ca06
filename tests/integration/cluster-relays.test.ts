// Several relay processes on one PostgreSQL database and one Redis: what an install with
// more than one relay promises. Runs in the integration-pg project; needs PostgreSQL and
// Redis on loopback (see helpers/backend.ts for how to start them).
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import net from 'node:net';
import type { HocuspocusProvider } from '@hocuspocus/provider';
import { beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { HOW_TO_START } from './helpers/backend';
import { redisAnswers, relayCluster } from './helpers/cluster';
import { actor, newHousehold, readHousehold, visit } from './helpers/fixtures';
import { jpegBytes } from './helpers/jpeg';
import { api, Device, join, spawnRelay, waitFor, type ChildRelay, type Joined } from './helpers/relay';

const cluster = relayCluster({ name: 'cluster', teamName: '多节点班组' });
const { dataDir, relays, env } = cluster;
let teamId: string;
let lead: Joined;

async function inviteLead(via: ChildRelay, name: string): Promise<Joined> {
  const r = await api(via.url, 'POST', '/api/invites', { token: lead.token, body: { role: 'lead' } });
  expect(r.status).toBe(201);
  return join(via.url, r.json.code, name, `${name}-phone`);
}

const said = (doc: Y.Doc) => readHousehold(doc).visits.map((v) => v.said).sort();

/** Counts acknowledgements of one provider: the relay acknowledges a doc's updates in order. */
function ackCounter(p: HocuspocusProvider): { sent: number; acked: () => number; onAck: (fn: (acked: number) => void) => void } {
  const c = { sent: 0, last: 0, fns: [] as ((acked: number) => void)[] };
  p.on('unsyncedChanges', ({ number }: { number: number }) => {
    if (number < c.last) for (const fn of c.fns) fn(c.sent - number);
    c.last = number;
  });
  return {
    get sent() {
      return c.sent;
    },
    set sent(n: number) {
      c.sent = n;
    },
    acked: () => c.sent - c.last,
    onAck: (fn) => c.fns.push(fn),
  };
}

beforeAll(async () => {
  teamId = cluster.teamId;
  lead = await join(relays[0]!.url, cluster.inviteCode, '王书记', 'laptop');
});

describe('three relays, one PostgreSQL, one Redis', () => {
  it('answers /healthz with the stores it uses', async () => {
    for (const r of relays) {
      const h = await api(r.url, 'GET', '/healthz');
      expect(h.status).toBe(200);
      expect(h.json.stores).toMatchObject({ database: { kind: 'postgres', ok: true }, bus: { kind: 'redis', ok: true } });
    }
  });

  it('devices on different relays editing one household see each other live', async () => {
    const other = await inviteLead(relays[1]!, '李明');
    const a = new Device(relays[0]!.wsUrl, lead.token);
    const b = new Device(relays[1]!.wsUrl, other.token);
    const h = newHousehold(teamId, actor(lead.memberId));
    const pa = a.attach(h.name, h.doc);
    await a.saved(pa);
    const pb = b.attach(h.name, new Y.Doc());
    await b.saved(pb);
    expect(readHousehold(pb.document).household.headName).toBe('张大爷');

    visit(pa.document, actor(lead.memberId), '甲在一号节点');
    await waitFor(() => said(pb.document).includes('甲在一号节点'), 10_000, 'relay 2 device sees relay 1 edit');
    visit(pb.document, actor(other.memberId), '乙在二号节点');
    await waitFor(() => said(pa.document).includes('乙在二号节点'), 10_000, 'relay 1 device sees relay 2 edit');
    await Promise.all([a.saved(pa), b.saved(pb)]);
    a.destroy();
    b.destroy();
  });

  it('kill -9 of a relay mid-burst loses no acknowledged write; the device finishes on another relay', async () => {
    const victim = await spawnRelay(dataDir, env());
    const dev = new Device(victim.wsUrl, lead.token);
    const h = newHousehold(teamId, actor(lead.memberId), '赵大娘');
    const p = dev.attach(h.name, h.doc);
    await dev.saved(p);
    const acks = ackCounter(p);
    const killed = new Promise<number>((resolve) =>
      acks.onAck((n) => {
        if (n >= 10) {
          victim.proc.kill('SIGKILL');
          resolve(n);
        }
      }),
    );
    const texts: string[] = [];
    for (let k = 0; k < 30; k++) {
      texts.push(`连发第${k}条`);
      visit(h.doc, actor(lead.memberId), texts[k]!);
      acks.sent++;
    }
    const ackedAtKill = await killed;
    await victim.kill();
    expect(victim.proc.signalCode).toBe('SIGKILL');
    const acked = texts.slice(0, acks.acked());
    expect(acked.length).toBeGreaterThanOrEqual(ackedAtKill);
    dev.destroy();

    // Another relay serves everything that was acknowledged…
    const reader = new Device(relays[2]!.wsUrl, lead.token);
    const copy = reader.attach(h.name, new Y.Doc());
    await reader.saved(copy);
    for (const t of acked) expect(said(copy.document)).toContain(t);
    // …and the device, reconnecting there, sends the rest.
    const again = new Device(relays[0]!.wsUrl, lead.token);
    const p2 = again.attach(h.name, h.doc);
    await again.saved(p2);
    await waitFor(() => said(copy.document).length === 30, 10_000, 'the rest arrives on relay 3 live');
    expect(said(copy.document)).toEqual([...texts].sort());
    reader.destroy();
    again.destroy();
  });

  it('a device that comes back to another relay catches up by the change feed', async () => {
    const phone = await inviteLead(relays[1]!, '周强');
    const before = await api(relays[1]!.url, 'GET', '/api/changes?since=0', { token: phone.token });
    const since = before.json.seq as number;
    const a = new Device(relays[0]!.wsUrl, lead.token);
    const h = newHousehold(teamId, actor(lead.memberId), '孙大爷');
    await a.saved(a.attach(h.name, h.doc));
    a.destroy();
    const after = await api(relays[2]!.url, 'GET', `/api/changes?since=${since}`, { token: phone.token });
    expect(after.status).toBe(200);
    expect(after.json.seq).toBeGreaterThan(since);
    expect(after.json.changed).toContain(h.name);
  });

  it('a photo upload started on one relay resumes on another, and every relay serves it', async () => {
    const h = newHousehold(teamId, actor(lead.memberId), '陈大爷');
    const dev = new Device(relays[0]!.wsUrl, lead.token);
    await dev.saved(dev.attach(h.name, h.doc));
    dev.destroy();
    // Real JPEG bytes: the relay refuses an upload that is no image (415).
    const photo = Buffer.from(jpegBytes(300_000, 3));
    const sha256 = crypto.createHash('sha256').update(photo).digest('hex');
    const meta = Object.entries({ sha256, mime: 'image/jpeg', householdId: h.id })
      .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
      .join(',');
    const tus = { Authorization: `Bearer ${lead.token}`, 'Tus-Resumable': '1.0.0' };
    const created = await fetch(`${relays[0]!.url}/files/uploads`, { method: 'POST', headers: { ...tus, 'Upload-Length': String(photo.length), 'Upload-Metadata': meta } });
    expect(created.status).toBe(201);
    const location = created.headers.get('location')!;
    const patch = (relay: ChildRelay, offset: number, part: Uint8Array) =>
      fetch(new URL(location, relay.url), { method: 'PATCH', headers: { ...tus, 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream' }, body: new Uint8Array(part) });
    expect((await patch(relays[0]!, 0, photo.subarray(0, 100_000))).status).toBe(204);
    // Relay 1 goes away; the phone asks relay 2 where the upload stands and finishes there.
    const head = await fetch(new URL(location, relays[1]!.url), { method: 'HEAD', headers: tus });
    expect(head.headers.get('upload-offset')).toBe('100000');
    expect((await patch(relays[1]!, 100_000, photo.subarray(100_000))).status).toBe(204);
    for (const r of relays) {
      const got = await fetch(`${r.url}/files/${sha256}`, { headers: { Authorization: `Bearer ${lead.token}` } });
      expect(got.status).toBe(200);
      expect(Buffer.from(await got.arrayBuffer()).equals(photo)).toBe(true);
    }
  });

  it('revoking a device on relay A closes its socket on relay C', async () => {
    const phone = await inviteLead(relays[0]!, '吴芳');
    const dev = new Device(relays[2]!.wsUrl, phone.token);
    const h = newHousehold(teamId, actor(phone.memberId), '郑大妈');
    await dev.saved(dev.attach(h.name, h.doc));
    const r = await api(relays[0]!.url, 'POST', `/api/devices/${phone.deviceId}/revoke`, { token: lead.token });
    expect(r.status).toBe(200);
    await waitFor(() => dev.closes.some((c) => c.code === 4403 && c.reason === 'device-revoked'), 10_000, 'socket on relay 3 closed');
    dev.destroy();
    expect(relays[2]!.log()).toContain(phone.deviceId);
  });
});

/**
 * A free port below Linux's ephemeral range (32768 and up). While Redis is down the relays
 * keep connecting to its port; on a port in that range such a connect can be given the same
 * port as its source and connect to itself, holding the port so Redis cannot start there
 * again, and other processes' outgoing connections may take it too.
 */
async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    const free = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

/** A Redis of this test's own (so restarting it disturbs nobody else), on `port`. */
async function startRedis(port: number): Promise<ChildProcess> {
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const failed = new Promise<never>((_, reject) => proc.once('error', (e) => reject(new Error(`redis-server could not start (${e.message}); install Redis 7 (see ${HOW_TO_START.redis})`))));
  await Promise.race([waitFor(() => redisAnswers(`redis://127.0.0.1:${port}`), 10_000, 'redis-server answers'), failed]);
  return proc;
}

describe('Redis restarted mid-run', () => {
  it('relays refuse writes while it is gone (nothing acknowledged), then recover by themselves and lose nothing', async () => {
    const port = await freePort();
    let redis = await startRedis(port);
    const url = `redis://127.0.0.1:${port}`;
    const r1 = await spawnRelay(dataDir, env(url));
    const r2 = await spawnRelay(dataDir, env(url));
    try {
      const a = new Device(r1.wsUrl, lead.token);
      const b = new Device(r2.wsUrl, lead.token);
      const h = newHousehold(teamId, actor(lead.memberId), '冯大爷');
      const pa = a.attach(h.name, h.doc);
      await a.saved(pa);
      const pb = b.attach(h.name, new Y.Doc());
      await b.saved(pb);

      redis.kill('SIGKILL');
      await new Promise((r) => redis.once('exit', r));
      await waitFor(async () => (await api(r1.url, 'GET', '/healthz')).status === 503, 10_000, 'relay 1 reports the bus lost');
      expect((await api(r1.url, 'GET', '/healthz')).json.stores.bus.ok).toBe(false);
      visit(pa.document, actor(lead.memberId), 'Redis停了时写的');
      await waitFor(() => a.closes.some((c) => c.code === 1013 && c.reason === 'storage-unavailable'), 10_000, 'the write is refused');
      expect(pa.unsyncedChanges).toBeGreaterThan(0);

      redis = await startRedis(port);
      await waitFor(async () => (await api(r1.url, 'GET', '/healthz')).status === 200, 15_000, 'relay 1 healthy again');
      await a.saved(pa, 30_000);
      // The other relay's device gets it: from the database when it attaches, or live once
      // relay 2 is back on the bus and has caught its loaded copy up (it may be later than 1).
      await waitFor(async () => (await api(r2.url, 'GET', '/healthz')).status === 200, 15_000, 'relay 2 healthy again');
      const c = new Device(r2.wsUrl, lead.token);
      const pc = c.attach(h.name, new Y.Doc());
      await c.saved(pc);
      await waitFor(() => said(pc.document).includes('Redis停了时写的'), 15_000, 'the write reaches the other relay');
      visit(pa.document, actor(lead.memberId), '恢复之后写的');
      await waitFor(() => said(pc.document).includes('恢复之后写的'), 10_000, 'live again across relays');
      a.destroy();
      b.destroy();
      c.destroy();
    } catch (e) {
      // What the relays saw, for a failure on CI.
      console.log(`relay 1 (exit ${r1.proc.exitCode ?? r1.proc.signalCode ?? 'running'}):\n${r1.log().slice(-4000)}\nrelay 2:\n${r2.log().slice(-2000)}`);
      throw e;
    } finally {
      await Promise.all([r1.kill(), r2.kill()]);
      redis.kill('SIGKILL');
    }
  });
});
