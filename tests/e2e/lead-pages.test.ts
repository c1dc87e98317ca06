import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FULL, SMOKE } from '../bench/generate';
import { CHROMIUM_ARGS } from './support/browser';
import { throughLock } from './support/lock';

/**
 * Every lead page in real Chromium with a bench-sized team on the device (20 members,
 * 2,000 households, 20,000 visits; LEAD_E2E_SIZE=smoke for a small one): each page shows
 * its content within its budget, nothing throws, an export runs in the worker while the
 * page keeps answering, and the summary prints to A4. Screenshots at 360×740 and 1280×800
 * go to LEAD_SCREENSHOTS when set. Runs against the Vite dev server so the seed module can
 * fill the device in place of a sync.
 */
const SIZES = { smoke: SMOKE, mid: { members: 12, households: 500, visits: 5000, requests: 1000 }, full: FULL };
const SIZE = SIZES[(process.env.LEAD_E2E_SIZE ?? 'mid') as keyof typeof SIZES] ?? SIZES.mid;
const SHOTS = process.env.LEAD_SCREENSHOTS;
const SEED_PAGE = '/tests/e2e/lead-seed.html';
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/**
 * What axe (axe-core, in the page) finds on the page as it is: serious and critical
 * violations, and the two the issue named (heading order, scrollable regions reachable by
 * keyboard) whatever their impact.
 */
async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const found = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })))`)) as { id: string; impact: string; nodes: string[] }[];
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical' || v.id === 'heading-order' || v.id === 'scrollable-region-focusable').map((v) => `${v.id} (${v.impact}): ${v.nodes.join(', ')}`);
}

describe(`lead pages with ${SIZE.households} households and ${SIZE.visits} visits`, () => {
  let vite: ViteDevServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** the lead's app-lock PIN, once the first lead page asked for it (ADR 0029) */
  let pin: string | undefined;
  let url = '';
  let leadId = '';
  const errors: string[] = [];
  const timings: Record<string, number> = {};

  async function shoot(name: string) {
    if (!SHOTS) return;
    for (const [w, h] of [
      [1280, 800],
      [360, 740],
    ] as const) {
      await page.setViewportSize({ width: w, height: h });
      await page.waitForTimeout(150);
      await page.screenshot({ path: `${SHOTS}/${name}-${w}.png`, fullPage: w === 360 ? false : true });
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  }

  async function waitReady(name: string, ready: string, t: number): Promise<number> {
    try {
      await page.locator(ready).first().waitFor();
    } catch (err) {
      if (SHOTS) await page.screenshot({ path: `${SHOTS}/failed-${name}.png`, fullPage: true });
      throw err;
    }
    return Date.now() - t;
  }

  /** Load the app at a lead page (a cold start) and time until `ready` is visible. */
  async function load(path: string, ready: string): Promise<number> {
    const t = Date.now();
    await page.goto(`${url}${path}`);
    // A lead's phone has a PIN: set at the first lead page, then each cold start is unlocked.
    pin = await throughLock(page, pin, 120_000);
    return waitReady(path.replace(/\W+/g, '-'), ready, t);
  }

  /** Go to a lead section the way the lead does (its link in the lead navigation) and time it. */
  async function go(section: string, ready: string): Promise<number> {
    const t = Date.now();
    await page.locator('.lead-nav a', { hasText: new RegExp(`^${section}$`) }).click();
    return waitReady(section, ready, t);
  }

  beforeAll(async () => {
    vite = await createServer({ logLevel: 'warn', server: { host: '127.0.0.1', port: 0, strictPort: false } });
    await vite.listen();
    url = (vite.resolvedUrls?.local[0] ?? '').replace(/\/$/, '');
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    // Devices and invites come from the relay; this page set runs without one: the relay's
    // other answers are "unavailable" and its socket closes, so the app stays offline-ready.
    await context.route('**/api/**', (r) => r.fulfill({ status: 503, json: { error: { code: 'unavailable', message: 'no relay in this test' } } }));
    await context.routeWebSocket(/\/sync(\?|$)/, (ws) => ws.close());
    await context.route('**/api/devices', (r) =>
      r.fulfill({
        json: {
          devices: [
            { deviceId: 'd1', memberId: leadId, memberName: '赵书记', deviceName: '支部电脑', role: 'lead', createdAt: '2026-01-01T00:00:00Z', lastSeenAt: '2026-11-20T08:00:00Z', revokedAt: null },
            { deviceId: 'd2', memberId: leadId, memberName: '赵书记', deviceName: '旧手机', role: 'lead', createdAt: '2025-01-01T00:00:00Z', lastSeenAt: '2025-10-02T08:00:00Z', revokedAt: '2025-10-03T08:00:00Z' },
          ],
        },
      }),
    );
    await context.route('**/api/invites', (r) => r.fulfill({ status: 201, json: { code: 'K7QM-2XRD-94TB', teamId: 't', role: 'member', expiresAt: '2026-12-06T00:00:00Z' } }));
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    // Vue reports render errors and bad props as console warnings in the dev server; there is
    // no relay here, so the sync engine's failed requests are expected and not counted.
    page.on('console', (m) => {
      if (m.text().includes('[Vue warn]')) errors.push(m.text());
    });
    // The seed runs on a page of its own (no app, so none of its live queries), like a sync would.
    await page.goto(`${url}${SEED_PAGE}`);
    await page.locator('body[data-ready="1"]').waitFor({ state: 'attached', timeout: 60_000 });
    const t = Date.now();
    const seeded = (await page.evaluate(`window.seedLeadDevice(${JSON.stringify(SIZE)})`)) as { households: number; ms: number; leadId: string };
    leadId = seeded.leadId;
    timings.seed = Date.now() - t;
    expect(seeded.households).toBeGreaterThanOrEqual(SIZE.households);
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await vite?.close();
    console.log('lead page timings (ms):', JSON.stringify(timings));
  });

  it('overview', async () => {
    timings.coldStart = await load('/lead', '.lead-stat');
    await page.waitForFunction(() => !document.body.innerText.includes('正在读取团队记录'));
    await shoot('lead-overview');
  });

  it('team and devices, with an invite code and its QR code', async () => {
    timings.team = await go('团队', '.lead-member');
    await page.getByRole('button', { name: '生成邀请码' }).click();
    await page.locator('.lead-invite__code').waitFor();
    expect(await page.locator('.lead-invite__code').textContent()).toBe('K7QM-2XRD-94TB');
    await shoot('lead-team');
  });

  it('assignments', async () => {
    timings.assign = await go('分配', '.lead-pick');
    await shoot('lead-assign');
  });

  it('review feed', async () => {
    timings.review = await go('讲评', '.lead-visit');
    await shoot('lead-review');
  });

  it('requests board', async () => {
    timings.requests = await go('诉求', '.lead-request');
    await page.locator('.lead-request__toggle').first().click();
    await shoot('lead-requests');
  });

  it('duplicates and the side-by-side comparison', async () => {
    timings.duplicates = await go('重复户', '.lead-dup');
    await shoot('lead-duplicates');
    await page.locator('.lead-dup a').first().click();
    await page.locator('.lead-compare__side').first().waitFor();
    await shoot('lead-duplicate-compare');
  });

  it('assessment with charts', async () => {
    timings.assessment = await go('考核', '.lead-assessment tbody tr');
    await page.locator('.lead-chart svg').first().waitFor();
    await shoot('lead-assessment');
  });

  it('half-year analysis and year-end summary, printed on A4', async () => {
    timings.summaryHalf = await go('半年分析', '.lead-report .lead-chart svg');
    await shoot('lead-summary-half');
    timings.summaryYear = await go('年终总结', '.lead-report .lead-chart svg');
    await shoot('lead-summary-year');
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(pages).toBeLessThanOrEqual(12);
    timings.pdfPages = pages;
    if (SHOTS) {
      await page.emulateMedia({ media: 'print' });
      await page.setViewportSize({ width: 794, height: 1123 });
      await page.screenshot({ path: `${SHOTS}/lead-summary-year-print.png`, fullPage: true });
      await page.emulateMedia({ media: null });
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('exports every dataset to XLSX in a worker while the page keeps answering', async () => {
    timings.exportPage = await go('导出', '.lead-export');
    const download = page.waitForEvent('download', { timeout: 120_000 });
    const t = Date.now();
    await page.getByRole('button', { name: '导出', exact: true }).click();
    // The main thread stays free: a timer keeps firing on time while the worker writes.
    const lag = await page.evaluate(async () => {
      let worst = 0;
      for (let i = 0; i < 20; i++) {
        const s = performance.now();
        await new Promise((r) => setTimeout(r, 25));
        worst = Math.max(worst, performance.now() - s - 25);
      }
      return worst;
    });
    const file = await download;
    timings.export = Date.now() - t;
    timings.exportWorstTimerLag = Math.round(lag);
    expect(file.suggestedFilename()).toMatch(/^联户走访-\d{4}-\d{2}-\d{2}\.xlsx$/);
    expect(lag).toBeLessThan(250);
    await shoot('lead-export');
  });

  /** Load each page cold at a phone's and a laptop's width (unlocking as the app asks) and collect axe's violations. */
  async function axeWalk(pages: [string, string][], prefix = ''): Promise<string[]> {
    const found: string[] = [];
    for (const [w, h] of [
      [360, 740],
      [1280, 800],
    ] as const) {
      await page.setViewportSize({ width: w, height: h });
      for (const [path, ready] of pages) {
        await page.goto(`${url}${path}`);
        pin = await throughLock(page, pin);
        await page.locator(ready).first().waitFor();
        await page.waitForTimeout(300);
        found.push(...(await axeViolations(page)).map((v) => `${prefix}${path} @${w}: ${v}`));
      }
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    return found;
  }

  /** Switch the app's language on the settings page, as a lead does. */
  async function chooseLocale(locale: string): Promise<void> {
    await page.goto(`${url}/settings`);
    pin = await throughLock(page, pin);
    await page.locator('#locale').selectOption(locale);
    await page.waitForFunction((l) => document.documentElement.lang === l, locale);
  }

  // Every load of a lead's phone starts locked (ADR 0029): 28 unlocks, each a PBKDF2 run.
  it('every page passes axe, at 360 px and on a laptop, the member’s screens too', async () => {
    const pages: [string, string][] = [
      ['/lead', '.lead-stat'],
      ['/lead/team', '.lead-member'],
      ['/lead/assign', '.lead-pick'],
      ['/lead/review', '.lead-visit'],
      ['/lead/requests', '.lead-request'],
      ['/lead/duplicates', '.lead-dup'],
      ['/lead/assessment', '.lead-assessment tbody tr'],
      ['/lead/summary/half', '.lead-report .lead-chart svg'],
      ['/lead/summary/year', '.lead-report .lead-chart svg'],
      ['/lead/export', '.lead-export'],
      ['/households', '.page--list'],
      ['/requests', '.page'],
      ['/settings', '.page'],
      ['/settings/lock', '.lock-settings'],
      ['/households/new', 'form'],
    ];
    expect(await axeWalk(pages)).toEqual([]);
  }, 300_000);

  it('the overview, assessment and both summaries pass axe in Traditional Chinese and English too', async () => {
    const found: string[] = [];
    const pages: [string, string][] = [
      ['/lead', '.lead-stat'],
      ['/lead/assessment', '.lead-assessment tbody tr'],
      ['/lead/summary/half', '.lead-report .lead-chart svg'],
      ['/lead/summary/year', '.lead-report .lead-chart svg'],
    ];
    try {
      for (const locale of ['zh-TW', 'en']) {
        await chooseLocale(locale);
        found.push(...(await axeWalk(pages, `${locale} `)));
      }
    } finally {
      await chooseLocale('zh-CN');
    }
    expect(found).toEqual([]);
  }, 300_000);

  it('threw no errors on any page', () => {
    expect(errors).toEqual([]);
  });
});
