/**
 * `node --import tsx tests/bench/ab-lead-sync.ts --base=<other worktree> [--runs=4] [--smoke]`:
 * a lead's first full sync (timed as `lead-sync.bench.ts` times it, loopback) against two
 * builds — the other worktree's (A: its relay, its `.bench/dist`) and this one's (B) —
 * interleaved sync by sync (A B, B A, …), so both sides see the same load on a shared
 * machine. Run `npm run bench -- --only=lead-sync` once in the other worktree first: it
 * builds its `.bench/dist` (this tree's is rebuilt here when its sources changed). Prints every run, the medians and their ratio.
 */
import { join, resolve } from 'node:path';
import { buildApp, staleBuild } from './support/app';
import { launchDevice, waitForServiceWorker, waitForFirstSync } from './support/browser';
import { Link } from './support/link';
import { benchTeam } from './support/team';
import { median } from './harness';

type RelaySupport = typeof import('./support/relay');

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const smoke = process.argv.includes('--smoke');
const runs = Number(arg('runs') ?? 4);
const base = arg('base');
if (!base) throw new Error('--base=<worktree of the build to compare with> is required');

interface Side {
  name: string;
  relay: Awaited<ReturnType<RelaySupport['startRelayProcess']>>;
  link: Link;
  codes: string[];
  dataDir: string;
  support: RelaySupport;
  times: number[];
}

async function side(name: string, root: string): Promise<Side> {
  // Each side seeds and runs its own relay code (its worktree's sources).
  // (Its module takes the working directory it is loaded in as the root it starts the relay from.)
  const here = process.cwd();
  process.chdir(root);
  const support = (await import(join(root, 'tests/bench/support/relay.ts'))) as RelaySupport;
  process.chdir(here);
  const team = benchTeam(smoke);
  const dataDir = support.tempDir(`lianhu-ab-${name}-`);
  await support.seedTeams(dataDir, [support.seedOf(team)]);
  const codes = await support.createInvites(dataDir, team.teamId, Array.from({ length: runs }, () => ({ role: 'lead' as const, memberId: team.leadId })));
  const relay = await support.startRelayProcess(dataDir, join(root, '.bench/dist'));
  const link = await new Link({ host: relay.host, port: relay.port }).start();
  return { name, relay, link, codes, dataDir, support, times: [] };
}

async function firstSync(s: Side, code: string): Promise<number> {
  const households = benchTeam(smoke).households.size;
  const profile = s.support.tempDir('lianhu-ab-profile-');
  const { context, page } = await launchDevice(profile, { laptop: true });
  try {
    await page.goto(`${s.link.url}/welcome`);
    await page.locator('#member-name').waitFor();
    await waitForServiceWorker(page);
    await page.locator('#member-name').fill('赵书记');
    await page.locator('#device-name').fill('支部电脑');
    await page.locator('#invite-code').fill(code);
    const t0 = performance.now();
    await page.getByRole('button', { name: '加入团队' }).click();
    const done = await waitForFirstSync(page, households);
    return done.at - t0;
  } finally {
    await context.close();
    s.support.removeDir(profile);
  }
}

// This tree's build follows its sources (as `npm run bench` does); the other tree's is taken as it is.
if (staleBuild()) buildApp();
const a = await side('A', resolve(base));
const b = await side('B', process.cwd());
try {
  for (let i = 0; i < runs; i++) {
    for (const s of i % 2 === 0 ? [a, b] : [b, a]) {
      const ms = await firstSync(s, s.codes[i]!);
      s.times.push(ms / 1000);
      console.log(`run ${i + 1} ${s.name}: ${(ms / 1000).toFixed(2)} s`);
    }
  }
} finally {
  for (const s of [a, b]) {
    await s.link.close();
    await s.relay.stop();
    s.support.removeDir(s.dataDir);
  }
}
const ma = median(a.times);
const mb = median(b.times);
console.log(`A (${base}): median ${ma} s [${a.times.map((t) => t.toFixed(2)).join(', ')}]`);
console.log(`B (this tree): median ${mb} s [${b.times.map((t) => t.toFixed(2)).join(', ')}]`);
console.log(`B / A = ${(mb / ma).toFixed(2)}`);
