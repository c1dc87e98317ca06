import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { shot } from './support/browser';
import { LAPTOP, relayTeam, type Device } from './support/relay-team';

/**
 * Issue 14 items 1 and 3 in Chromium through a real relay (ADR 0029): a member sets a PIN,
 * the app is locked at start and after the idle time, blanked while hidden; wrong PINs wait
 * (also after a reload); a lead must set a PIN before the lead workspace opens, revokes the
 * member's phone as lost, and the phone erases itself at its next contact and says so.
 */
describe('app lock and a lost phone', () => {
  const team = relayTeam();
  let lead: Device;
  let wu: Device;
  const PIN = '135790';

  /** Nothing of the household is on the page or in its title. */
  async function showsNoHousehold(page: Page, name: string): Promise<void> {
    expect(await page.evaluate(() => document.body.innerText)).not.toContain(name);
    expect(await page.evaluate(() => document.documentElement.outerHTML)).not.toContain(name);
    expect(await page.title()).not.toContain(name);
  }

  async function unlock(page: Page, pin = PIN): Promise<void> {
    await page.locator('#lock-pin').fill(pin);
    await page.getByRole('button', { name: '解锁' }).click();
  }

  async function setPin(page: Page): Promise<void> {
    await page.locator('#pin-new').fill(PIN);
    await page.locator('#pin-again').fill(PIN);
    await page.getByRole('button', { name: '保存 PIN' }).click();
  }

  beforeAll(async () => {
    lead = await team.device('lead', LAPTOP);
    wu = await team.device('wu');
  });

  it('locks at start and after the idle time, blanks while hidden, and wrong PINs wait across a reload', async () => {
    const { teamId, inviteCode } = team.server.admin(['team', 'create', '南山村']) as { teamId: string; inviteCode: string };
    await team.join(lead, '孙书记', inviteCode);
    const { code } = team.server.admin(['invite', 'create', '--team', teamId, '--role', 'member']) as { code: string };
    await team.join(wu, '吴敏', code);
    await team.register(wu, { headName: '赵大娘', phone: '13712345678', area: '南山村', village: '后沟', house: '3号' });

    // A phone without a PIN never loads the lock screen's code.
    const chunks: string[] = [];
    wu.page.on('request', (r) => chunks.push(r.url()));
    await team.open(wu, '/households');
    await wu.page.getByText('赵大娘').first().waitFor();
    expect(chunks.filter((u) => /LockScreen/.test(u))).toEqual([]);

    // The member sets a PIN in the settings.
    await team.open(wu, '/settings');
    await wu.page.locator('[data-test=lock-settings]').click();
    await wu.page.locator('#pin-new').waitFor();
    await shot(wu.page, 'trust-pin-setup-zh-CN');
    await setPin(wu.page);
    await wu.page.locator('#lock-idle').selectOption('1');
    await expect.poll(() => wu.page.locator('[data-test=lock-status]').innerText()).toContain('1 分钟');

    // Start: locked, nothing of the household on the page or in the title.
    await wu.page.clock.install();
    await team.open(wu, '/households');
    await wu.page.locator('[data-test=lock-screen]').waitFor();
    await shot(wu.page, 'trust-lock-zh-CN');
    await showsNoHousehold(wu.page, '赵大娘');
    await unlock(wu.page);
    await wu.page.getByText('赵大娘').first().waitFor();

    // Hidden: the page is blanked at once (the app switcher's snapshot), the title says nothing.
    // Headless Chromium keeps every page visible, so the page is told it is hidden the way a
    // phone's browser tells it (the property and the event), from the page itself.
    const setVisibility = (state: 'hidden' | 'visible') =>
      wu.page.evaluate((s) => {
        Object.defineProperty(document, 'visibilityState', { value: s, configurable: true });
        document.dispatchEvent(new Event('visibilitychange'));
      }, state);
    await setVisibility('hidden');
    expect(await wu.page.evaluate(() => [document.documentElement.classList.contains('lianhu-blank'), getComputedStyle(document.body).visibility])).toEqual([true, 'hidden']);
    expect(await wu.page.title()).toBe('联户走访');
    await setVisibility('visible');
    expect(await wu.page.evaluate(() => document.documentElement.classList.contains('lianhu-blank'))).toBe(false);
    await wu.page.getByText('赵大娘').first().waitFor();

    // Idle for the chosen minute: locked.
    await wu.page.clock.fastForward('01:10');
    await wu.page.locator('[data-test=lock-screen]').waitFor();
    await showsNoHousehold(wu.page, '赵大娘');

    // Wrong PINs: four free, the fifth waits 30 s — and a reload does not reset that.
    for (let i = 0; i < 5; i++) {
      await unlock(wu.page, '000000');
      await expect.poll(() => wu.page.locator('#lock-pin').inputValue()).toBe('');
    }
    await wu.page.getByText(/PIN 错误次数太多，请 0:[23]\d 后再试/).waitFor();
    await wu.page.reload();
    await wu.page.getByText(/PIN 错误次数太多，请 0:[23]\d 后再试/).waitFor();
    expect(await wu.page.locator('#lock-pin').isDisabled()).toBe(true);
    await wu.page.clock.fastForward('00:31');
    await expect.poll(() => wu.page.locator('#lock-pin').isDisabled()).toBe(false);
    await unlock(wu.page);
    await wu.page.getByText('赵大娘').first().waitFor();
  });

  it('a lead must set a PIN; revoking a phone as lost erases it at its next contact, and the lead sees it confirmed', async () => {
    // The lead workspace stays shut until the lead has a PIN.
    await lead.page.goto(`${team.server.url}/lead/team`);
    await lead.page.getByText('请先设置 PIN').waitFor();
    expect(new URL(lead.page.url()).pathname).toBe('/settings/lock');
    await setPin(lead.page);
    lead.pin = PIN;
    await lead.page.waitForURL(/\/lead\/team$/);
    await lead.page.getByRole('button', { name: /^停用 吴敏 的设备/ }).click();
    const dialog = lead.page.locator('dialog');
    await dialog.getByText('丢了——手机下次联网时删除').waitFor();
    await lead.page.setViewportSize({ width: 360, height: 740 });
    await shot(lead.page, 'trust-revoke-dialog-zh-CN');
    await dialog.getByRole('button', { name: '丢了：清除手机上的记录' }).click();
    await lead.page.getByText('已停用 · 丢失').waitFor();
    await lead.page.getByText('等手机下次联网时清除').waitFor();

    // The phone's next contact: it erases everything and says so on a plain screen.
    await team.open(wu, '/households');
    await unlock(wu.page);
    await wu.page.locator('[data-test=wiped-screen]').waitFor({ timeout: 30_000 });
    await wu.page.getByText('这台手机上的记录已清除').waitFor();
    await shot(wu.page, 'trust-wiped-zh-CN');
    await showsNoHousehold(wu.page, '赵大娘');
    // Left: the note saying so, and the service worker's own index of cached app files.
    const left = await wu.page.evaluate(async () => ({ dbs: (await indexedDB.databases()).map((d) => d.name), keys: Object.keys(localStorage) }));
    expect(left).toEqual({ dbs: left.dbs.filter((n) => n === 'workbox-expiration'), keys: ['lianhu.wiped'] });
    // Opened again: still the plain screen, the relay told.
    await wu.page.reload();
    await wu.page.getByText(/已告知服务器/).waitFor();

    await team.until(lead, '/lead/team', async () => (await lead.page.getByText(/手机已清除（/).count()) > 0, 'wipe confirmed on the team page');
    expect(team.errors).toEqual([]);
  });
});
