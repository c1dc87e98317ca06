import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HouseholdFilePageModel } from './pages/household-file-page';
import { VisitLogPageModel } from './pages/visit-log-page';
import { shot, waitForServiceWorker } from './support/browser';
import { LAPTOP, relayTeam, SYNC_MS, type Device } from './support/relay-team';
import { writeTestPhoto } from './support/test-photo';

/**
 * Sync end to end, two real Chromium contexts and a real relay: a member out of signal
 * registers a household and logs two visits, one with a photo; the phone says they are
 * not on the server; back in signal everything goes up by itself, and the lead's device
 * receives the visits and the photo.
 */
/** What the app's IndexedDB says about sync: unsynced docs and photos not uploaded. */
function syncRecords(page: Page) {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('lianhu');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const all = <T,>(store: string) =>
      new Promise<T[]>((resolve, reject) => {
        const req = db.transaction(store).objectStore(store).getAll();
        req.onsuccess = () => resolve(req.result as T[]);
        req.onerror = () => reject(req.error);
      });
    const docs = await all<{ name: string; kind: string; unsynced: number }>('docs');
    const blobs = await all<{ sha256: string; uploaded: number }>('blobs');
    const settings = await all<{ key: string; value: unknown }>('settings');
    db.close();
    const session = settings.find((s) => s.key === 'session')?.value as { token: string } | undefined;
    return {
      unsyncedDocs: docs.filter((d) => d.unsynced === 1).map((d) => d.name),
      photos: blobs.map((b) => ({ sha256: b.sha256, uploaded: b.uploaded })),
      token: session?.token ?? '',
    };
  });
}

describe('sync end to end: a member offline with a photo, the lead receives it', () => {
  const team = relayTeam();
  const { join } = team;
  let lead: Device;
  let member: Device;
  let householdId = '';
  let photoSha = '';
  const photo = path.join(process.cwd(), '.e2e-tmp/sync-photo.png');
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    writeTestPhoto(photo, 1200, 900);
    lead = await team.device('lead', LAPTOP);
    member = await team.device('member');
  });

  afterAll(() => {
    console.log('sync e2e timings (ms):', JSON.stringify(timings));
  });

  it('the lead and a member join the team', async () => {
    const { teamId, inviteCode } = team.server.admin(['team', 'create', '北岭林场支部']) as { teamId: string; inviteCode: string };
    await join(lead, '孙书记', inviteCode);
    const { code } = team.server.admin(['invite', 'create', '--team', teamId, '--role', 'member']) as { code: string };
    await join(member, '周明', code);
    // The app works offline once its service worker controls the page (screens are precached).
    await waitForServiceWorker(member.page);
  });

  it('the member, out of signal, registers a household and logs two visits, one with a photo; the phone says they are not on the server', async () => {
    await member.context.setOffline(true);
    await member.page.getByText('离线', { exact: true }).first().waitFor();
    householdId = await team.register(member, { headName: '钱桂兰', phone: '13712345678', area: '北岭林场', village: '老营房', house: '7号' });
    const file = new HouseholdFilePageModel(member.page);
    await file.logVisit();
    let visit = new VisitLogPageModel(member.page);
    await visit.said('山里入户：老人独居，炕不热，拍了屋里的照片。');
    await visit.addPhoto(photo);
    await visit.save();
    await file.logVisit();
    visit = new VisitLogPageModel(member.page);
    await visit.said('第二次入户：送去了棉被，老人很满意。');
    await visit.save();
    await member.page.getByText('第二次入户').waitFor();

    const offline = await syncRecords(member.page);
    expect(offline.unsyncedDocs.some((n) => n.endsWith(`/household/${householdId}`))).toBe(true);
    expect(offline.photos).toHaveLength(1);
    expect(offline.photos[0]!.uploaded).toBe(0);
    photoSha = offline.photos[0]!.sha256;
    await team.open(member, '/households');
    const card = member.page.locator('.hh-card', { hasText: '钱桂兰' });
    await card.getByText('未上传').waitFor();
    await member.page.locator('.app-syncbar').getByText('1 户的记录未上传').waitFor();
    await team.open(member, '/settings');
    await member.page.getByText('1 户档案未同步').waitFor();
    await member.page.getByText('1 张照片待上传').waitFor();
    expect(await member.page.getByText('已同步', { exact: true }).count()).toBe(0);
    await shot(member.page, 'sync-01-offline-pending');
  });

  it('back in signal, everything goes up by itself and the phone says so', async () => {
    const t = Date.now();
    await member.context.setOffline(false);
    // The settings screen is open: it follows sync live.
    await member.page.getByText('照片都已上传').waitFor({ timeout: SYNC_MS });
    await member.page.getByText('档案都已同步').waitFor({ timeout: SYNC_MS });
    timings.memberUpload = Date.now() - t;
    const online = await syncRecords(member.page);
    expect(online.unsyncedDocs).toEqual([]);
    expect(online.photos).toEqual([{ sha256: photoSha, uploaded: 1 }]);
    await member.page.locator('.syncbar__state', { hasText: '已同步' }).waitFor();
    await shot(member.page, 'sync-02-synced');
    await team.open(member, '/households');
    await member.page.locator('.hh-card', { hasText: '钱桂兰' }).waitFor();
    await member.page.locator('.app-syncbar').getByText('所有记录都已在服务器上').waitFor();
    expect(await member.page.locator('.hh-card', { hasText: '钱桂兰' }).getByText('未上传').count()).toBe(0);
  });

  it('the lead’s device receives both visits and the photo', async () => {
    const t = Date.now();
    // Opening the app is a sync of its own (the lead's device also polls every minute).
    await team.open(lead, '/lead/review');
    await lead.page.locator('.lead-visit', { hasText: '山里入户：老人独居' }).waitFor({ timeout: SYNC_MS });
    await lead.page.locator('.lead-visit', { hasText: '第二次入户：送去了棉被' }).waitFor();
    await lead.page.locator('.lead-visit', { hasText: '山里入户' }).getByText(/1\s*张照片/).waitFor();
    // The household file on the lead's device holds both visits.
    await team.open(lead, `/households/${householdId}`);
    await lead.page.getByText('山里入户：老人独居').waitFor();
    await lead.page.getByText('第二次入户：送去了棉被').waitFor();
    timings.leadReceives = Date.now() - t;
    // The photo the member took shows in the lead's timeline: fetched from the relay when viewed.
    await expect.poll(() => new HouseholdFilePageModel(lead.page).loadedThumbnails(), { timeout: 15_000 }).toBe(1);
    await shot(lead.page, 'sync-03-lead-file');
    // The photo: the lead's device fetches it from the relay with its own credentials and
    // gets the very bytes the member took (what the app does when the photo is viewed).
    const { token } = await syncRecords(lead.page);
    const fetched = await lead.page.evaluate(
      async ({ sha, token }) => {
        const res = await fetch(`/files/${sha}`, { headers: { Authorization: `Bearer ${token}` } });
        const bytes = await res.arrayBuffer();
        const digest = [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
        const bitmap = await createImageBitmap(new Blob([bytes], { type: res.headers.get('content-type') ?? '' }));
        return { status: res.status, digest, width: bitmap.width };
      },
      { sha: photoSha, token },
    );
    expect(fetched).toMatchObject({ status: 200, digest: photoSha });
    expect(fetched.width).toBeGreaterThan(0);
  });

  it('threw no errors on either device', () => {
    expect(team.errors).toEqual([]);
  });
});
