/**
 * `node --import tsx tests/bench/profile-lead-sync.ts [--smoke] [--runs=N] [--out=DIR] [--cpu=4]`:
 * a lead's first full sync (as `lead-sync.bench.ts` times it) recorded with the CDP
 * Profiler, one `.cpuprofile` per run (open it in Chromium's DevTools), and a summary of
 * where the main thread's time went: idle (waiting), GC, and self time by function and by
 * script, so a change can be aimed at what costs and checked against the same breakdown.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { cdp, launchDevice, throttleCpu, waitForServiceWorker, waitForFirstSync } from './support/browser';
import { Link } from './support/link';
import { createInvites, removeDir, seedOf, seedTeams, startRelayProcess, tempDir } from './support/relay';
import { benchTeam } from './support/team';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const smoke = process.argv.includes('--smoke');
const runs = Number(arg('runs') ?? 1);
const cpu = Number(arg('cpu') ?? 1);
const out = arg('out') ?? '.bench/profiles';

/** Self time per function and per script, and the special nodes (idle, GC, program). */
function summarize(p: Profile): string {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i + 1] ?? 0));
  const fn = new Map<string, number>();
  const script = new Map<string, number>();
  let total = 0;
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const f = n.callFrame;
    const file = f.url.split('/').pop() || '(native)';
    const key = f.url ? `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}` : f.functionName;
    fn.set(key, (fn.get(key) ?? 0) + us);
    const s = f.url ? file : f.functionName;
    script.set(s, (script.get(s) ?? 0) + us);
    total += us;
  }
  // Inclusive time: each sample counts once for every distinct function on its stack.
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<string, number>();
  for (const [id, us] of self) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at)!.callFrame;
      if (!f.url) continue;
      const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  }
  const ms = (us: number) => `${(us / 1000).toFixed(0)} ms`;
  const top = (m: Map<string, number>, k: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([name, us]) => `  ${ms(us).padStart(9)}  ${name}`)
      .join('\n');
  return `wall ${ms(p.endTime - p.startTime)}, sampled ${ms(total)}\nby script / special node:\n${top(script, 15)}\nby function (self):\n${top(fn, 40)}\nby function (inclusive):\n${top(inclusive, 60)}\n`;
}

async function main(): Promise<void> {
  // Built unminified into its own directory, so the profile names functions as the sources do.
  const dist = join(process.cwd(), '.bench/dist-profile');
  const built = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn', '--outDir', dist, '--emptyOutDir', '--minify', 'false'], {
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (built.status !== 0) throw new Error(`vite build failed (${built.status})`);
  const team = benchTeam(smoke);
  const households = team.households.size;
  const dataDir = tempDir('lianhu-prof-lead-');
  await seedTeams(dataDir, [seedOf(team)]);
  const codes = await createInvites(dataDir, team.teamId, Array.from({ length: runs }, () => ({ role: 'lead' as const, memberId: team.leadId })));
  const relay = await startRelayProcess(dataDir, dist);
  const link = await new Link({ host: relay.host, port: relay.port }).start();
  mkdirSync(out, { recursive: true });
  try {
    for (let i = 0; i < runs; i++) {
      const profileDir = tempDir('lianhu-prof-lead-profile-');
      const { context, page } = await launchDevice(profileDir, { laptop: true });
      try {
        await page.goto(`${link.url}/welcome`);
        await page.locator('#member-name').waitFor();
        await waitForServiceWorker(page);
        await page.locator('#member-name').fill('赵书记');
        await page.locator('#device-name').fill('支部电脑');
        await page.locator('#invite-code').fill(codes[i]!);
        const session = await cdp(context, page);
        if (cpu !== 1) await throttleCpu(session, cpu);
        await session.send('Profiler.enable');
        await session.send('Profiler.setSamplingInterval', { interval: 500 });
        await session.send('Profiler.start');
        const t0 = performance.now();
        const clickedAt = await page.evaluate(() => performance.now());
        await page.getByRole('button', { name: '加入团队' }).click();
        const done = await waitForFirstSync(page, households);
        const { profile } = (await session.send('Profiler.stop')) as { profile: Profile };
        // The requests of the sync on the page's clock, from the click: where the waits are.
        const requests = await page.evaluate(
          (from) =>
            performance
              .getEntriesByType('resource')
              .filter((e) => e.name.includes('/api/'))
              .map((e) => {
                const r = e as PerformanceResourceTiming;
                return `${new URL(r.name).pathname}${new URL(r.name).search.slice(0, 40)} start ${(r.startTime - from).toFixed(0)} first byte ${(r.responseStart - from).toFixed(0)} end ${(r.responseEnd - from).toFixed(0)} ms`;
              }),
          clickedAt,
        );
        console.log(requests.join('\n'));
        const file = join(out, `lead-sync-${i + 1}.cpuprofile`);
        writeFileSync(file, JSON.stringify(profile));
        console.log(`run ${i + 1}: docs durable ${((done.docsAt - t0) / 1000).toFixed(2)} s, rows ${((done.at - t0) / 1000).toFixed(2)} s → ${file}`);
        console.log(summarize(profile));
      } finally {
        await context.close();
        removeDir(profileDir);
      }
    }
  } finally {
    await link.close();
    await relay.stop();
    removeDir(dataDir);
  }
}

const again = arg('summarize');
if (again) console.log(summarize(JSON.parse(readFileSync(again, 'utf8')) as Profile));
else await main();
