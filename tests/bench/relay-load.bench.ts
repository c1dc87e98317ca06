import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { Redis } from 'ioredis';
import pg from 'pg';
import * as Y from 'yjs';
import { addRequestAction, addVisit, readHousehold, reviewVisit } from '../../src/docs/household-doc';
import { householdDocName } from '../../src/docs/schema';
import type { GeneratedTeam } from './generate';
import { percentile, summarize, type Bench, type BenchContext, type BenchResult } from './harness';
import { BENCH_DIST } from './support/app';
import { track } from './support/children';
import type { DeviceResult, WorkerDevice, WorkerJob } from './support/load-worker';
import { appendUpdates, createInvites, removeDir, seedOf, seedTeams, startRelayProcess, tempDir, withStore, type RelayProcess, type SeedTeam } from './support/relay';
import { benchTeam } from './support/team';

/**
 * The relay under load: 25 teams of 20 members (each team the generated 2,000 households),
 * one phone per member — 500 devices — coming back after a day away within 30 seconds, on
 * loopback (all at the same instant, BENCH_LOAD_RAMP_S=0, the relay cannot answer every
 * socket within the 30 s the app waits for a frame, and the retries snowball). Each device pushes its day (20 visits and 5 request updates) and takes what
 * its lead changed meanwhile (reviews on 5 of its households). Devices are Node processes
 * speaking the app's protocol (support/load-worker.ts); the relay is its own process, so
 * its memory and CPU are its own.
 */

const WORKERS_FULL = 4;

/** Per member index: the docs that member's phone holds that matter today, and its own edits. */
function memberDays(team: GeneratedTeam): { docsFile: object; leadChanges: { suffix: string; update: Uint8Array }[] } {
  const hids = [...team.households.keys()];
  const members = team.memberIds.map((memberId, m) => {
    const mine = hids.filter((_, i) => i % team.memberIds.length === m);
    const visited = Array.from({ length: 20 }, (_, i) => mine[i % mine.length]!);
    const reviewed = mine.slice(-5);
    const local = new Map<string, Y.Doc>();
    const copy = (hid: string) => {
      let d = local.get(hid);
      if (!d) {
        d = new Y.Doc();
        Y.applyUpdate(d, Y.encodeStateAsUpdate(team.households.get(hid)!));
        local.set(hid, d);
      }
      return d;
    };
    const own = new Set<string>();
    const now = '2026-11-21T09:00:00.000Z';
    visited.forEach((hid, i) => {
      addVisit(copy(hid), { id: `day-${m}-${i}`, kind: 'home', visitorIds: [memberId], visitedAt: now, observations: { housing: { level: 'fair', note: '' }, health: { level: 'concern', note: '血压偏高，已提醒按时服药' } }, said: '老人说最近身体还行，冬天取暖煤不够，希望帮忙联系。', notes: '', photos: [] }, { memberId, deviceId: `dev-${memberId}`.slice(0, 64), now });
      own.add(hid);
    });
    // Five open requests this member owns get a note.
    let updates = 0;
    for (const hid of mine) {
      if (updates >= 5) break;
      const open = readHousehold(team.households.get(hid)!).requests.find((q) => q.status === 'open' && q.ownerId === memberId);
      if (!open) continue;
      addRequestAction(copy(hid), open.id, { id: `day-${m}-req-${updates}`, at: now, by: memberId, kind: 'note', text: '已联系村委会，下周上门处理。' });
      own.add(hid);
      updates++;
    }
    for (const hid of reviewed) if (!own.has(hid)) copy(hid);
    return {
      team: Buffer.from(Y.encodeStateAsUpdate(team.team)).toString('base64'),
      docs: [...local].map(([hid, d]) => ({ suffix: hid, state: Buffer.from(Y.encodeStateAsUpdate(d)).toString('base64'), own: own.has(hid) })),
      reviewed,
    };
  });
  // The lead's reviews, made while the phones were away (the same in every team).
  const leadChanges = members.flatMap((m) =>
    m.reviewed.map((hid) => {
      const d = new Y.Doc();
      Y.applyUpdate(d, Y.encodeStateAsUpdate(team.households.get(hid)!));
      const sv = Y.encodeStateVector(d);
      const last = readHousehold(d).visits.at(-1);
      if (last) reviewVisit(d, last.id, { status: 'reviewed', comment: '记录完整', by: team.leadId, at: '2026-11-21T10:00:00.000Z' });
      return { suffix: hid, update: Y.encodeStateAsUpdate(d, sv) };
    }),
  );
  return { docsFile: members.map(({ team: t, docs }) => ({ team: t, docs })), leadChanges };
}

async function redeem(url: string, code: string, memberName: string): Promise<{ token: string; deviceId: string }> {
  const res = await fetch(`${url}/api/invites/redeem`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ code, memberName, deviceName: `${memberName}的手机` }) });
  if (res.status !== 201) throw new Error(`redeem: ${res.status} ${await res.text()}`);
  return (await res.json()) as { token: string; deviceId: string };
}

function message<T>(child: ChildProcess, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: Record<string, unknown>) => {
      if (key in m) {
        child.off('message', onMessage);
        resolve(m[key] as T);
      }
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`load worker exited with ${code}`)));
  });
}

/** Where the relays under load keep their data: the default (SQLite in DATA_DIR) or PostgreSQL + Redis shared by several relays. */
interface LoadSetup {
  relays: number;
  cluster?: { databaseUrl: string; redisUrl: string; redisPrefix: string };
}

/** Redis' command counts (`INFO commandstats`): command → calls. */
async function redisCommandCalls(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  const calls = new Map<string, number>();
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(m[1]!, Number(m[2]));
  return calls;
}

async function runLoad({ smoke }: BenchContext, setup: LoadSetup): Promise<BenchResult[]> {
  const team = benchTeam(smoke);
  // BENCH_LOAD_TEAMS changes the number of teams (20 phones each at full size) to explore the relay's limits.
  const teamCount = Number(process.env.BENCH_LOAD_TEAMS) || (smoke ? 5 : 25);
  // BENCH_LOAD_RAMP_S: the phones come back spread over this many seconds (0: all at the same instant).
  const rampMs = 1000 * Number(process.env.BENCH_LOAD_RAMP_S ?? (smoke ? 2 : 30));
  // As the app (src/sync/hot.ts): a household edited more than a minute ago is detached once in
  // step, so phones back after a day of offline edits detach each household doc once in step.
  // BENCH_LOAD_HOT=1: every phone keeps every doc attached (as if each member had edited all 25
  // households within the last minute; what the app did before it let cold docs go).
  const detach = process.env.BENCH_LOAD_HOT !== '1';
  const workers = smoke ? 1 : WORKERS_FULL;
  const base = seedOf(team);
  const teams: SeedTeam[] = Array.from({ length: teamCount }, (_, i) => ({ ...base, teamId: `load${String(i).padStart(2, '0')}${team.teamId}`, name: `林场第${i + 1}支部` }));
  const dataDir = tempDir('lianhu-bench-load-');
  const databaseUrl = setup.cluster?.databaseUrl;
  const relayEnv: Record<string, string> = setup.cluster ? { DATABASE_URL: setup.cluster.databaseUrl, REDIS_URL: setup.cluster.redisUrl, REDIS_PREFIX: setup.cluster.redisPrefix } : {};
  const docsFile = join(dataDir, 'member-days.json');
  const t0 = performance.now();
  const { docsFile: days, leadChanges } = memberDays(team);
  writeFileSync(docsFile, JSON.stringify(days));
  await seedTeams(dataDir, teams, databaseUrl);
  const codes: string[][] = [];
  for (const t of teams) codes.push(await createInvites(dataDir, t.teamId, team.memberIds.map((memberId) => ({ role: 'member' as const, memberId })), databaseUrl));
  const seedS = (performance.now() - t0) / 1000;

  const devices: WorkerDevice[] = [];
  // First start: every phone joins and is in step with the relay (its position = the team's sequence now).
  const first = await startRelayProcess(dataDir, BENCH_DIST, relayEnv);
  try {
    for (const [ti, t] of teams.entries()) {
      for (const [m] of team.memberIds.entries()) {
        const joined = await redeem(first.url, codes[ti]![m]!, `成员${m + 1}`);
        devices.push({ index: devices.length, teamId: t.teamId, token: joined.token, since: 0, member: m, startAt: 0, localAddress: `127.${1 + Math.floor(devices.length / 250)}.0.${2 + (devices.length % 250)}`, relay: ti % setup.relays });
      }
      const res = await fetch(`${first.url}/api/team`, { headers: { Authorization: `Bearer ${devices.at(-1)!.token}` } });
      const { seq } = (await res.json()) as { seq: number };
      for (const d of devices) if (d.teamId === t.teamId) d.since = seq;
    }
  } finally {
    await first.stop();
  }
  // Phones come back in a random order over the ramp (the same order every run).
  const order = devices.map((d) => d.index).sort((a, b) => ((a * 7919) % devices.length) - ((b * 7919) % devices.length));
  order.forEach((index, k) => (devices[index]!.startAt = k / devices.length));
  // Meanwhile each lead reviewed five households of every member.
  await appendUpdates(
    dataDir,
    teams.flatMap((t) => leadChanges.map((c) => ({ name: householdDocName(t.teamId, c.suffix), update: c.update, author: { deviceId: `lead-${t.teamId.slice(0, 20)}`, memberId: team.leadId } }))),
    databaseUrl,
  );
  const appends = () => withStore(dataDir, async ({ db }) => Number((await db.get<{ n: number | string }>('SELECT sum(seq) AS n FROM teams'))?.n ?? 0), databaseUrl);

  // Several relays: each team's phones go to one relay, as the shipped HAProxy config's hash on the team does.
  const relays: RelayProcess[] = [];
  for (let r = 0; r < setup.relays; r++) relays.push(await startRelayProcess(dataDir, BENCH_DIST, relayEnv));
  const redis = setup.cluster ? new Redis(setup.cluster.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 }) : undefined;
  const children: ChildProcess[] = [];
  let results: DeviceResult[] = [];
  const rss = relays.map((): number[] => []);
  let baseline: number[] = [];
  let connected: number[] = [];
  let after: number[] = [];
  let cpu: number[] = [];
  let wallS = 0;
  let appended = 0;
  const redisCalls = new Map<string, number>();
  let sampler: NodeJS.Timeout | undefined;
  let progress: NodeJS.Timeout | undefined;
  try {
    await redis?.connect();
    await new Promise((r) => setTimeout(r, 1000));
    baseline = relays.map((r) => r.rssMb());
    for (let w = 0; w < workers; w++) {
      const child = track(fork(join(import.meta.dirname, 'support/load-worker.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
      children.push(child);
      const job: WorkerJob = { relayUrls: relays.map((r) => r.url), docsFile, devices: devices.filter((_, i) => i % workers === w), timeoutMs: smoke ? 60_000 : 600_000, rampMs, detach };
      child.send({ job });
    }
    await Promise.all(children.map((c) => message(c, 'ready')));
    sampler = setInterval(() => relays.forEach((r, i) => rss[i]!.push(r.rssMb())), 100);
    const appends0 = await appends();
    const redis0 = redis ? await redisCommandCalls(redis) : new Map<string, number>();
    const cpu0 = relays.map((r) => r.cpuSeconds());
    const start = performance.now();
    const done = children.map((c) => message<DeviceResult[]>(c, 'results'));
    const finished = new Map<ChildProcess, number>();
    for (const c of children) c.on('message', (m: { progress?: number }) => m.progress !== undefined && finished.set(c, m.progress));
    progress = setInterval(() => {
      const n = [...finished.values()].reduce((a, b) => a + b, 0);
      console.log(`    … ${n} of ${devices.length} devices caught up after ${((performance.now() - start) / 1000).toFixed(0)} s; relays ${relays.map((r) => Math.round(r.rssMb())).join(' + ')} MB`);
    }, 15_000);
    for (const c of children) c.send({ go: true });
    results = (await Promise.all(done)).flat();
    clearInterval(progress);
    wallS = (performance.now() - start) / 1000;
    cpu = relays.map((r, i) => r.cpuSeconds() - cpu0[i]!);
    connected = relays.map((r) => r.rssMb());
    clearInterval(sampler);
    appended = (await appends()) - appends0;
    if (redis) {
      const calls = await redisCommandCalls(redis);
      // less the first INFO of this count (Redis counts a command after it ran: the second is not in its own answer)
      for (const [k, v] of calls) {
        const n = v - (redis0.get(k) ?? 0) - (k === 'info' ? 1 : 0);
        if (n > 0) redisCalls.set(k, n);
      }
    }
    for (const c of children) c.send({ stop: true });
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
    // Hocuspocus unloads a doc a few seconds after its last connection closes.
    await new Promise((r) => setTimeout(r, smoke ? 3000 : 8000));
    after = relays.map((r) => r.rssMb());
  } finally {
    clearInterval(sampler);
    clearInterval(progress);
    for (const c of children) if (c.exitCode === null) c.kill();
    redis?.disconnect();
    await Promise.all(relays.map((r) => r.stop()));
    removeDir(dataDir);
  }

  const ok = results.filter((r) => r.ok);
  const failed = results.length - ok.length;
  const retried = ok.filter((r) => r.retries > 0);
  const why = [...new Set(results.filter((r) => r.error).map((r) => r.error!.replace(/\s+$/, '')))].slice(0, 3).join('; ');
  if (ok.length === 0) throw new Error(`no device caught up: ${results[0]?.error ?? 'no results'}`);
  const ms = ok.map((r) => r.ms);
  const peaks = relays.map((_, i) => Math.max(...rss[i]!, connected[i]!));
  const phonesOn = relays.map((_, i) => devices.filter((d) => d.relay === i).length);
  const cpuTotal = cpu.reduce((a, b) => a + b, 0);
  const cpuPerPhone = (1000 * cpuTotal) / devices.length;
  const memPerPhone = relays.map((_, i) => (peaks[i]! - baseline[i]!) / phonesOn[i]!);
  const what = setup.cluster ? `${setup.relays} relay${setup.relays > 1 ? 's' : ''} on PostgreSQL + Redis` : 'relay';
  const perRelay = (xs: number[], digits: number) => xs.map((x) => x.toFixed(digits)).join(' / ');
  const out: BenchResult[] = [
    {
      ...summarize(`${what} under load, ${devices.length} devices back within ${rampMs / 1000} s, p99 catch-up (s)`, 's', [percentile(ms, 99) / 1000], null),
      min: Math.round(Math.min(...ms)) / 1000,
      max: Math.round(Math.max(...ms)) / 1000,
      note: `${teamCount} teams × ${team.memberIds.length} phones, ${teamCount * team.households.size} households stored${setup.relays > 1 ? `; each team's phones on one relay (as HAProxy's hash on the team), ${perRelay(phonesOn, 0)} phones per relay` : ''}; phones start in a shuffled order spread over ${rampMs / 1000} s, each timed from its own start; each pushes 20 visits + 5 request updates and takes its lead's 5 reviews (${Math.round(ok.reduce((a, r) => a + r.attached, 0) / ok.length)} docs attached on average, ${detach ? 'each detached once in step' : 'all kept attached (BENCH_LOAD_HOT)'}); p50 ${(percentile(ms, 50) / 1000).toFixed(2)} s, p90 ${(percentile(ms, 90) / 1000).toFixed(2)} s; all done in ${wallS.toFixed(1)} s; relay CPU ${cpuTotal.toFixed(1)} s${setup.relays > 1 ? ` (${perRelay(cpu, 1)} s per relay)` : ''}; ${appended} updates stored; min–max is the fastest and slowest phone; ${retried.length} phones caught up only after a failed run (max ${Math.max(0, ...ok.map((r) => r.retries))} retries)${failed ? `; ${failed} never caught up` : ''}${why ? ` (${why})` : ''}; ${workers} client processes; seeding took ${seedS.toFixed(0)} s`,
    },
    {
      ...summarize(`${what} under load, memory peak (MB)`, 'MB', [Math.round(Math.max(...peaks))], null),
      note: `resident memory of ${setup.relays > 1 ? 'each relay process' : 'the relay process'}: ${perRelay(baseline, 0)} MB idle after start, peak ${perRelay(peaks, 0)} MB with ${devices.length} phones syncing, ${perRelay(connected, 0)} MB with them all still connected, ${perRelay(after, 0)} MB after they left`,
    },
    summarize(`${what} under load, CPU per returning phone (ms)`, 'ms', [Math.round(cpuPerPhone)], 50, `relay CPU (from /proc, all relays together) over the phones; ${setup.relays > 1 ? `per relay over its own phones ${perRelay(cpu.map((c, i) => (1000 * c) / phonesOn[i]!), 0)} ms; ` : ''}the load workers' CPU is not counted`),
    summarize(`${what} under load, memory per returning phone (MB)`, 'MB', [Math.round(Math.max(...memPerPhone) * 100) / 100], 2, `(peak − idle) over the phones a relay served${setup.relays > 1 ? `, per relay ${perRelay(memPerPhone, 2)} MB` : ''}`),
  ];
  if (redis) {
    const total = [...redisCalls.values()].reduce((a, b) => a + b, 0);
    const top = [...redisCalls].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, v]) => `${k} ${v}`).join(', ');
    out.push(summarize(`${what} under load, Redis commands per stored update`, 'commands', [Math.round((100 * total) / Math.max(1, appended)) / 100], null, `INFO commandstats before and after the catch-up: ${total} commands for ${appended} stored updates (${top}); the Redis is shared, so another user's commands in that window count too`));
  }
  return out;
}

export const relayLoad: Bench = (ctx) => runLoad(ctx, { relays: 1 });

/**
 * The same returning district on several relays sharing PostgreSQL and Redis (docs/relay.md
 * "Many relays"): BENCH_CLUSTER_RELAYS relays (3), each team's phones on one of them, as the
 * shipped HAProxy config hashes a team to one relay. Needs PostgreSQL on 127.0.0.1:5432 and
 * Redis on 127.0.0.1:6379 (LIANHU_TEST_PG_URL, LIANHU_TEST_REDIS_URL to point elsewhere); a
 * database and a key prefix of its own, both dropped after.
 */
export const relayCluster: Bench = async (ctx) => {
  const relays = Number(process.env.BENCH_CLUSTER_RELAYS) || 3;
  const adminUrl = process.env.LIANHU_TEST_PG_URL || `postgres://${encodeURIComponent(process.env.PGUSER || userInfo().username)}@127.0.0.1:5432/postgres`;
  const redisUrl = process.env.LIANHU_TEST_REDIS_URL || 'redis://127.0.0.1:6379';
  const name = `lianhu_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client(adminUrl);
  try {
    await admin.connect();
  } catch (e) {
    throw new Error(`PostgreSQL at ${adminUrl} did not answer (${String(e)}); start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`);
  }
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    return await runLoad(ctx, { relays, cluster: { databaseUrl: url.toString(), redisUrl, redisPrefix: `${name}:` } });
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
};
