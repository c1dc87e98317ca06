/**
 * Where a lead page's time goes: `node --import tsx tests/bench/profile-lead.ts [--smoke]
 * [--out=<dir>]`. Seeds the bench team on a relay, syncs a lead (loopback), then opens
 * /lead/assessment cold with the CPU slowed 4× under a CDP CPU profile of the page, and
 * prints the page's and the figures worker's performance marks, plus the profile's top
 * functions by self time. Uses the build in .bench/dist (`npm run bench -- --build` makes it).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIST } from './support/app';
import { cdp, launchDevice, throttleCpu } from './support/browser';
import { Link } from './support/link';
import { PAGE_MARKS } from './support/page-marks';
import { createInvites, removeDir, seedOf, seedTeams, startRelayProcess, tempDir } from './support/relay';
import { benchTeam } from './support/team';
import { throughLock } from '../e2e/support/lock';
import { joinAndSync, setLeadPin, type BenchWindow } from './lead-sync.bench';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

function topSelf(profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }, n = 25): string[] {
  const byId = new Map(profile.nodes.map((x) => [x.id, x]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)!;
    const f = node.callFrame;
    const key = `${f.functionName || '(anon)'} ${f.url.split('/').pop()}:${f.lineNumber}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i + 1] ?? 0) / 1000);
  });
  return [...self].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, ms]) => `${ms.toFixed(0).padStart(6)} ms  ${k}`);
}

const smoke = process.argv.includes('--smoke');
const out = process.argv.find((a) => a.startsWith('--out='))?.slice(6);
const pagePath = process.argv.find((a) => a.startsWith('--page='))?.slice(7) ?? '/lead/assessment';
const team = benchTeam(smoke);
const dataDir = tempDir('lianhu-profile-lead-');
await seedTeams(dataDir, [seedOf(team)]);
const [code] = await createInvites(dataDir, team.teamId, [{ role: 'lead', memberId: team.leadId }]);
const relay = await startRelayProcess(dataDir, BENCH_DIST);
const link = await new Link({ host: relay.host, port: relay.port }).start();
const profileDir = tempDir('lianhu-profile-lead-device-');
try {
  const { context, page } = await launchDevice(profileDir, { laptop: true });
  await context.addInitScript(PAGE_MARKS);
  const sync = await joinAndSync(page, link, code!, undefined, team.households.size);
  console.log(`first sync ${(sync.rowsMs / 1000).toFixed(1)} s`);
  await page.waitForTimeout(1000);
  await page.close();
  const pin = await setLeadPin(context, link);
  for (let round = 0; round < Number(process.env.ROUNDS ?? 2); round++) {
    const p = await context.newPage();
    const session = await cdp(context, p);
    await throttleCpu(session, 4);
    await session.send('Profiler.enable');
    await session.send('Profiler.setSamplingInterval', { interval: 500 });
    await session.send('Profiler.start');
    await p.goto(`${link.url}${pagePath}`);
    await throughLock(p, pin, 120_000);
    const key = pagePath === '/lead' ? 'overviewReady' : 'assessmentReady';
    await p.waitForFunction((k) => (window as unknown as BenchWindow).__bench[k as 'assessmentReady'] !== undefined, key, { polling: 100, timeout: 180_000 });
    const { profile } = (await session.send('Profiler.stop')) as unknown as { profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] } };
    const ready = await p.evaluate((k) => (window as unknown as BenchWindow).__bench[k as 'assessmentReady']!, key);
    const pageMarks = await p.evaluate(() =>
      performance
        .getEntries()
        .filter((e) => e.entryType === 'mark' || e.entryType === 'measure' || (e.entryType === 'resource' && e.duration > 50) || e.entryType === 'navigation')
        .map((e) => `${e.startTime.toFixed(0).padStart(6)} +${e.duration.toFixed(0).padStart(5)}  ${e.entryType} ${e.name.split('/').pop()}`),
    );
    const pageOrigin = await p.evaluate(() => performance.timeOrigin);
    const workerMarks: string[] = [];
    for (const w of p.workers()) {
      const got = await w.evaluate(() => ({ origin: performance.timeOrigin, marks: performance.getEntries().map((e) => [e.startTime, e.duration, e.entryType, e.name] as const) }));
      const shift = got.origin - pageOrigin;
      for (const [at, d, type, name] of got.marks) if (type !== 'resource' || d > 50) workerMarks.push(`${(at + shift).toFixed(0).padStart(6)} +${d.toFixed(0).padStart(5)}  worker ${type} ${name.split('/').pop()}`);
    }
    console.log(`\n== ${pagePath} round ${round + 1}: ready at ${ready.toFixed(0)} ms`);
    console.log([...pageMarks, ...workerMarks].sort((a, b) => Number(a.trim().split(' ')[0]) - Number(b.trim().split(' ')[0])).join('\n'));
    console.log('-- page main thread, self time:');
    console.log(topSelf(profile).join('\n'));
    if (out) {
      mkdirSync(out, { recursive: true });
      writeFileSync(join(out, `page-${round + 1}.cpuprofile`), JSON.stringify(profile));
    }
    await p.close();
  }
  await context.close();
} finally {
  await link.close();
  await relay.stop();
  removeDir(dataDir);
  removeDir(profileDir);
}
