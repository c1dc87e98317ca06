import { beforeAll, describe, expect, it } from 'vitest';
import { shot } from './support/browser';
import { LAPTOP, relayTeam, SYNC_MS, type Device } from './support/relay-team';

/**
 * Issue 11 item 5, second half (ADR 0024), in real Chromium through a real relay: 王芳
 * registers a household (linked to her) and raises a request there; the lead hands the
 * request to 李强, who is not linked to that household. His phone gets the household's file
 * and the request in his "mine" list, and he resolves it; once the lead hands it back to
 * 王芳, his phone no longer holds the file, so there is nothing left to write to there.
 */
describe('a request handed to a member not linked to its household', () => {
  const team = relayTeam();
  let lead: Device;
  let wang: Device;
  let li: Device;
  let householdId = '';
  let requestId = '';
  const summary = '屋顶漏雨，想申请危房改造补助';

  beforeAll(async () => {
    lead = await team.device('lead', LAPTOP);
    wang = await team.device('wang');
    li = await team.device('li');
  });

  /** On the lead's request board: open the request's card and hand it to `to`. */
  async function handTo(to: string) {
    await team.open(lead, '/lead/requests');
    await lead.page.locator('#rq-status').selectOption('');
    const card = lead.page.locator('.lead-request', { hasText: summary });
    await card.getByRole('button', { name: '处理' }).click();
    await card.getByLabel('转给').selectOption({ label: to });
    await card.getByRole('button', { name: '转交' }).click();
    await card.getByText('已转交。').waitFor();
    await card.getByText(`负责人：${to}`).waitFor();
  }

  it('the lead and two members join; 王芳 registers a household and raises a request there', async () => {
    const created = team.server.admin(['team', 'create', '南岗村支部']) as { teamId: string; inviteCode: string };
    await team.join(lead, '陈书记', created.inviteCode);
    for (const [d, name] of [
      [wang, '王芳'],
      [li, '李强'],
    ] as const) {
      const { code } = team.server.admin(['invite', 'create', '--team', created.teamId, '--role', 'member']) as { code: string };
      await team.join(d, name, code);
    }
    householdId = await team.register(wang, { headName: '刘桂英', phone: '13811112222', area: '南岗村', village: '东组', house: '12号' });
    await wang.page.getByRole('link', { name: '新诉求' }).click();
    await wang.page.locator('#description').fill(summary);
    await wang.page.getByRole('button', { name: '保存' }).click();
    // The page it lands on once saved (the form itself is at …/requests/new).
    await wang.page.waitForURL(new RegExp(`/households/${householdId}/requests/[0-9a-f-]{36}$`));
    requestId = new URL(wang.page.url()).pathname.split('/').pop()!;
    await team.open(wang, '/households');
    await wang.page.locator('.app-syncbar').getByText('所有记录都已在服务器上').waitFor({ timeout: SYNC_MS });
    // 李强 is not linked to the household: his phone does not have it.
    await team.open(li, '/households');
    await li.page.locator('.app-syncbar').getByText('所有记录都已在服务器上').waitFor({ timeout: SYNC_MS });
    expect(await li.page.locator('.hh-card', { hasText: '刘桂英' }).count()).toBe(0);
  });

  it('the lead hands the request to 李强: his phone gets the file and the request in his list', async () => {
    await team.whenSynced(lead, '/lead/requests', '.lead-request', summary);
    await handTo('李强');
    await shot(lead.page, 'handover-01-lead-reassigned');

    await team.whenSynced(li, '/requests', '.req-card', summary);
    await li.page.locator('.req-card', { hasText: summary }).getByText('刘桂英').waitFor();
    await shot(li.page, 'handover-02-mine');
    // The household's file came with it (head's name, address: what he needs to act).
    await team.open(li, `/households/${householdId}`);
    await li.page.locator('h1', { hasText: '刘桂英' }).waitFor();
    // …and it is no longer on 王芳's list of her own requests.
    await team.open(wang, '/requests');
    await wang.page.getByText('没有未办结的诉求。').waitFor({ timeout: SYNC_MS });
  });

  it('李强 resolves it; the lead sees it resolved by him', async () => {
    await team.open(li, `/households/${householdId}/requests/${requestId}`);
    await li.page.getByText('负责人').waitFor();
    // The timeline names who it was handed to, not a bare name under "转交".
    await li.page.locator('.timeline__item', { hasText: '陈书记' }).getByText('转交给 李强').waitFor();
    await li.page.getByRole('radio', { name: '已解决' }).check({ force: true });
    await li.page.locator('#step-text').fill('已帮他递交申请，乡里已批');
    expect(await li.page.getByRole('radio', { name: '已解决' }).isChecked()).toBe(true);
    await li.page.getByRole('button', { name: '确定' }).click();
    // A save on a page just opened waits for the app's start-up checks: slow on a loaded CI machine (15 s was not enough once).
    await li.page.locator('.status', { hasText: '已解决' }).first().waitFor({ timeout: SYNC_MS });
    await team.open(li, '/households');
    await li.page.locator('.app-syncbar').getByText('所有记录都已在服务器上').waitFor({ timeout: SYNC_MS });
    await shot(li.page, 'handover-03-resolved');

    await team.until(
      lead,
      '/lead/requests',
      async () => {
        await lead.page.locator('#rq-status').selectOption('resolved');
        await lead.page.locator('.lead-request', { hasText: summary }).waitFor({ timeout: 3_000 });
        return true;
      },
      'the lead sees the request resolved',
      0,
    );
    // Still his for 30 days after closing (a rating comes later): on his "closed" list.
    await team.open(li, '/requests');
    await li.page.getByRole('radio', { name: '已办结' }).check({ force: true });
    await li.page.locator('.req-card', { hasText: summary }).waitFor();
  });

  it('handed back to 王芳, the file leaves 李强’s phone and nothing of it is writable there', async () => {
    await handTo('王芳');
    await team.until(
      li,
      '/households',
      async () => {
        await li.page.locator('.app-syncbar').getByText('所有记录都已在服务器上').waitFor({ timeout: 5_000 });
        return (await li.page.locator('.hh-card', { hasText: '刘桂英' }).count()) === 0;
      },
      'the household left 李强’s phone',
    );
    await team.open(li, '/requests');
    await li.page.getByRole('radio', { name: '全部' }).check({ force: true });
    await li.page.getByText('还没有诉求。').waitFor();
    await team.open(li, `/households/${householdId}/requests/${requestId}`);
    await li.page.getByText('这台手机上没有这项诉求。').waitFor();
    expect(await li.page.getByRole('button', { name: '确定' }).count()).toBe(0);
    await shot(li.page, 'handover-04-gone');
    // 王芳 has it again, closed, among her own.
    await team.until(
      wang,
      '/requests',
      async () => {
        await wang.page.getByRole('radio', { name: '已办结' }).check({ force: true });
        await wang.page.locator('.req-card', { hasText: summary }).waitFor({ timeout: 3_000 });
        return true;
      },
      '王芳 has the request back',
      0,
    );
  });

  it('threw no errors on any device', () => {
    expect(team.errors).toEqual([]);
  });
});
