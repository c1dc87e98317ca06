import { chromium, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, PHONE } from '../../e2e/support/browser';

/**
 * Chromium for the benchmarks: a persistent profile per device (closing and relaunching it
 * is the app being killed and reopened), CPU throttling through CDP, and a look into the
 * app's IndexedDB from the page (the benchmarks wait on what is durable, not on the UI).
 */

export const LAPTOP = { width: 1280, height: 800 };

export async function launchDevice(profileDir: string, opts: { laptop?: boolean } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: opts.laptop ? LAPTOP : PHONE,
    deviceScaleFactor: opts.laptop ? 1 : 2,
    isMobile: !opts.laptop,
    hasTouch: !opts.laptop,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  context.setDefaultTimeout(60_000);
  // tsx compiles the functions we hand to page.evaluate with esbuild's keepNames helper.
  await context.addInitScript('globalThis.__name = (f) => f;');
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page };
}

export async function cdp(context: BrowserContext, page: Page): Promise<CDPSession> {
  return context.newCDPSession(page);
}

/** Slow the page's CPU down `rate` times (1 = off), as a cheap phone is. */
export async function throttleCpu(session: CDPSession, rate: number): Promise<void> {
  await session.send('Emulation.setCPUThrottlingRate', { rate });
}

/** Resolves once a service worker controls the page. */
export async function waitForServiceWorker(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (navigator.serviceWorker.controller) return;
    await new Promise<void>((resolve) => navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true }));
  });
}

/** What the device holds, read from the app's IndexedDB (`lianhu`, see src/db/database.ts). */
export interface DeviceState {
  households: number;
  docs: number;
  /** docs whose rows are not yet derived */
  pending: number;
  /** docs holding updates the relay has not acknowledged */
  unsynced: number;
  /** photos not yet on the relay */
  photosWaiting: number;
  since?: number;
  downloading: boolean;
  lastSyncedAt?: string;
}

/** Read the device state in the page; undefined until the app has created its database. */
export async function deviceState(page: Page): Promise<DeviceState | undefined> {
  return page.evaluate(async () => {
    const w = window as unknown as { __benchDb?: IDBDatabase };
    if (!w.__benchDb) {
      const dbs = await indexedDB.databases();
      if (!dbs.some((d) => d.name === 'lianhu')) return undefined;
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open('lianhu');
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      if (!db.objectStoreNames.contains('settings')) {
        db.close();
        return undefined;
      }
      db.onversionchange = () => {
        db.close();
        w.__benchDb = undefined;
      };
      w.__benchDb = db;
    }
    const tx = w.__benchDb.transaction(['households', 'docs', 'settings', 'blobs'], 'readonly');
    const get = <T,>(r: IDBRequest<T>) =>
      new Promise<T | undefined>((resolve) => {
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => resolve(undefined);
      });
    const settings = tx.objectStore('settings');
    const docs = tx.objectStore('docs');
    const [households, docCount, pending, unsynced, photosWaiting, since, download, lastSynced] = await Promise.all([
      get(tx.objectStore('households').count()),
      get(docs.count()),
      // The store before ADR 0010 marked rows `pending` between two writes; the one-database store has no such state.
      docs.indexNames.contains('pending') ? get(docs.index('pending').count(1)) : Promise.resolve(0),
      get(docs.index('unsynced').count(1)),
      get(tx.objectStore('blobs').index('uploaded').count(0)),
      get(settings.get('sync.since')),
      get(settings.get('sync.download')),
      get(settings.get('sync.lastSyncedAt')),
    ]);
    return {
      households: households ?? 0,
      docs: docCount ?? 0,
      pending: pending ?? 0,
      unsynced: unsynced ?? 0,
      photosWaiting: photosWaiting ?? 0,
      since: (since as { value?: { seq?: number } } | undefined)?.value?.seq,
      downloading: !!download,
      lastSyncedAt: (lastSynced as { value?: string } | undefined)?.value,
    };
  });
}

/** Poll the device state until `done` says so; returns the time it was seen (performance.now in Node). */
export async function waitForState(page: Page, done: (s: DeviceState) => boolean, opts: { timeoutMs?: number; what?: string; everyMs?: number } = {}): Promise<{ at: number; state: DeviceState }> {
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  let last: DeviceState | undefined;
  let told = Date.now();
  for (;;) {
    last = await deviceState(page);
    if (last && done(last)) return { at: performance.now(), state: last };
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${opts.what ?? 'the device'}: ${JSON.stringify(last)}`);
    if (Date.now() - told > 30_000) {
      told = Date.now();
      console.log(`    … still waiting for ${opts.what ?? 'the device'}: ${JSON.stringify(last)}`);
    }
    await new Promise((r) => setTimeout(r, opts.everyMs ?? 20));
  }
}

/**
 * Wait for a device's first full sync: `docsAt` when the download ended (every doc durable),
 * `at` when every household's rows are derived too (performance.now in Node).
 */
export async function waitForFirstSync(page: Page, households: number): Promise<{ at: number; docsAt: number; state: DeviceState }> {
  let docsAt: number | undefined;
  const done = await waitForState(
    page,
    (s) => {
      if (docsAt === undefined && s.since !== undefined && !s.downloading) docsAt = performance.now();
      return docsAt !== undefined && s.households >= households && s.pending === 0;
    },
    { timeoutMs: 15 * 60_000, what: 'the first full sync' },
  );
  return { ...done, docsAt: docsAt! };
}
