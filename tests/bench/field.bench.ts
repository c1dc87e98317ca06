import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { readHousehold } from '../../src/docs/household-doc';
import { toPinyin } from '../../src/domain/pinyin';
import { HouseholdFilePageModel } from '../e2e/pages/household-file-page';
import { HouseholdsPageModel } from '../e2e/pages/households-page';
import { VisitLogPageModel } from '../e2e/pages/visit-log-page';
import { WelcomePageModel } from '../e2e/pages/welcome-page';
import { writeTestPhoto } from '../e2e/support/test-photo';
import type { GeneratedTeam } from './generate';
import { median, percentile, summarize, type Bench, type BenchResult } from './harness';
import type { BenchWindow } from './lead-sync.bench';
import { BENCH_DIST } from './support/app';
import { cdp, launchDevice, throttleCpu, waitForServiceWorker, waitForState } from './support/browser';
import { diff, Link, SLOW_LINK, type LinkConditions, type Traffic } from './support/link';
import { PAGE_MARKS, WATCH_SEARCH } from './support/page-marks';
import { createInvites, removeDir, seedTeams, startRelayProcess, tempDir } from './support/relay';
import { benchTeam, fieldSeed, KB } from './support/team';

/**
 * A member's phone holding every household of the team (2,000 in "my households"), in
 * real Chromium: cold start offline with the CPU slowed 4×, saving visits, searching as
 * one types; then a member's day (20 visits + 5 request updates, two with a photo) made
 * offline and pushed when the signal comes back, on loopback and on a slow link.
 */

export const bench = (page: Page) => page.evaluate(() => (window as unknown as BenchWindow).__bench);

export async function open(profile: string, link: Link): Promise<{ context: BrowserContext; page: Page }> {
  const device = await launchDevice(profile);
  await device.context.addInitScript(PAGE_MARKS);
  await device.context.grantPermissions(['geolocation'], { origin: link.url });
  await device.context.setGeolocation({ latitude: 40.5, longitude: 112.5, accuracy: 20 });
  return device;
}

/** What is typed into the search: full pinyin, initials, Chinese characters, phone digits. */
export function searchQueries(team: GeneratedTeam): string[] {
  const heads = [...team.households.values()].slice(0, 50).map((d) => readHousehold(d).household);
  const named = heads.find((h) => h.headName.length === 3) ?? heads[0]!;
  const other = heads.find((h) => h.headName.length >= 2 && h.headName[0] !== named.headName[0]) ?? heads[1]!;
  const phone = heads.find((h) => h.phone)?.phone ?? '138';
  const syllables = toPinyin(named.headName, true);
  return [syllables.join(''), toPinyin(other.headName, true).map((s) => s[0]).join(''), other.headName.slice(0, 2), phone.slice(0, 7)];
}

/** Households a member visits on a day: phone numbers found once each in the team. */
function dayHouseholds(team: GeneratedTeam, n: number, skip: number): { id: string; phone: string }[] {
  const all = [...team.households].map(([id, d]) => ({ id, phone: readHousehold(d).household.phone }));
  const count = new Map<string, number>();
  for (const h of all) if (h.phone) count.set(h.phone, (count.get(h.phone) ?? 0) + 1);
  const unique = all.filter((h) => h.phone && count.get(h.phone) === 1);
  return Array.from({ length: n }, (_, i) => unique[(skip + i * 7) % unique.length]!);
}

export async function coldStart(page: Page, context: BrowserContext, link: Link): Promise<{ shown: number; interactive: number }> {
  await context.setOffline(true);
  await throttleCpu(await cdp(context, page), 4);
  await page.goto(`${link.url}/households`, { waitUntil: 'commit' });
  await page.waitForFunction(() => (window as unknown as BenchWindow).__bench?.listInteractive !== undefined, undefined, { polling: 100, timeout: 120_000 });
  const b = await bench(page);
  return { shown: b.listShown!, interactive: b.listInteractive! };
}

/** Log `n` visits through the visit form (two households, from the top of the list). */
export async function saveVisits(page: Page, n: number): Promise<void> {
  const list = new HouseholdsPageModel(page);
  const file = new HouseholdFilePageModel(page);
  const visit = new VisitLogPageModel(page);
  const half = Math.ceil(n / 2);
  for (let i = 0; i < n; i++) {
    if (i % half === 0) {
      if (i > 0) await page.locator('.topbar__back').click();
      await list.cards().nth(i / half).click();
      await page.waitForURL(/\/households\/[0-9a-f-]{36}$/);
    }
    await file.logVisit();
    await visit.observe('住', '一般', '');
    await visit.said(`第${i + 1}次走访：家里一切都好。`);
    await visit.save();
  }
}

export async function typeQueries(page: Page, queries: string[]): Promise<number[]> {
  await page.evaluate(WATCH_SEARCH);
  const box = page.locator('#hh-search');
  for (const q of queries) {
    await box.pressSequentially(q, { delay: 150 });
    await page.waitForTimeout(300);
    await box.fill('');
    await page.waitForTimeout(300);
  }
  return (await bench(page)).search;
}

interface DayRun {
  ms: number;
  traffic: Traffic;
  photosMs: number;
  photoTraffic: Traffic;
}

/** Back to a top-level screen (the ones with the bottom navigation), the way a member goes: the back arrow. */
async function toTopLevel(page: Page): Promise<void> {
  while (!(await page.locator('.bottom-nav').isVisible())) {
    await page.locator('.topbar__back').click();
    await page.waitForTimeout(50);
  }
}

/** `visits` visits (the first `photos` with a photo) and `updates` request updates made offline, then the signal comes back. */
async function memberDay(context: BrowserContext, page: Page, link: Link, conditions: LinkConditions | undefined, households: { id: string; phone: string }[], updates: number, photos: number, photo: () => string): Promise<DayRun> {
  await context.setOffline(true);
  const list = new HouseholdsPageModel(page);
  const file = new HouseholdFilePageModel(page);
  const visit = new VisitLogPageModel(page);
  for (const [i, h] of households.entries()) {
    await toTopLevel(page);
    await page.locator('.bottom-nav').getByRole('link', { name: /联系户/ }).click();
    await list.search(h.phone);
    await page.waitForFunction((n) => document.querySelectorAll('.hh-card').length === n, 1);
    await list.cards().first().click();
    await page.waitForURL(new RegExp(`/households/${h.id}$`));
    await file.logVisit();
    await visit.observe('住', i % 3 === 0 ? '有困难' : '良好', i % 3 === 0 ? '院墙有裂缝' : '');
    await visit.observe('健康', '一般', '血压偏高，已提醒按时服药');
    await visit.said('老人说最近身体还行，冬天取暖煤不够，希望帮忙联系。');
    if (i < photos) await visit.addPhoto(photo());
    await visit.rate('满意');
    await visit.save();
  }
  for (let i = 0; i < updates; i++) {
    await toTopLevel(page);
    await page.locator('.bottom-nav').getByRole('link', { name: /诉求/ }).click();
    await page.locator('.page--list .summary').waitFor();
    const open = await page.locator('.req-card').count();
    if (open === 0) break; // a small smoke team may have none open
    await page.locator('.req-card').nth(i % open).click();
    await page.getByRole('radio', { name: '记一笔办理情况' }).check();
    await page.locator('#step-text').fill('已联系村委会，下周上门处理。');
    const before = (await bench(page)).durable.length;
    await page.getByRole('button', { name: '确定' }).click();
    await page.waitForFunction((n) => (window as unknown as BenchWindow).__bench.durable.length > n, before);
    // The form empties once the step is saved (its draft discarded): then leaving asks nothing.
    await page.locator('#step-text').waitFor({ state: 'detached' });
  }
  await toTopLevel(page);
  await page.locator('.bottom-nav').getByRole('link', { name: /联系户/ }).click();
  link.shape(conditions);
  const before = link.snapshot();
  const t0 = performance.now();
  await context.setOffline(false);
  const synced = await waitForState(page, (s) => s.unsynced === 0, { what: 'the day on the relay', timeoutMs: 300_000 });
  const traffic = diff(link.snapshot(), before);
  const photosDone = await waitForState(page, (s) => s.photosWaiting === 0, { what: 'photos on the relay', timeoutMs: 600_000 });
  const all = diff(link.snapshot(), before);
  link.shape(undefined);
  return { ms: synced.at - t0, traffic, photosMs: photosDone.at - t0, photoTraffic: all };
}

export const field: Bench = async ({ smoke, runs }) => {
  const team = benchTeam(smoke);
  const { seed, memberId } = fieldSeed(team);
  const n = team.households.size;
  const dataDir = tempDir('lianhu-bench-field-');
  await seedTeams(dataDir, [seed]);
  const [code] = await createInvites(dataDir, team.teamId, [{ role: 'member', memberId }]);
  const relay = await startRelayProcess(dataDir, BENCH_DIST);
  const link = await new Link({ host: relay.host, port: relay.port }).start();
  const profile = tempDir('lianhu-bench-phone-');
  // Every photo of every day is a different picture (the relay keeps one copy of a photo it has).
  const photoDir = tempDir('lianhu-bench-photos-');
  let photos = 0;
  const nextPhoto = () => {
    const path = join(photoDir, `photo-${photos}.png`);
    // A camera-sized picture; smaller at smoke size (the same code compresses it).
    writeTestPhoto(path, (smoke ? 1200 : 3000) - photos++, smoke ? 800 : 2000);
    return path;
  };
  // Smoke size runs every step, fewer times.
  const saves = smoke ? 3 : 10;
  const dayRuns = smoke ? 1 : 2;
  const dayVisits = smoke ? 5 : 20;
  const dayUpdates = smoke ? 2 : 5;
  const dayPhotos = smoke ? 1 : 2;
  const sessions = smoke ? 1 : Math.min(runs, 5);
  const cold: { shown: number; interactive: number }[] = [];
  const durable: number[][] = [];
  const search: number[][] = [];
  const day: { link: string; run: DayRun }[] = [];
  let firstSyncMs = 0;
  try {
    // The phone joins and takes every household from the relay once.
    {
      const { context, page } = await open(profile, link);
      await page.goto(`${link.url}/welcome`);
      await page.locator('#member-name').waitFor();
      await waitForServiceWorker(page);
      const t0 = performance.now();
      const welcome = new WelcomePageModel(page);
      await welcome.fillNames('王建国', '王建国的手机');
      await welcome.join(code!);
      const done = await waitForState(page, (s) => s.since !== undefined && !s.downloading && s.households >= n && s.pending === 0, { timeoutMs: 15 * 60_000, what: 'the phone’s first sync' });
      firstSyncMs = done.at - t0;
      await context.close();
    }
    for (let r = 0; r < sessions; r++) {
      const { context, page } = await open(profile, link);
      try {
        cold.push(await coldStart(page, context, link));
        await saveVisits(page, saves);
        durable.push((await bench(page)).durable);
        await page.goto(`${link.url}/households`);
        await page.locator('.hh-card').first().waitFor();
        search.push(await typeQueries(page, searchQueries(team).slice(0, smoke ? 2 : undefined)));
      } finally {
        await context.close();
      }
    }
    {
      const { context, page } = await open(profile, link);
      try {
        await page.goto(`${link.url}/households`);
        // Everything saved above goes up first: the day starts with nothing pending.
        await waitForState(page, (s) => s.unsynced === 0 && s.photosWaiting === 0, { what: 'earlier saves on the relay', timeoutMs: 300_000 });
        const links: [string, LinkConditions | undefined][] = [
          ['loopback', undefined],
          ['slow', SLOW_LINK],
        ];
        let k = 0;
        for (const [name, conditions] of links) {
          for (let r = 0; r < dayRuns; r++) day.push({ link: name, run: await memberDay(context, page, link, conditions, dayHouseholds(team, dayVisits, k++ * dayVisits), dayUpdates, dayPhotos, nextPhoto) });
        }
      } finally {
        await context.close();
      }
    }
  } finally {
    await link.close();
    await relay.stop();
    removeDir(profile);
    removeDir(photoDir);
    removeDir(dataDir);
  }

  const perRun = (xs: number[][], p: number) => xs.map((s) => percentile(s, p));
  const allDurable = durable.flat();
  const allSearch = search.flat();
  const results: BenchResult[] = [
    summarize(
      'cold start offline to an interactive list, CPU 4× (s)',
      's',
      cold.map((c) => c.interactive / 1000),
      1,
      `${n} households on the phone, all in "my households"; from navigation start; first card shown at ${median(cold.map((c) => c.shown / 1000))} s (median); phone's first sync took ${(firstSyncMs / 1000).toFixed(1)} s`,
    ),
    summarize('save a visit until durable, CPU 4×, p95 (ms)', 'ms', perRun(durable, 95), 50, `p95 of each cold-started session's ${saves} saves (lianhu:durable measure); all ${allDurable.length}: median ${percentile(allDurable, 50).toFixed(1)} ms, p95 ${percentile(allDurable, 95).toFixed(1)} ms`),
    summarize('search as you type, CPU 4×, p95 (ms)', 'ms', perRun(search, 95), 30, `p95 of each session's ${search[0]?.length ?? 0} input events (pinyin, initials, characters, phone digits, clearing) from the event to the list re-rendered and laid out; all ${allSearch.length}: median ${percentile(allSearch, 50).toFixed(1)} ms, p95 ${percentile(allSearch, 95).toFixed(1)} ms`),
  ];
  for (const name of ['loopback', 'slow']) {
    const rs = day.filter((d) => d.link === name).map((d) => d.run);
    if (!rs.length) continue;
    const label = name === 'loopback' ? 'loopback' : '100 ms RTT / 1.6 Mbit/s';
    const up = rs.map((r) => r.traffic.up - r.traffic.byKind.files.up);
    const t = rs[0]!.traffic;
    results.push(
      summarize(`member's day pushed after reconnect, ${label} (s)`, 's', rs.map((r) => r.ms / 1000), name === 'loopback' ? 1 : null, `${dayVisits} visits + ${dayUpdates} request updates; from the network back to every save acknowledged; photos apart: ${dayPhotos} photo(s), ${KB(rs[0]!.photoTraffic.byKind.files.up)} KB up, on the relay after ${(rs[0]!.photosMs / 1000).toFixed(1)} s`),
      summarize(`member's day, bytes up, ${label} (KB)`, 'KB', up.map(KB), 20, `photos excluded; socket ${KB(t.byKind.sync.up)} KB up / ${KB(t.byKind.sync.down)} KB down, API ${KB(t.byKind.api.up)} / ${KB(t.byKind.api.down)} KB, connectivity probe ${KB(t.byKind.health.up)} / ${KB(t.byKind.health.down)} KB`),
    );
  }
  return results;
};
