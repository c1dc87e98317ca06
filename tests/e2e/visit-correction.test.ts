import { beforeAll, describe, expect, it } from 'vitest';
import { HouseholdFilePageModel } from './pages/household-file-page';
import { VisitLogPageModel } from './pages/visit-log-page';
import { relayTeam, type Device } from './support/relay-team';

/**
 * Correcting and withdrawing visits through a real relay (issue 11 item 1): the lead asks
 * for a correction, the member's phone opens that visit, corrects it, and the lead's card
 * says so; the household's history keeps the earlier words; a visit logged on the wrong
 * household is withdrawn and leaves the lead's feed; two phones correcting one visit
 * offline keep both corrections.
 */
describe('correcting and withdrawing a visit through a real relay', () => {
  const team = relayTeam();
  const { whenSynced, join } = team;
  let lead: Device;
  let wang: Device;
  let householdId = '';

  /** The lead's review feed filtered by review status ('' for all), once `hasText` is in it. */
  async function inFeed(status: string, hasText: string): Promise<void> {
    await team.until(
      lead,
      '/lead/review',
      async () => {
        await lead.page.locator('#rv-status').selectOption(status);
        await lead.page.locator('.lead-visit', { hasText }).first().waitFor({ timeout: 5_000 });
        return true;
      },
      `“${hasText}” in the lead’s feed`,
      0,
    );
  }

  async function logVisit(d: Device, said: string): Promise<void> {
    await team.open(d, `/households/${householdId}`);
    await team.logVisit(d, said);
  }

  /** Open the correction page of the visit whose card holds `said`. */
  async function openCorrection(d: Device, said: string, link: string | RegExp = /更正 \/ 撤回|按讲评更正/): Promise<void> {
    await d.page.locator('.timeline__item', { hasText: said }).getByRole('link', { name: link }).click();
    await d.page.locator('#said').waitFor();
  }

  beforeAll(async () => {
    lead = await team.device('lead');
    wang = await team.device('wang');
  });

  it('a member joins the lead’s team and logs two visits at one household', async () => {
    const { inviteCode } = team.server.admin(['team', 'create', '东山林场支部']) as { inviteCode: string };
    await join(lead, '赵书记', inviteCode);
    await team.open(lead, '/lead/team');
    await lead.page.getByRole('button', { name: '生成邀请码' }).click();
    const code = (await lead.page.locator('.lead-invite__code').textContent())!.trim();
    await join(wang, '王芳', code);
    householdId = await team.register(wang, { headName: '张三', phone: '13800001234', area: '东山林场', village: '二道沟', house: '12号' });
    await logVisit(wang, '屋顶漏雨，想请村里修');
    await logVisit(wang, '这条记到了张三家，其实是李四家');
  });

  it('the lead asks for a correction; the member’s phone opens that visit and corrects it', async () => {
    await whenSynced(lead, '/lead/review', '.lead-visit', '屋顶漏雨');
    const card = lead.page.locator('.lead-visit', { hasText: '屋顶漏雨' });
    await card.getByRole('button', { name: '写批注' }).click();
    await card.locator('textarea').fill('请写明漏雨的是哪间屋');
    await card.getByRole('button', { name: '需要更正' }).click();
    await lead.page.getByText('已保存讲评。').waitFor();
    // It leaves the unreviewed feed; under "需要更正" its card shows the comment.
    await lead.page.locator('#rv-status').selectOption('needs_correction');
    const asked = lead.page.locator('.lead-visit', { hasText: '屋顶漏雨' });
    await asked.getByText('你的讲评：请写明漏雨的是哪间屋').waitFor();
    await asked.getByText('成员尚未更正').waitFor();

    await whenSynced(wang, `/households/${householdId}`, '.timeline__item', '请写明漏雨的是哪间屋');
    await openCorrection(wang, '屋顶漏雨', '按讲评更正');
    await wang.page.getByText('请写明漏雨的是哪间屋').waitFor();
    await wang.page.locator('#said').fill('东屋屋顶漏雨，想请村里修');
    await wang.page.getByRole('button', { name: '保存更正' }).click();
    await wang.page.waitForURL(/\/households\/[0-9a-f-]{36}$/);
    await wang.page.locator('.timeline__item', { hasText: '东屋屋顶漏雨' }).getByText(/^已更正 · /).waitFor();
    // The history keeps the earlier words, with who changed them.
    const entry = wang.page.locator('.history__entry', { hasText: '更正了' });
    await entry.locator('del', { hasText: '屋顶漏雨，想请村里修' }).waitFor();
    await entry.locator('ins', { hasText: '东屋屋顶漏雨，想请村里修' }).waitFor();
    await expect(entry.textContent()).resolves.toContain('王芳');

    await inFeed('needs_correction', '东屋屋顶漏雨');
    const card2 = lead.page.locator('.lead-visit', { hasText: '东屋屋顶漏雨' });
    await card2.getByText(/^成员已更正 · /).waitFor();
    await card2.getByText('你的讲评：请写明漏雨的是哪间屋').waitFor();
  });

  it('a visit logged on the wrong household is withdrawn with a reason and leaves the lead’s feed', async () => {
    await team.open(wang, `/households/${householdId}`);
    await openCorrection(wang, '其实是李四家');
    await wang.page.getByRole('button', { name: '撤回这次走访' }).click();
    // No reason: refused, and it says why next to the field.
    await wang.page.locator('#withdraw-reason-error', { hasText: '必填' }).waitFor();
    await expect(wang.page.locator('#withdraw-reason').getAttribute('aria-invalid')).resolves.toBe('true');
    await wang.page.locator('#withdraw-reason').fill('记错了户，应记在李四家');
    await wang.page.getByRole('button', { name: '撤回这次走访' }).click();
    await wang.page.waitForURL(/\/households\/[0-9a-f-]{36}$/);
    await wang.page.locator('.timeline__withdrawn', { hasText: '记错了户，应记在李四家' }).waitFor();
    await wang.page.locator('.history__entry', { hasText: '撤回了' }).getByText('原因：记错了户，应记在李四家').waitFor();

    // The lead's feed drops it once it has synced; the corrected one stays.
    await team.until(
      lead,
      '/lead/review',
      async () => {
        await lead.page.locator('#rv-status').selectOption('');
        await lead.page.locator('.lead-visit', { hasText: '东屋屋顶漏雨' }).first().waitFor({ timeout: 5_000 });
        return (await lead.page.locator('.lead-visit', { hasText: '其实是李四家' }).count()) === 0;
      },
      'the withdrawn visit left the lead’s feed',
    );
  });

  it('two phones correct the same visit offline, one the words and one the notes: both corrections stay', async () => {
    await whenSynced(lead, `/households/${householdId}`, '.timeline__item', '东屋屋顶漏雨');
    await lead.context.setOffline(true);
    await wang.context.setOffline(true);
    await openCorrection(lead, '东屋屋顶漏雨');
    await lead.page.locator('#notes').fill('赵书记补充：已报村委会');
    await lead.page.getByRole('button', { name: '保存更正' }).click();
    await lead.page.waitForURL(/\/households\/[0-9a-f-]{36}$/);
    await team.open(wang, `/households/${householdId}`);
    await openCorrection(wang, '东屋屋顶漏雨');
    await wang.page.locator('#said').fill('东屋和厨房屋顶都漏雨');
    await wang.page.getByRole('button', { name: '保存更正' }).click();
    await wang.page.waitForURL(/\/households\/[0-9a-f-]{36}$/);
    await lead.context.setOffline(false);
    await wang.context.setOffline(false);
    for (const d of [lead, wang]) {
      await whenSynced(d, `/households/${householdId}`, '.timeline__item', '赵书记补充：已报村委会');
      await whenSynced(d, `/households/${householdId}`, '.timeline__item', '东屋和厨房屋顶都漏雨');
      await d.page.locator('.history__entry', { hasText: '赵书记' }).locator('ins', { hasText: '赵书记补充：已报村委会' }).waitFor();
      await d.page.locator('.history__entry', { hasText: '王芳' }).locator('ins', { hasText: '东屋和厨房屋顶都漏雨' }).waitFor();
    }
  });

  it('every request, not only open ones: a need raised in a visit is resolved and rated, then found under 已办结 with its due date, rating and visit; the lead sees it closed', async () => {
    await team.open(wang, `/households/${householdId}`);
    await new HouseholdFilePageModel(wang.page).logVisit();
    const visit = new VisitLogPageModel(wang.page);
    await visit.said('孩子想转学到镇上');
    await visit.addNeed('就学', '联系镇中学办转学');
    // A due date before the visit's day is refused next to the field.
    await wang.page.locator('#need-due-0').fill('2020-01-01');
    await wang.page.getByRole('button', { name: '保存走访' }).click();
    await wang.page.locator('#need-due-0-error', { hasText: '办理期限不能早于提出诉求的那一天' }).waitFor();
    await wang.page.locator('#need-due-0').fill('2099-06-30');
    await visit.save();
    await wang.page.locator('.timeline__needs').getByRole('link', { name: '联系镇中学办转学' }).click();
    await wang.page.getByRole('radio', { name: '已解决' }).check();
    await wang.page.locator('#step-text').fill('镇中学已同意接收');
    await wang.page.getByRole('button', { name: '确定' }).click();
    await wang.page.getByRole('radio', { name: '满意', exact: true }).check();
    await wang.page.getByRole('button', { name: '保存评价' }).click();
    await wang.page.locator('dd', { hasText: '满意' }).waitFor();

    await team.open(wang, '/requests');
    await wang.page.getByText('没有未办结的诉求').first().waitFor();
    await wang.page.getByRole('radio', { name: '已办结' }).check();
    const card = wang.page.locator('.req-card', { hasText: '联系镇中学办转学' });
    await card.getByText(/办结$/).waitFor();
    await card.click();
    await wang.page.locator('dd', { hasText: '2099-06-30' }).waitFor();
    await wang.page.locator('dd', { hasText: '满意' }).waitFor();
    await wang.page.locator('dd', { hasText: '入户走访' }).waitFor();

    await whenSynced(lead, `/households/${householdId}`, '.timeline__needs li', '联系镇中学办转学');
    await lead.page.locator('.timeline__needs li', { hasText: '联系镇中学办转学' }).getByText('已解决').waitFor();
  });

  it('threw no errors on any device', () => {
    expect(team.errors).toEqual([]);
  });
});
