// Team affinity (issue 10, item 4): the shipped deploy/haproxy.cfg in front of three relay
// processes on one PostgreSQL and one Redis. Two phones of a team (the app's sync engine) meet
// on one relay; that relay is killed; both reconnect through the proxy to one other relay and
// converge, losing nothing acknowledged. Runs in the integration-pg project; needs HAProxy
// (Debian: apt-get install -y --no-install-recommends haproxy), PostgreSQL and Redis.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addVisit, createHousehold, readHousehold } from '@/docs/household-doc';
import { newId } from '@/domain/ids';
import { clientDevice, syncOnce, waitForStatus, type ClientDevice } from './helpers/client-device';
import { relayCluster } from './helpers/cluster';
import { actor, profile } from './helpers/fixtures';
import { api, inviteByApi, join, ROOT, waitFor, type ChildRelay } from './helpers/relay';

const HOW_TO_INSTALL = 'apt-get install -y --no-install-recommends haproxy';
/** Debian installs it in /usr/sbin, which a user's PATH may lack. */
const HAPROXY = process.env.HAPROXY || (fs.existsSync('/usr/sbin/haproxy') ? '/usr/sbin/haproxy' : 'haproxy');
// Checked first: without HAProxy there is nothing to test (and no relays to start).
beforeAll(() => {
  const v = spawnSync(HAPROXY, ['-v'], { encoding: 'utf8' });
  if (v.error || v.status !== 0) throw new Error(`HAProxy is not installed (${v.error?.message ?? v.stderr}); this test runs the shipped deploy/haproxy.cfg. Install it with\n  ${HOW_TO_INSTALL}\n(.ci/run does this on a machine without it).`);
});
const cluster = relayCluster({ name: 'haproxy', teamName: '代理班组', env: { TRUST_PROXY: 'loopback' } });
const { dataDir, relays } = cluster;
const devices: ClientDevice[] = [];
let proxy: ChildProcess | undefined;
let proxyLog = '';
let proxyUrl: string;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** The shipped config, listening on a loopback port of the test and pointing at its relays. */
function proxyConfig(port: number): string {
  let cfg = fs.readFileSync(path.join(ROOT, 'deploy/haproxy.cfg'), 'utf8');
  expect(cfg).toMatch(/^\s*bind :8443$/m);
  cfg = cfg.replace(/^(\s*)bind :8443$/m, `$1bind 127.0.0.1:${port}`);
  // HAProxy needs two file descriptors per connection it may hold; a test machine's limit
  // (often 20,000 for root in a container) is below the shipped 20,000 connections' need.
  expect(cfg).toMatch(/^\s*maxconn 20000$/m);
  cfg = cfg.replace(/^(\s*)maxconn 20000$/m, '$1maxconn 1000');
  relays.forEach((r, i) => {
    const line = new RegExp(`^(\\s*server relay${i + 1}) 127\\.0\\.0\\.1:808${i + 1} check$`, 'gm');
    expect(cfg).toMatch(line);
    cfg = cfg.replace(line, `$1 127.0.0.1:${new URL(r.url).port} check`);
  });
  return cfg;
}

async function sockets(r: ChildRelay): Promise<number> {
  const h = await api(r.url, 'GET', '/healthz');
  return h.json.sockets as number;
}

beforeAll(async () => {
  const port = await freePort();
  const cfgFile = path.join(dataDir, 'haproxy.cfg');
  fs.writeFileSync(cfgFile, proxyConfig(port));
  const check = spawnSync(HAPROXY, ['-c', '-f', cfgFile], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`haproxy -c: ${check.stdout}${check.stderr}`);
  proxy = spawn(HAPROXY, ['-db', '-f', cfgFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  proxy.stdout!.on('data', (b: Buffer) => (proxyLog += b.toString()));
  proxy.stderr!.on('data', (b: Buffer) => (proxyLog += b.toString()));
  proxyUrl = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (proxy!.exitCode !== null) throw new Error(`haproxy exited with ${proxy!.exitCode}: ${proxyLog}`);
      try {
        return (await fetch(`${proxyUrl}/healthz`)).ok;
      } catch {
        return false;
      }
    },
    15_000,
    `HAProxy answering on ${proxyUrl}`,
  );
});

afterAll(async () => {
  for (const d of devices) await d.close().catch(() => undefined);
  if (proxy && proxy.exitCode === null) {
    const exited = new Promise((r) => proxy!.once('exit', r));
    proxy.kill('SIGKILL');
    await exited;
  }
});

describe('three relays behind the shipped HAProxy config', () => {
  it("sends a team's sockets to one relay, and when that relay dies the phones reconnect to another and converge", async () => {
    const lead = await join(proxyUrl, cluster.inviteCode, '王书记', 'lead-phone');
    // A second lead: a member would see only the households linked to them.
    const member = await join(proxyUrl, await inviteByApi(proxyUrl, lead, 'lead'), '李明', 'second-phone');
    // The app's engine, through the proxy; sockets stay open (no idle close, no polling) so
    // where they are can be counted. Retries come quickly, as after a short backoff.
    const opts = { pollMs: 0, idleMs: 600_000, retryBaseMs: 200, retryMaxMs: 1000 };
    const L = await clientDevice(proxyUrl, lead, 'ha-lead', opts);
    const M = await clientDevice(proxyUrl, member, 'ha-member', opts);
    devices.push(L, M);
    await waitForStatus(L, (s) => s.state === 'synced', 20_000, 'lead first sync');
    await waitForStatus(M, (s) => s.state === 'synced', 20_000, 'second phone first sync');

    const id = newId();
    const name = L.household(id);
    await L.records.commit(name, (doc) => createHousehold(doc, { id, teamId: cluster.teamId, profile: profile('赵大娘') }, actor(lead.memberId)));
    await waitForStatus(L, (s) => s.state === 'synced' && s.pendingHouseholds === 0, 20_000, 'household acknowledged');
    await syncOnce(M);

    // Affinity: both phones' sockets on one relay (hashed on ?team=), none on the others.
    const counts = await Promise.all(relays.map(sockets));
    expect(counts.sort()).toEqual([0, 0, 2]);
    const home = relays[(await Promise.all(relays.map(sockets))).indexOf(2)]!;

    // That relay dies. HAProxy sends the next connection of the team to another relay.
    await home.kill('SIGKILL');
    const said = '断电后补录的走访';
    await L.records.commit(name, (doc) => addVisit(doc, { id: newId(), kind: 'home', visitorIds: [lead.memberId], visitedAt: new Date().toISOString(), observations: {}, said, notes: '', photos: [] }, actor(lead.memberId)));
    await waitForStatus(L, (s) => s.state === 'synced' && s.pendingHouseholds === 0, 30_000, 'the visit acknowledged by another relay');
    await waitFor(
      async () => {
        await syncOnce(M);
        return readHousehold(await M.records.doc(name)).visits.some((v) => v.said === said);
      },
      30_000,
      'the second phone has the visit',
    );
    const views = await Promise.all([L, M].map(async (d) => JSON.stringify(readHousehold(await d.records.doc(name)))));
    expect(views[0]).toBe(views[1]);
    expect(readHousehold(await M.records.doc(name)).household.headName).toBe('赵大娘');
    expect(M.engine.status).toMatchObject({ state: 'synced', pendingHouseholds: 0 });

    // Still together, on one of the two relays left.
    const left = relays.filter((r) => r !== home);
    const after = await Promise.all(left.map(sockets));
    expect(after.sort()).toEqual([0, 2]);
  });
});
