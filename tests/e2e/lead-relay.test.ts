import { readFileSync } from 'node:fs';
import { strFromU8, unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { LAPTOP, relayTeam, type Device } from './support/relay-team';

/**
 * The lead and two members, each on their own device, syncing through a real relay: the
 * members join with codes the lead made, register households and log visits; the lead
 * sees both members' visits, hands a household to the other member (who receives it),
 * merges a household registered twice, and exports an XLSX that is read back here.
 */
const unescape = (x: string) => x.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const columnIndex = (letters: string) => [...letters].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1;

/** Rows of one worksheet of an XLSX file, as cell texts placed by their references (empty cells are left out of the XML). */
function sheetRows(xlsx: Uint8Array, sheet: number): string[][] {
  const xml = strFromU8(unzipSync(xlsx)[`xl/worksheets/sheet${sheet}.xml`]!);
  return [...xml.matchAll(/<row [^>]*>(.*?)<\/row>/gs)].map((row) => {
    const cells: string[] = [];
    for (const c of row[1]!.matchAll(/<c r="([A-Z]+)\d+"[^>]*?(?:\/>|>(.*?)<\/c>)/gs)) cells[columnIndex(c[1]!)] = unescape((c[2] ?? '').replace(/<[^>]+>/g, ''));
    return Array.from(cells, (x) => x ?? '');
  });
}

describe('the lead and two members through a real relay', () => {
  const team = relayTeam();
  const { whenSynced, join } = team;
  let lead: Device;
  let wang: Device;
  let li: Device;
  const codes: string[] = [];
  const ids: Record<string, string> = {};

  /** Register a household and log a visit saying `said`; returns the household id. */
  async function registerAndVisit(d: Device, headName: string, phone: string, said: string): Promise<string> {
    const id = await team.register(d, { headName, phone, area: '东山林场', village: '二道沟', house: '12号' });
    await team.logVisit(d, said);
    return id;
  }

  beforeAll(async () => {
    lead = await team.device('lead', LAPTOP);
    wang = await team.device('wang');
    li = await team.device('li');
  });

  it('the lead joins and makes invite codes for two members (text and QR code)', async () => {
    const { inviteCode } = team.server.admin(['team', 'create', '东山林场支部']) as { inviteCode: string };
    await join(lead, '赵书记', inviteCode);
    await team.open(lead, '/lead/team');
    for (let i = 0; i < 2; i++) {
      const before = codes.length ? codes.at(-1) : '';
      await lead.page.getByRole('button', { name: '生成邀请码' }).click();
      await lead.page.waitForFunction((prev) => {
        const el = document.querySelector('.lead-invite__code');
        return !!el && el.textContent !== prev;
      }, before);
      codes.push((await lead.page.locator('.lead-invite__code').textContent())!.trim());
      await expect(lead.page.locator('.lead-invite__qr path').getAttribute('d')).resolves.toMatch(/^M/);
    }
    expect(codes[0]).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(codes[1]).not.toBe(codes[0]);
  });

  it('two members join with them, and each registers a household and logs a visit', async () => {
    await join(wang, '王芳', codes[0]!);
    await join(li, '李强', codes[1]!);
    ids.zhang = await registerAndVisit(wang, '张三', '13800001234', '王芳记录：屋顶漏雨');
    ids.liu = await registerAndVisit(li, '刘洋', '13900005678', '李强记录：孩子上学路远');
  });

  it('the lead sees both members’ visits in one review feed', async () => {
    await whenSynced(lead, '/lead/review', '.lead-visit', '王芳记录：屋顶漏雨');
    await whenSynced(lead, '/lead/review', '.lead-visit', '李强记录：孩子上学路远');
    await lead.page.locator('.lead-visit', { hasText: '王芳记录' }).getByRole('button', { name: '已阅' }).click();
    await lead.page.getByText('已保存讲评。').waitFor();
  });

  it('the lead hands 王芳’s household to 李强, and 李强’s phone receives it', async () => {
    await team.open(lead, '/lead/assign');
    await lead.page.locator('#as-search').fill('张三');
    await lead.page.locator('.lead-pick', { hasText: '张三' }).locator('input').check();
    await lead.page.locator('#as-member').selectOption({ label: '李强' });
    await lead.page.getByRole('button', { name: '交给此人负责' }).click();
    await lead.page.getByText('已把 1 户交给李强。').waitFor();
    await whenSynced(li, '/households', '.hh-card', '张三');
  });

  it('the lead merges a household registered twice; the merged file keeps both visits', async () => {
    ids.zhangAgain = await registerAndVisit(li, '张三', '13800001234', '李强记录：重复登记的这一户');
    await whenSynced(lead, '/lead/duplicates', '.lead-dup', '张三');
    const card = lead.page.locator('.lead-dup', { hasText: '张三' });
    await card.getByRole('link', { name: '对比' }).click();
    await lead.page.locator('.lead-compare__side').first().waitFor();
    await lead.page.locator('.lead-compare').getByRole('button', { name: '合并' }).click();
    await lead.page.locator('dialog').getByRole('button', { name: '合并' }).click();
    await lead.page.getByText('已合并。').waitFor();
    // The first registration has the older file and is kept; both visits are listed under it.
    await team.open(lead, `/households/${ids.zhang}`);
    await lead.page.getByText('王芳记录：屋顶漏雨').waitFor();
    await lead.page.getByText('李强记录：重复登记的这一户').waitFor();
    // 李强's phone had both files; it shows one 张三 once the merge has synced.
    await team.until(
      li,
      '/households',
      async () => {
        await li.page.locator('.hh-card').first().waitFor();
        return (await li.page.locator('.hh-card', { hasText: '张三' }).count()) === 1;
      },
      '李强 sees one 张三 file',
    );
  });

  it('exports an XLSX that opens with the right rows', async () => {
    await team.open(lead, '/lead/export');
    const download = lead.page.waitForEvent('download');
    await lead.page.getByRole('button', { name: '导出', exact: true }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/\.xlsx$/);
    const bytes = new Uint8Array(readFileSync((await file.path())!));
    const households = sheetRows(bytes, 1);
    expect(households[0]!.slice(0, 3)).toEqual(['户主', '电话', '片区']);
    // The duplicate is merged away: two households remain.
    expect(households.slice(1).map((r) => r[0]).sort()).toEqual(['刘洋', '张三']);
    const visits = sheetRows(bytes, 2);
    const summaries = visits.slice(1).map((r) => r[6]);
    expect(summaries.sort()).toEqual(['李强记录：孩子上学路远', '李强记录：重复登记的这一户', '王芳记录：屋顶漏雨'].sort());
    // Every visit of the merged file is listed under 张三.
    expect(visits.slice(1).filter((r) => r[1] === '张三')).toHaveLength(2);
  });

  it('threw no errors on any device', () => {
    expect(team.errors).toEqual([]);
  });
});
