import type { BrowserContext, Page } from 'playwright-core';
import { throughLock } from '../e2e/support/lock';
import { FULL, SMOKE } from './generate';
import { median, summarize, type Bench, type BenchResult } from './harness';
import { BENCH_DIST } from './support/app';
import { cdp, launchDevice, throttleCpu, waitForServiceWorker, waitForFirstSync } from './support/browser';
import { diff, Link, only, SLOW_LINK, type LinkConditions, type Traffic } from './support/link';
import { PAGE_MARKS } from './support/page-marks';
import { createInvites, removeDir, seedOf, seedTeams, startRelayProcess, tempDir } from './support/relay';
import { benchTeam, KB, MB, recordsJsonBytes } from './support/team';

/**
 * The lead's device against a relay holding the whole team (2,000 households, 20,000
 * visits): the first full sync in Chromium on loopback and on a slow link, then — on the
 * first loopback device — a resync with nothing new and the half-year assessment page with
 * the CPU slowed 4×. Leads use phones too: one more first sync runs with the CPU slowed 4×
 * from the start, and on that device the first lead page (the overview) is opened the
 * moment the sync is done and timed until usable.
 */

interface SyncRun {
  /** click "join" → every doc durable (the sync position saved) */
  docsMs: number;
  /** … → every household's rows derived too (the lists can show them) */
  rowsMs: number;
  traffic: Traffic;
}

export async function joinAndSync(page: Page, link: Link, code: string, conditions: LinkConditions | undefined, households: number): Promise<SyncRun> {
  await page.goto(`${link.url}/welcome`);
  await page.locator('#member-name').waitFor();
  // The app shell is installed first (on loopback): what is timed is the sync.
  await waitForServiceWorker(page);
  await page.locator('#member-name').fill('赵书记');
  await page.locator('#device-name').fill('支部电脑');
  await page.locator('#invite-code').fill(code);
  link.shape(conditions);
  const before = link.snapshot();
  const t0 = performance.now();
  await page.getByRole('button', { name: '加入团队' }).click();
  const done = await waitForFirstSync(page, households);
  const traffic = diff(link.snapshot(), before);
  link.shape(undefined);
  return { docsMs: done.docsAt - t0, rowsMs: done.at - t0, traffic };
}

/** Go offline, then online: the app syncs by itself; time from the `online` event to the run's end. */
async function resync(context: BrowserContext, page: Page, link: Link): Promise<{ ms: number; traffic: Traffic }> {
  await context.setOffline(true);
  await page.waitForTimeout(300);
  const writes = await page.evaluate(() => (window as unknown as BenchWindow).__bench.settingsWrites['sync.lastSyncedAt']?.length ?? 0);
  const before = link.snapshot();
  await context.setOffline(false);
  await page.waitForFunction((n) => ((window as unknown as BenchWindow).__bench.settingsWrites['sync.lastSyncedAt']?.length ?? 0) > n, writes, { polling: 50, timeout: 60_000 });
  // Let the connectivity probe that also follows `online` finish, so its bytes are counted.
  await page.waitForTimeout(300);
  const ms = await page.evaluate(() => {
    const b = (window as unknown as BenchWindow).__bench;
    return b.settingsWrites['sync.lastSyncedAt']!.at(-1)! - b.online.at(-1)!;
  });
  return { ms, traffic: diff(link.snapshot(), before) };
}

/** Periods switched to on each cold assessment page, each asked for the first time. */
const SWITCHES = 5;

/**
 * Open the assessment page cold (a fresh page, CPU 4×) and time it until ready; then switch
 * the period (the earlier half-years in the picker, none asked before) and time each switch
 * from the change event to the new figures on screen and laid out.
 */
async function assessmentPage(context: BrowserContext, link: Link, pin: string): Promise<{ ready: number; switches: number[] }> {
  const page = await context.newPage();
  try {
    await throttleCpu(await cdp(context, page), 4);
    await page.goto(`${link.url}/lead/assessment`);
    // A lead's app starts locked (ADR 0029): the PIN is typed at once, so the time includes the unlock's PBKDF2.
    await throughLock(page, pin, 120_000);
    await page.waitForFunction(() => (window as unknown as BenchWindow).__bench.assessmentReady !== undefined, undefined, { polling: 100, timeout: 180_000 });
    const ready = await page.evaluate(() => (window as unknown as BenchWindow).__bench.assessmentReady!);
    const switches: number[] = [];
    for (let i = 1; i <= SWITCHES; i++) {
      await page.waitForTimeout(300);
      switches.push(await page.evaluate(switchPeriod, i));
    }
    return { ready, switches };
  } finally {
    await page.close();
  }
}

/** In the page: choose the picker's `index`th period; resolves with the ms until its figures are shown (`lianhu:lead-figures-shown`) and laid out. */
function switchPeriod(index: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const select = document.querySelector<HTMLSelectElement>('#as-period-which');
    const option = select?.options[index];
    if (!select || !option) {
      reject(new Error(`no period option ${index}`));
      return;
    }
    const t0 = performance.now();
    const observer = new PerformanceObserver((list) => {
      if (!list.getEntries().some((e) => e.name === 'lianhu:lead-figures-shown' && e.startTime >= t0)) return;
      observer.disconnect();
      requestAnimationFrame(() => {
        document.body.getBoundingClientRect();
        resolve(performance.now() - t0);
      });
    });
    observer.observe({ entryTypes: ['mark'] });
    select.value = option.value;
    select.dispatchEvent(new Event('change'));
  });
}

/**
 * Leads must have a PIN (ADR 0029): set it on this device as the lead workspace asks at its
 * first page (not timed). Every page load after it starts locked.
 */
export async function setLeadPin(context: BrowserContext, link: Link): Promise<string> {
  const page = await context.newPage();
  try {
    await page.goto(`${link.url}/lead`);
    const pin = await throughLock(page, undefined, 120_000);
    if (!pin) throw new Error('the lead workspace did not ask for a PIN');
    return pin;
  } finally {
    await page.close();
  }
}

/** Right after a first sync (and the PIN set): open the overview (same page, CPU as it is) and time it until usable, unlock included. */
async function overviewPage(page: Page, link: Link, pin: string): Promise<number> {
  await page.goto(`${link.url}/lead`);
  await throughLock(page, pin, 120_000);
  await page.waitForFunction(() => (window as unknown as BenchWindow).__bench.overviewReady !== undefined, undefined, { polling: 100, timeout: 180_000 });
  return await page.evaluate(() => (window as unknown as BenchWindow).__bench.overviewReady!);
}

export interface BenchWindow {
  __bench: { online: number[]; settingsWrites: Record<string, number[]>; durable: number[]; search: number[]; listShown?: number; listInteractive?: number; assessmentReady?: number; overviewReady?: number };
}

export const leadSync: Bench = async ({ smoke, runs }) => {
  const team = benchTeam(smoke);
  const households = team.households.size;
  const json = recordsJsonBytes(team);
  // A first sync of the whole team takes minutes in this browser: a few runs of each.
  const loopRuns = smoke ? 1 : 3;
  const slowRuns = smoke ? 1 : 2;
  const pageRuns = smoke ? 2 : runs;
  const phoneRuns = smoke ? 1 : 2;
  const dataDir = tempDir('lianhu-bench-lead-');
  await seedTeams(dataDir, [seedOf(team)]);
  const codes = await createInvites(dataDir, team.teamId, Array.from({ length: loopRuns + slowRuns + phoneRuns }, () => ({ role: 'lead' as const, memberId: team.leadId })));
  const relay = await startRelayProcess(dataDir, BENCH_DIST);
  const link = await new Link({ host: relay.host, port: relay.port }).start();
  const loop: SyncRun[] = [];
  const slow: SyncRun[] = [];
  const resyncs: { ms: number; traffic: Traffic }[] = [];
  const assessment: number[] = [];
  const periodSwitches: number[] = [];
  const phone: SyncRun[] = [];
  const firstPage: number[] = [];
  try {
    for (let i = 0; i < loopRuns + slowRuns; i++) {
      const onSlowLink = i >= loopRuns;
      const profile = tempDir('lianhu-bench-lead-profile-');
      const { context, page } = await launchDevice(profile, { laptop: true });
      try {
        await context.addInitScript(PAGE_MARKS);
        const run = await joinAndSync(page, link, codes[i]!, onSlowLink ? SLOW_LINK : undefined, households);
        (onSlowLink ? slow : loop).push(run);
        if (i === 0) {
          // Let the first sync's last writes and the socket's idle close settle.
          await page.waitForTimeout(1000);
          for (let k = 0; k < runs; k++) resyncs.push(await resync(context, page, link));
          await page.close();
          const pin = await setLeadPin(context, link);
          for (let k = 0; k < pageRuns; k++) {
            const r = await assessmentPage(context, link, pin);
            assessment.push(r.ready);
            periodSwitches.push(...r.switches);
          }
        }
      } finally {
        await context.close();
        removeDir(profile);
      }
    }
    for (let i = 0; i < phoneRuns; i++) {
      const profile = tempDir('lianhu-bench-lead-profile-');
      const { context, page } = await launchDevice(profile, { laptop: true });
      try {
        await context.addInitScript(PAGE_MARKS);
        // CPU 4× from the first page on (the throttle stays with the page across navigations).
        await throttleCpu(await cdp(context, page), 4);
        phone.push(await joinAndSync(page, link, codes[loopRuns + slowRuns + i]!, undefined, households));
        const pin = await setLeadPin(context, link);
        firstPage.push(await overviewPage(page, link, pin));
      } finally {
        await context.close();
        removeDir(profile);
      }
    }
  } finally {
    await link.close();
    await relay.stop();
    removeDir(dataDir);
  }

  const results: BenchResult[] = [];
  const size = `${households} households, ${team.docs.size} docs; records' JSON ${MB(json)} MB`;
  const bytesNote = (r: SyncRun[]) => {
    const med = median(r.map((x) => x.traffic.down));
    const api = only(r[0]!.traffic, ['api']).down;
    const t = r[0]!.traffic;
    return `${MB(med)} MB down (bundle and API ${MB(api)} MB, socket ${MB(t.byKind.sync.down)} MB, app files ${MB(t.byKind.app.down)} MB, probe ${KB(t.byKind.health.down)} KB), ${KB(t.up)} KB up, ${t.requests} requests`;
  };
  results.push(
    summarize(
      'first full sync, lead, loopback (s)',
      's',
      loop.map((r) => r.rowsMs / 1000),
      // Issue 9's budgets: 3 s on loopback, bytes at most 0.15× the records' JSON.
      3,
      // The relay keeps each doc's state as bundles send it once it has worked it out (ADR
      // 0016): the first run meets a freshly seeded relay that has kept nothing, the later
      // ones a relay that served this team before. Each run is listed so both are seen.
      `${size}; runs in order ${loop.map((r) => (r.rowsMs / 1000).toFixed(2)).join(', ')} s (the first on a relay that had served this team to nobody); docs durable after ${median(loop.map((r) => r.docsMs / 1000))} s (median), rows after; ${bytesNote(loop)}`,
    ),
    summarize('first full sync, bytes down ÷ records’ JSON', '×', loop.map((r) => r.traffic.down / json), 0.15, `every byte on the wire from join to done (HTTP heads and bodies, WebSocket frames), loopback runs`),
    summarize('first full sync, lead, 100 ms RTT / 1.6 Mbit/s (s)', 's', slow.map((r) => r.rowsMs / 1000), null, `docs durable after ${median(slow.map((r) => r.docsMs / 1000))} s; ${bytesNote(slow)}`),
    summarize('first full sync, lead, loopback, CPU 4× (s)', 's', phone.map((r) => r.rowsMs / 1000), null, `a lead on a phone-class CPU; docs durable after ${median(phone.map((r) => r.docsMs / 1000))} s, rows after`),
    summarize('first lead page usable after the first sync, CPU 4× (s)', 's', firstPage.map((ms) => ms / 1000), 1.5, `/lead opened once the CPU-4× sync was done and the lead's PIN set, timed on the page's clock until its counts over every visit and request are shown; includes unlocking with the PIN typed at once (ADR 0029)`),
  );
  const both = resyncs.map((r) => r.traffic.up + r.traffic.down);
  results.push(
    summarize('resync with nothing new (ms)', 'ms', resyncs.map((r) => r.ms), 100, `${team.docs.size} docs on the device; from the online event to the run's end (sync.lastSyncedAt written); ${resyncs[0]!.traffic.requests} requests`),
    summarize('resync with nothing new, bytes both ways (KB)', 'KB', both.map(KB), 10, `up ${KB(resyncs[0]!.traffic.up)} KB, down ${KB(resyncs[0]!.traffic.down)} KB (of which connectivity probe ${KB(resyncs[0]!.traffic.byKind.health.up + resyncs[0]!.traffic.byKind.health.down)} KB)`),
    summarize('lead assessment page, half year, CPU 4× (s)', 's', assessment.map((ms) => ms / 1000), 1.5, `cold page load of /lead/assessment (${households} households, ${(smoke ? SMOKE : FULL).visits} visits) until its figures are in (computed in the lead-figures worker), the table filled and the charts drawn; includes unlocking with the PIN typed at once (ADR 0029)`),
    summarize(
      'lead assessment page, switch the period, CPU 4× (ms)',
      'ms',
      periodSwitches,
      300,
      `${SWITCHES} switches on each cold page, to half-years not asked before, from the change event to the new figures on screen and laid out; median of all ${periodSwitches.length}`,
    ),
  );
  return results;
};
