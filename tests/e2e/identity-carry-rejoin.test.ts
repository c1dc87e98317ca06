import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { WelcomePageModel } from './pages/welcome-page';
import { shot, waitForServiceWorker } from './support/browser';
import { LAPTOP, relayTeam, SYNC_MS, type Device } from './support/relay-team';

/**
 * Issue 11 items 2, 4 and 7 in real Chromium through a real relay, three profiles:
 * 周明 is out of signal, hands his file to 李强, who carries it (his own status stays his
 * own) and hands it to the lead; the lead revokes 周明's phone as replaced: it uploads once, says so, keeps its
 * record, then joins again on the same phone with a code made under his name and uploads it.
 */
describe('carrying a colleague’s file, a revoked phone joining again, open invites', () => {
  const team = relayTeam();
  const { join } = team;
  let lead: Device;
  let zhou: Device;
  let li: Device;
  let teamId = '';
  let householdId = '';
  const tmp = path.join(process.cwd(), '.e2e-tmp');

  /** Click a button that downloads, and keep the file. */
  async function download(page: Page, button: string | RegExp, as: string): Promise<string> {
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button, exact: typeof button === 'string' }).click()]);
    const to = path.join(tmp, as);
    await file.saveAs(to);
    return to;
  }

  beforeAll(async () => {
    lead = await team.device('lead', LAPTOP);
    zhou = await team.device('zhou');
    li = await team.device('li');
  });

  it('the lead and two members join; the lead sees open invites and cancels one', async () => {
    const created = team.server.admin(['team', 'create', '北岭林场支部']) as { teamId: string; inviteCode: string };
    teamId = created.teamId;
    await join(lead, '孙书记', created.inviteCode);
    for (const [d, name] of [
      [zhou, '周明'],
      [li, '李强'],
    ] as const) {
      const { code } = team.server.admin(['invite', 'create', '--team', teamId, '--role', 'member']) as { code: string };
      await join(d, name, code);
      await waitForServiceWorker(d.page);
    }
    // Item 7: a code made on the team page is listed; cancelled, it drops off.
    await team.open(lead, '/lead/team');
    await lead.page.getByRole('heading', { name: '未使用的邀请码（0）' }).waitFor();
    await lead.page.getByRole('button', { name: '生成邀请码' }).click();
    await lead.page.locator('.lead-invite__code').waitFor();
    await lead.page.getByRole('heading', { name: '未使用的邀请码（1）' }).waitFor();
    await lead.page.getByRole('button', { name: /^取消新成员的邀请码/ }).click();
    await lead.page.locator('dialog').getByRole('button', { name: '取消', exact: true }).first().click();
    await lead.page.getByRole('heading', { name: '未使用的邀请码（0）' }).waitFor();
    await expect.poll(() => lead.page.locator('.lead-invite__code').count()).toBe(0);
  });

  it('周明, out of signal, logs a household and exports his file; 李强 carries it and his own status stays his own', async () => {
    await zhou.context.setOffline(true);
    await li.context.setOffline(true);
    await zhou.page.getByText('离线', { exact: true }).first().waitFor();
    householdId = await team.register(zhou, { headName: '钱桂兰', phone: '13712345678', area: '北岭林场', village: '老营房', house: '7号' });
    await team.logVisit(zhou, '山里入户：老人独居，炕不热。');
    await team.open(zhou, '/settings');
    const file = await download(zhou.page, '导出记录文件', 'zhou.lianhu');
    expect(readFileSync(file).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));

    await team.open(li, '/settings');
    await li.page.locator('.sync-file__import input[type=file]').setInputFiles(file);
    await li.page.getByText('这是周明的记录文件（1 户），已作为代传文件保存').waitFor();
    await li.page.getByRole('heading', { name: '代传的文件（1）' }).waitFor();
    await li.page.getByText('周明的记录文件', { exact: true }).waitFor();
    await li.page.locator('.sync-file__carried').scrollIntoViewIfNeeded();
    await shot(li.page, 'identity-01-carried');
    // Back in signal: nothing of 周明's is counted or uploaded as 李强's.
    await li.context.setOffline(false);
    await team.open(li, '/households');
    await li.page.locator('.app-syncbar').getByText('所有记录都已在服务器上').waitFor({ timeout: SYNC_MS });
    expect(await li.page.getByText(/户的记录未上传/).count()).toBe(0);
    expect(await li.page.locator('.hh-card', { hasText: '钱桂兰' }).count()).toBe(0);
    // …and the file went to the relay, signed by 周明's phone, applied on his authority (ADR 0023).
    await team.open(li, '/settings');
    await li.page.locator('[data-test=carried-delivery]').getByText(/^已送到服务器 · .*（1 份档案，0 张照片）$/).waitFor({ timeout: SYNC_MS });
    await li.page.locator('.sync-file__carried').scrollIntoViewIfNeeded();
    await shot(li.page, 'identity-01b-carried-delivered');
  });

  it('李强 hands the file on unchanged; the lead already has 周明’s visit from the relay, and importing the file too doubles nothing', async () => {
    await team.open(lead, `/households/${householdId}`);
    await lead.page.getByText('山里入户：老人独居').waitFor({ timeout: SYNC_MS });
    await team.open(li, '/settings');
    // The button is named for whose file it is.
    const handed = await download(li.page, '把周明的记录文件原样导出给组长', 'carried.lianhu');
    expect(readFileSync(handed)).toEqual(readFileSync(path.join(tmp, 'zhou.lianhu')));
    await team.open(lead, '/settings');
    await lead.page.locator('.sync-file__import input[type=file]').setInputFiles(handed);
    await lead.page.getByText(/已导入|导入了/).first().waitFor();
    await team.open(lead, `/households/${householdId}`);
    await lead.page.getByText('山里入户：老人独居').waitFor();
  });

  it('the lead revokes 周明’s phone as replaced; it uploads its record once, says so, keeps it, and joins again with a code under his name', async () => {
    await team.open(lead, '/lead/team');
    const card = lead.page.locator('.lead-member', { hasText: '周明' });
    await card.getByRole('button', { name: '停用 周明 的设备“周明的手机”' }).click();
    // Replaced (ADR 0029): at its next contact the phone uploads what it holds, then stops.
    await lead.page.locator('dialog').getByRole('button', { name: '换了新手机：先上传再停用' }).click();
    await card.getByText('已停用 · 换机').waitFor();

    await zhou.context.setOffline(false);
    await team.open(zhou, '/households');
    const notice = zhou.page.locator('.revoked');
    await notice.getByText('这部手机已被组长停用，不能同步').waitFor({ timeout: SYNC_MS });
    await notice.getByText('手机上的记录都还在。').waitFor();
    await zhou.page.locator('.app-syncbar').getByText('这部手机已被组长停用，不能同步').waitFor();
    expect(await zhou.page.locator('.app-syncbar').getByText(/上次同步/).count()).toBe(0);
    await zhou.page.locator('.hh-card', { hasText: '钱桂兰' }).waitFor();
    expect(await zhou.page.locator('.hh-card', { hasText: '钱桂兰' }).getByText('未上传').count()).toBe(0);
    await team.until(lead, '/lead/team', async () => (await card.getByText(/旧手机已最后上传一次/).count()) > 0, 'last upload on the team page');
    await shot(zhou.page, 'identity-02-revoked');
    // Still so after a reload with no signal.
    await zhou.context.setOffline(true);
    await zhou.page.reload();
    await zhou.page.locator('.revoked').getByText('这部手机已被组长停用，不能同步').waitFor();
    await zhou.context.setOffline(false);

    await card.getByRole('button', { name: '给他的新手机发邀请码' }).click();
    const code = (await lead.page.locator('.lead-invite__code').textContent())!.trim();
    await lead.page.getByText('周明 的新设备邀请码').first().waitFor();

    await team.open(zhou, `/join?code=${encodeURIComponent(code)}`);
    await zhou.page.getByRole('heading', { name: '以“周明”的身份加入' }).waitFor();
    expect(await zhou.page.locator('#invite-code').inputValue()).toBe(code);
    await shot(zhou.page, 'identity-03-join-again');
    await zhou.page.getByRole('button', { name: '加入团队' }).click();
    await zhou.page.waitForURL('**/households');
    await zhou.page.locator('.app-syncbar').getByText('所有记录都已在服务器上').waitFor({ timeout: SYNC_MS });
    expect(await zhou.page.locator('.revoked').count()).toBe(0);
    expect(await zhou.page.locator('.hh-card', { hasText: '钱桂兰' }).getByText('未上传').count()).toBe(0);

    // The lead's list: the used code dropped off, 周明 has a new device.
    await team.open(lead, '/lead/team');
    await lead.page.getByRole('heading', { name: '未使用的邀请码（0）' }).waitFor();
    await expect.poll(() => card.locator('.lead-devices li').count()).toBe(2);
  });

  it('孙丽 never had signal: she exports her records, the lead imports them as hers, she joins with a code under her name and owns them', async () => {
    const sun = await team.device('sun');
    await sun.page.goto(team.server.url);
    await sun.page.locator('#member-name').waitFor();
    const welcome = new WelcomePageModel(sun.page);
    await welcome.fillNames('孙丽', '孙丽的手机');
    await welcome.startAlone();
    await team.register(sun, { headName: '赵老汉', phone: '13698765432', area: '北岭林场', village: '后沟', house: '3号' });
    await sun.page.goto(`${team.server.url}/settings`);
    await sun.page.getByText('这部手机还没加入团队。没有信号时').waitFor();
    expect(await sun.page.locator('.sync-file__import').count()).toBe(0);
    const file = await download(sun.page, '导出记录文件', 'sun.lianhu');
    await sun.page.getByText('文件没有签名：请交给组长导入').waitFor();
    await sun.page.locator('#sync-file-title').scrollIntoViewIfNeeded();
    await shot(sun.page, 'identity-05-never-joined-export');

    await team.open(lead, '/settings');
    await lead.page.locator('.sync-file__import input[type=file]').setInputFiles(file);
    await lead.page.getByText(/^已导入孙丽的记录（1 户，来自一直没联网的手机）/).waitFor();
    await shot(lead.page, 'identity-06-lead-adopted');
    await team.open(lead, '/lead/team');
    const card = lead.page.locator('.lead-member', { hasText: '孙丽' });
    await card.getByRole('button', { name: /新手机发邀请码/ }).click();
    const code = (await lead.page.locator('.lead-invite__code').textContent())!.trim();

    await sun.page.goto(`${team.server.url}/join?code=${encodeURIComponent(code)}`);
    expect(await sun.page.locator('#invite-code').inputValue()).toBe(code);
    await sun.page.getByRole('button', { name: '加入团队' }).click();
    await sun.page.waitForURL('**/households');
    // Her phone's records merge with what the lead uploaded: the relay takes them as hers.
    await sun.page.locator('.app-syncbar').getByText('所有记录都已在服务器上').waitFor({ timeout: SYNC_MS });
    await sun.page.locator('.hh-card', { hasText: '赵老汉' }).waitFor();
    expect(await sun.page.locator('.hh-card', { hasText: '赵老汉' }).getByText('未上传').count()).toBe(0);
    expect(await sun.page.locator('.hh-card').count()).toBe(1);
    await shot(sun.page, 'identity-07-never-joined-owns');
  });

  it('threw no errors on any device', () => {
    expect(team.errors).toEqual([]);
  });
});
