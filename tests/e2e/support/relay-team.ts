import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { HouseholdEditPageModel, type HouseholdFields } from '../pages/household-edit-page';
import { HouseholdFilePageModel } from '../pages/household-file-page';
import { HouseholdsPageModel } from '../pages/households-page';
import { VisitLogPageModel } from '../pages/visit-log-page';
import { WelcomePageModel } from '../pages/welcome-page';
import { startAppServer, type AppServer } from './app-server';
import { CHROMIUM_ARGS, PHONE } from './browser';
import { throughLock } from './lock';

/**
 * What every story of a team syncing through a real relay starts with, so each test file
 * says only what it tests: the built app served by the compiled relay, one Chromium, a
 * device per person (a browser context of its own: its own IndexedDB, service worker and
 * offline switch), joining with a code, and waiting for what arrives by sync.
 */
export const SYNC_MS = 60_000;
/** The lead's desk: the lead pages are made for a laptop as well as a phone. */
export const LAPTOP = { width: 1280, height: 800 };

export interface Device {
  context: BrowserContext;
  page: Page;
  /** the app lock's PIN once one is set on the device: `open` unlocks with it (ADR 0029) */
  pin?: string;
}

export interface RelayTeam {
  /** the relay serving the app (set once the file's first beforeAll has run) */
  readonly server: AppServer;
  /** page errors of every device, as `name: message`; a story ends by expecting none */
  readonly errors: string[];
  /** A person's device: a phone (360 px) unless a viewport is given. */
  device(name: string, viewport?: { width: number; height: number }): Promise<Device>;
  /** Open a page of the app (`path` from the root) on the device. */
  open(d: Device, path: string): Promise<unknown>;
  /** First run on the device: names, then join with an invite code; lands on the household list. */
  join(d: Device, memberName: string, code: string): Promise<void>;
  /**
   * Wait for something that arrives by sync. Opening the app syncs at once (the engine polls
   * only every minute otherwise), so the page is reloaded every few seconds while waiting.
   */
  whenSynced(d: Device, path: string, selector: string, hasText: string): Promise<void>;
  /**
   * Open `path` again until `done` says so (something arrived, or has gone), for up to
   * SYNC_MS; `done` throwing (a wait that timed out) counts as not yet. `pauseMs` between
   * tries when `done` answers at once.
   */
  until(d: Device, path: string, done: () => Promise<boolean>, what: string, pauseMs?: number): Promise<void>;
  /** Register a household from the household list (opened unless shown); lands on its file and returns its id. */
  register(d: Device, fields: HouseholdFields): Promise<string>;
  /** Log a visit saying `said` at the household whose file is open. */
  logVisit(d: Device, said: string): Promise<void>;
}

/**
 * Call at the top of a describe block: starts the relay and Chromium before its tests (the
 * app is built once per run by the e2e project's global setup, support/build-app.ts) and
 * closes both after them.
 */
export function relayTeam(): RelayTeam {
  let server: AppServer | undefined;
  let browser: Browser | undefined;
  const errors: string[] = [];

  beforeAll(async () => {
    server = await startAppServer();
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const team: RelayTeam = {
    get server() {
      if (!server) throw new Error('the relay is not started yet: use it in a test or a beforeAll after relayTeam()');
      return server;
    },
    errors,

    async device(name, viewport = PHONE) {
      if (!browser) throw new Error('Chromium is not started yet: make devices in a beforeAll after relayTeam()');
      // Downloads are kept (Playwright's default): exports are read back.
      const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
      context.setDefaultTimeout(15_000);
      const page = await context.newPage();
      page.on('pageerror', (e) => errors.push(`${name}: ${e.message}`));
      return { context, page };
    },

    async open(d, path) {
      const res = await d.page.goto(`${team.server.url}${path}`);
      // A device with a PIN starts locked; a lead page asks a lead for a PIN first (ADR 0029).
      const pin = await throughLock(d.page, d.pin);
      if (pin) d.pin = pin;
      return res;
    },

    async join(d, memberName, code) {
      await d.page.goto(team.server.url);
      await d.page.locator('#member-name').waitFor();
      const welcome = new WelcomePageModel(d.page);
      await welcome.fillNames(memberName, `${memberName}的手机`);
      await welcome.join(code);
    },

    async whenSynced(d, path, selector, hasText) {
      const deadline = Date.now() + SYNC_MS;
      await team.open(d, path);
      for (;;) {
        try {
          await d.page.locator(selector, { hasText }).first().waitFor({ timeout: 5_000 });
          return;
        } catch (err) {
          if (Date.now() > deadline) throw err;
          // Opened again (not reloaded): a device with a PIN starts locked.
          await team.open(d, path);
        }
      }
    },

    async until(d, path, done, what, pauseMs = 3_000) {
      const deadline = Date.now() + SYNC_MS;
      for (;;) {
        await team.open(d, path);
        let why: unknown;
        try {
          if (await done()) return;
        } catch (err) {
          why = err;
        }
        if (Date.now() > deadline) throw new Error(`not so after ${SYNC_MS / 1000} s: ${what}`, { cause: why });
        if (pauseMs) await d.page.waitForTimeout(pauseMs);
      }
    },

    async register(d, fields) {
      if (new URL(d.page.url()).pathname !== '/households') await team.open(d, '/households');
      await new HouseholdsPageModel(d.page).openRegister();
      const edit = new HouseholdEditPageModel(d.page);
      await edit.fill(fields);
      return edit.save();
    },

    async logVisit(d, said) {
      await new HouseholdFilePageModel(d.page).logVisit();
      const visit = new VisitLogPageModel(d.page);
      await visit.said(said);
      await visit.save();
    },
  };
  return team;
}
