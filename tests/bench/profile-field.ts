/**
 * Where a member's phone spends its time: `node --import tsx tests/bench/profile-field.ts
 * [--smoke] [--out=<dir>] [--rounds=N] [--trace] [--cold-only] [--settle=ms]`. Seeds the bench team, lets a member's phone take
 * every household once, then for each round: a cold start offline at CPU 4× (until the
 * list is interactive), ten saves, and the search queries typed, each under its own CDP CPU
 * profile. Prints each phase's figures and the profile's top functions by self time, and by
 * script. Uses the build in .bench/dist (`npm run bench -- --build` makes it).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CDPSession } from 'playwright-core';
import { percentile } from './harness';
import { bench, coldStart, open, saveVisits, searchQueries, typeQueries } from './field.bench';
import { WelcomePageModel } from '../e2e/pages/welcome-page';
import { BENCH_DIST } from './support/app';
import { cdp, throttleCpu, waitForServiceWorker, waitForState } from './support/browser';
import { Link } from './support/link';
import { createInvites, removeDir, seedTeams, startRelayProcess, tempDir } from './support/relay';
import { benchTeam, fieldSeed } from './support/team';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function selfTimes(profile: CpuProfile, keyOf: (f: ProfileNode['callFrame']) => string, n: number): string[] {
  const byId = new Map(profile.nodes.map((x) => [x.id, x]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const key = keyOf(byId.get(id)!.callFrame);
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i + 1] ?? 0) / 1000);
  });
  return [...self].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, ms]) => `${ms.toFixed(0).padStart(6)} ms  ${k}`);
}

const fn = (f: ProfileNode['callFrame']) => `${f.functionName || '(anon)'} ${f.url.split('/').pop()}:${f.lineNumber}`;
const script = (f: ProfileNode['callFrame']) => f.url.split('/').pop() || f.functionName || '(native)';

async function profiled<T>(session: CDPSession, what: string, run: () => Promise<T>): Promise<T> {
  await session.send('Profiler.enable');
  await session.send('Profiler.setSamplingInterval', { interval: 250 });
  await session.send('Profiler.start');
  const result = await run();
  const { profile } = (await session.send('Profiler.stop')) as unknown as { profile: CpuProfile };
  console.log(`-- ${what}: self time by function`);
  console.log(selfTimes(profile, fn, 30).join('\n'));
  console.log(`-- ${what}: self time by script`);
  console.log(selfTimes(profile, script, 10).join('\n'));
  if (out) {
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, `${what.replace(/\W+/g, '-')}.cpuprofile`), JSON.stringify(profile));
  }
  return result;
}

/**
 * A Chromium trace of `run`, summed up as the page's main-thread tasks in time order (those
 * over 4 ms, with what they ran): the critical path of a cold start, where a CPU profile
 * only says which functions were busy.
 */
async function traced<T>(session: CDPSession, what: string, run: () => Promise<T>): Promise<T> {
  const events: TraceEvent[] = [];
  session.on('Tracing.dataCollected', (e) => events.push(...(e.value as unknown as TraceEvent[])));
  await session.send('Tracing.start', { categories: 'devtools.timeline,v8,v8.execute,blink.user_timing,loading,disabled-by-default-devtools.timeline', transferMode: 'ReportEvents' });
  const result = await run();
  const done = new Promise<void>((resolve) => session.once('Tracing.tracingComplete', () => resolve()));
  await session.send('Tracing.end');
  await done;
  if (out) {
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, `${what.replace(/\W+/g, '-')}.trace.json`), JSON.stringify(events));
  }
  console.log(`-- ${what}: main-thread tasks over 4 ms`);
  console.log(mainThreadTasks(events).join('\n'));
  return result;
}

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; data?: { url?: string; functionName?: string; message?: string; frame?: string; type?: string } };
}

function mainThreadTasks(events: TraceEvent[]): string[] {
  const threadName = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain' && events.some((x) => x.pid === e.pid && x.name === 'navigationStart'));
  if (!threadName) return ['(no renderer main thread in the trace)'];
  const main = events.filter((e) => e.pid === threadName.pid && e.tid === threadName.tid && e.ph === 'X');
  const nav = events.find((e) => e.name === 'navigationStart' && e.pid === threadName.pid)?.ts ?? main[0]?.ts ?? 0;
  const tasks = main.filter((e) => e.name === 'RunTask' && (e.dur ?? 0) > 4000).sort((a, b) => a.ts - b.ts);
  const lines: string[] = [];
  let busy = 0;
  for (const t of tasks) {
    busy += t.dur!;
    const inside = main.filter((e) => e !== t && e.ts >= t.ts && e.ts + (e.dur ?? 0) <= t.ts + t.dur! && (e.dur ?? 0) > 1500 && e.name !== 'RunTask');
    const named = inside
      .filter((e) => ['EvaluateScript', 'v8.compileModule', 'v8.evaluateModule', 'FunctionCall', 'ParseHTML', 'Layout', 'UpdateLayoutTree', 'Paint', 'v8.compile', 'TimerFire', 'FireAnimationFrame', 'EventDispatch', 'V8.GC_MARK_COMPACTOR', 'MajorGC', 'MinorGC', 'v8.run', 'RunMicrotasks', 'V8.GCScavenger', 'BlinkGC.AtomicPhase'].includes(e.name))
      .sort((a, b) => (b.dur ?? 0) - (a.dur ?? 0))
      .slice(0, 4)
      .map((e) => `${e.name}${e.args?.data?.url ? ` ${e.args.data.url.split('/').pop()}` : ''}${e.args?.data?.functionName ? ` ${e.args.data.functionName}` : ''} ${((e.dur ?? 0) / 1000).toFixed(0)}`);
    lines.push(`${((t.ts - nav) / 1000).toFixed(0).padStart(6)} +${(t.dur! / 1000).toFixed(0).padStart(4)} ms  ${named.join(' · ')}`);
  }
  lines.push(`busy in these tasks: ${(busy / 1000).toFixed(0)} ms`);
  return lines;
}

const trace = process.argv.includes('--trace');
const coldOnly = process.argv.includes('--cold-only');
const settle = Number(process.argv.find((a) => a.startsWith('--settle='))?.slice(9) ?? 0);
const smoke = process.argv.includes('--smoke');
const out = process.argv.find((a) => a.startsWith('--out='))?.slice(6);
const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 2);
const team = benchTeam(smoke);
const { seed, memberId } = fieldSeed(team);
const dataDir = tempDir('lianhu-profile-field-');
await seedTeams(dataDir, [seed]);
const [code] = await createInvites(dataDir, team.teamId, [{ role: 'member', memberId }]);
const relay = await startRelayProcess(dataDir, BENCH_DIST);
const link = await new Link({ host: relay.host, port: relay.port }).start();
const phone = tempDir('lianhu-profile-phone-');
try {
  {
    const { context, page } = await open(phone, link);
    await page.goto(`${link.url}/welcome`);
    await page.locator('#member-name').waitFor();
    await waitForServiceWorker(page);
    const welcome = new WelcomePageModel(page);
    await welcome.fillNames('王建国', '王建国的手机');
    await welcome.join(code!);
    await waitForState(page, (s) => s.since !== undefined && !s.downloading && s.households >= team.households.size && s.pending === 0, { timeoutMs: 15 * 60_000, what: 'the phone’s first sync' });
    await context.close();
  }
  for (let r = 1; r <= rounds; r++) {
    const { context, page } = await open(phone, link);
    try {
      const session = await cdp(context, page);
      await context.setOffline(true);
      await throttleCpu(session, 4);
      const cold = await (trace ? traced(session, `cold start ${r}`, () => coldStart(page, context, link)) : profiled(session, `cold start ${r}`, () => coldStart(page, context, link)));
      console.log(`== round ${r}: first card ${cold.shown.toFixed(0)} ms, interactive ${cold.interactive.toFixed(0)} ms`);
      const marks = await page.evaluate(() =>
        performance
          .getEntries()
          .filter((e) => e.entryType === 'mark' || e.entryType === 'measure' || e.entryType === 'paint' || (e.entryType === 'resource' && e.duration > 30) || e.entryType === 'navigation')
          .map((e) => `${e.startTime.toFixed(0).padStart(6)} +${e.duration.toFixed(0).padStart(5)}  ${e.entryType} ${e.name.split('/').pop()}`),
      );
      console.log(marks.join('\n'));
      if (coldOnly) continue;
      await (trace ? traced(session, `saves ${r}`, () => saveVisits(page, 10)) : profiled(session, `saves ${r}`, () => saveVisits(page, 10)));
      const durable = (await bench(page)).durable;
      console.log(`== round ${r}: saves median ${percentile(durable, 50).toFixed(1)} ms, p95 ${percentile(durable, 95).toFixed(1)} ms: ${durable.map((d) => d.toFixed(0)).join(' ')}`);
      await page.goto(`${link.url}/households`);
      await page.locator('.hh-card').first().waitFor();
      // --settle=<ms>: type only after start-up work is over (the bench types at once).
      if (settle) await page.waitForTimeout(settle);
      const typed = await (trace ? traced(session, `search ${r}`, () => typeQueries(page, searchQueries(team))) : profiled(session, `search ${r}`, () => typeQueries(page, searchQueries(team))));
      console.log(`== round ${r}: search median ${percentile(typed, 50).toFixed(1)} ms, p95 ${percentile(typed, 95).toFixed(1)} ms: ${typed.map((d) => d.toFixed(0)).join(' ')}`);
    } finally {
      await context.close();
    }
  }
} finally {
  await link.close();
  await relay.stop();
  removeDir(phone);
  removeDir(dataDir);
}
