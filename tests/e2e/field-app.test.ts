import { appendFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HouseholdEditPageModel } from './pages/household-edit-page';
import { HouseholdFilePageModel } from './pages/household-file-page';
import { HouseholdsPageModel } from './pages/households-page';
import { SettingsPageModel } from './pages/settings-page';
import { VisitLogPageModel } from './pages/visit-log-page';
import { WelcomePageModel } from './pages/welcome-page';
import { buildApp, copyOfBuild, startAppServer, type AppServer } from './support/app-server';
import { writeTestPhoto } from './support/test-photo';
import { grantPersistence, installabilityErrors, launchPhone, newUserDataDir, shot, waitForServiceWorker } from './support/browser';

/**
 * The field member's day at 360×740: join a team, lose the signal, register a household,
 * log a visit with a photo and a need, reload with no network, have the app killed
 * mid-sentence, come back, open a deep link offline, switch language.
 */
/** What IndexedDB holds for photos (read straight from the `blobs` table). */
function storedPhotos(page: Page) {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('lianhu');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const rows = await new Promise<{ sha256: string; mime: string; size: number; uploaded: number; blob: Blob; thumb?: Blob }[]>((resolve, reject) => {
      const req = db.transaction('blobs').objectStore('blobs').getAll();
      req.onsuccess = () => resolve(req.result as never);
      req.onerror = () => reject(req.error);
    });
    db.close();
    return Promise.all(
      rows.map(async (r) => {
        const bitmap = await createImageBitmap(r.blob);
        const digest = [...new Uint8Array(await crypto.subtle.digest('SHA-256', await r.blob.arrayBuffer()))].map((b) => b.toString(16).padStart(2, '0')).join('');
        return { sha256: r.sha256, mime: r.mime, size: r.size, uploaded: r.uploaded, width: bitmap.width, height: bitmap.height, digest, thumbBytes: r.thumb?.size ?? 0 };
      }),
    );
  });
}

describe('field member app, offline, at 360×740', () => {
  let server: AppServer;
  let profile: string;
  let context: BrowserContext;
  let page: Page;
  let householdId = '';
  const timings: Record<string, number> = {};
  const photo = join(process.cwd(), '.e2e-tmp/camera-photo.png');

  async function relaunch(): Promise<void> {
    context = await launchPhone(profile);
    context.setDefaultTimeout(15_000);
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => console.log('pageerror:', e.message));
    await grantPersistence(context, page, server.url);
  }

  beforeAll(async () => {
    let t = Date.now();
    buildApp();
    timings.build = Date.now() - t;
    t = Date.now();
    // Its own copy of the build: the update test below makes a new release of it.
    server = await startAppServer({ staticDir: copyOfBuild() });
    timings.relayStart = Date.now() - t;
    profile = newUserDataDir();
    writeTestPhoto(photo);
    await relaunch();
  });

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    console.log('e2e timings (ms):', JSON.stringify(timings));
  });

  it('installs, and the service worker takes control on the first visit', async () => {
    const t = Date.now();
    await page.goto(server.url);
    await page.locator('#member-name').waitFor();
    await waitForServiceWorker(page);
    expect(await installabilityErrors(context, page)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    await shot(page, '01-welcome');
    timings.firstLoad = Date.now() - t;
  });

  it('joins a team with an invite code from the relay', async () => {
    const { inviteCode } = server.admin(['team', 'create', '东山林场支部']) as { inviteCode: string };
    const welcome = new WelcomePageModel(page);
    await welcome.fillNames('王建国');
    await welcome.join(inviteCode);
    await page.getByText('还没有联系户').waitFor();
    await shot(page, '02-households-empty');
  });

  it('registers a household and logs a visit with a photo and a need, with no network', async () => {
    const t = Date.now();
    await context.setOffline(true);
    await page.getByText('离线', { exact: true }).waitFor();

    await new HouseholdsPageModel(page).openRegister();
    const edit = new HouseholdEditPageModel(page);
    await edit.fill({ headName: '张秀兰', phone: '13912345678', area: '东山林场', village: '二道沟', house: '12号', tags: ['孤寡老人', '低保户'] });
    await shot(page, '03-register');
    householdId = await edit.save();
    const file = new HouseholdFilePageModel(page);
    await expect.poll(() => file.heading().textContent()).toBe('张秀兰');
    await shot(page, '04-file-new');

    await file.logVisit();
    const visit = new VisitLogPageModel(page);
    await visit.observe('住', '有困难', '屋顶漏雨');
    await visit.said('老人说冬天前想把房顶修好，腿脚不方便去镇上。');
    await visit.addNeed('住房', '联系村里帮忙修房顶');
    await visit.addPhoto(photo);
    // Compressed off the main thread: a 3000×2000 camera photo is stored as a JPEG of at
    // most 1600 px and ~300 KB, under the SHA-256 of its bytes.
    const stored = await storedPhotos(page);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ mime: 'image/jpeg', uploaded: 0 });
    expect(stored[0]!.size).toBeLessThanOrEqual(300 * 1024);
    expect(Math.max(stored[0]!.width, stored[0]!.height)).toBe(1600);
    expect(stored[0]!.digest).toBe(stored[0]!.sha256);
    expect(stored[0]!.thumbBytes).toBeLessThan(30 * 1024);
    console.log(`photo 3000×2000 PNG → ${stored[0]!.width}×${stored[0]!.height} JPEG ${Math.round(stored[0]!.size / 1024)} KB, thumbnail ${Math.round(stored[0]!.thumbBytes / 1024)} KB`);
    await visit.rate('满意');
    await shot(page, '05-visit-form');
    await visit.save();
    await page.getByText('老人说冬天前想把房顶修好').waitFor();
    await expect.poll(() => file.loadedThumbnails()).toBe(1);
    await expect.poll(() => file.timeline().textContent()).toContain('联系村里帮忙修房顶');
    await shot(page, '06-file-with-visit');
    timings.offlineFlow = Date.now() - t;
  });

  it('shows all of it after a reload with no network', async () => {
    const response = await page.reload();
    expect(response?.fromServiceWorker()).toBe(true);
    const file = new HouseholdFilePageModel(page);
    await page.getByText('老人说冬天前想把房顶修好').waitFor();
    await expect.poll(() => file.loadedThumbnails()).toBe(1);
    expect(await file.timeline().textContent()).toContain('联系村里帮忙修房顶');
    expect(await page.locator('.tags').first().textContent()).toContain('低保户');

    await page.getByRole('link', { name: '返回' }).click();
    await page.getByRole('navigation').getByRole('link', { name: /诉求/ }).click();
    await page.locator('.req-card').filter({ hasText: '张秀兰' }).waitFor();
    await shot(page, '07-requests');
    await page.locator('.req-card').first().click();
    await page.getByText('办理经过').waitFor();
    await shot(page, '08-request');
  });

  it('gives back a visit typed when the app was killed', async () => {
    const t = Date.now();
    await page.goto(`${server.url}/households/${householdId}/visit`);
    const visit = new VisitLogPageModel(page);
    await visit.said('说到一半手机没电了');
    await visit.waitDraftSaved();
    await context.close();

    await relaunch();
    await context.setOffline(true);
    const response = await page.goto(`${server.url}/households/${householdId}/visit`);
    expect(response?.fromServiceWorker()).toBe(true);
    await expect.poll(() => page.locator('#said').inputValue()).toBe('说到一半手机没电了');
    await page.getByText('已恢复上次没填完的草稿').waitFor();
    await shot(page, '09-draft-restored');

    // Leaving asks first; "stay" keeps the member on the form.
    await page.getByRole('link', { name: '返回' }).click();
    await page.getByRole('dialog').getByText('离开这张表？').waitFor();
    await shot(page, '10-leave-dialog');
    await page.getByRole('button', { name: '继续填写' }).click();
    expect(page.url()).toContain('/visit');
    timings.crashAndRestore = Date.now() - t;
  });

  it('opens a deep link with no network', async () => {
    const response = await page.goto(`${server.url}/households/${householdId}`);
    expect(response?.fromServiceWorker()).toBe(true);
    await expect.poll(() => new HouseholdFilePageModel(page).heading().textContent()).toBe('张秀兰');
    await page.goto(`${server.url}/households`);
    await new HouseholdsPageModel(page).search('zxl');
    await expect.poll(() => new HouseholdsPageModel(page).cards().count()).toBe(1);
    await shot(page, '11-households');
  });

  it('switches language, and keeps it after a reload', async () => {
    const settings = new SettingsPageModel(page);
    await settings.open();
    await page.getByText('已获准长期保存').waitFor();
    await shot(page, '12-settings');
    await settings.chooseLanguage('en');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Settings');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    await page.reload();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Settings');
    await settings.chooseLanguage('zh-TW');
    await expect.poll(() => page.locator('h1').textContent()).toBe('設定');
    await settings.chooseLanguage('zh-CN');
    await expect.poll(() => page.locator('h1').textContent()).toBe('设置');
  });

  it('offers a new version, and does not reload under a form with input', async () => {
    await context.setOffline(false);
    // A new release: any byte change in sw.js makes the browser install it and wait. The
    // build's compressed copies of the old sw.js go, as a new build would replace them.
    appendFileSync(join(server.staticDir, 'sw.js'), `\n// e2e release ${Date.now()}\n`);
    for (const stale of ['sw.js.br', 'sw.js.gz']) rmSync(join(server.staticDir, stale), { force: true });
    await page.goto(`${server.url}/households/${householdId}/visit`);
    await page.locator('#said').fill('更新前写的字');
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
    await page.getByText('有新版本可用').waitFor();
    await page.getByRole('button', { name: '立即更新' }).click();
    await page.getByText('请先保存或离开正在填写的表，再更新。').waitFor();
    await shot(page, '13-update-blocked');
    expect(await page.locator('#said').inputValue()).toBe('更新前写的字');

    await page.getByRole('link', { name: '返回' }).click();
    await page.getByRole('button', { name: '保留草稿，离开' }).click();
    await page.waitForURL(/\/households\/[0-9a-f-]{36}$/);
    const reloaded = page.waitForEvent('load');
    await page.getByRole('button', { name: '立即更新' }).click();
    await reloaded;
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller?.state)).toBe('activated');
    await expect.poll(() => page.getByText('有新版本可用').count()).toBe(0);
  });
});

