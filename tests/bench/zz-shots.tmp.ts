// Temporary (not committed): screenshots of the first sync at 360 px, zh-CN.
import { generateTeam } from './generate';
import { BENCH_DIST } from './support/app';
import { cdp, launchDevice, throttleCpu, waitForServiceWorker, waitForState } from './support/browser';
import { Link, SLOW_LINK } from './support/link';
import { createInvites, removeDir, seedOf, seedTeams, startRelayProcess, tempDir } from './support/relay';

const out = process.argv[2]!;
const team = generateTeam({ members: 12, households: 800, visits: 4000, requests: 800 }, 7);
const dataDir = tempDir('lianhu-shots-');
seedTeams(dataDir, [seedOf(team)]);
const [code] = createInvites(dataDir, team.teamId, [{ role: 'lead', memberId: team.leadId }]);
const relay = await startRelayProcess(dataDir, BENCH_DIST);
const link = await new Link({ host: relay.host, port: relay.port }).start();
const profile = tempDir('lianhu-shots-profile-');
const { context, page } = await launchDevice(profile);
try {
  await page.goto(`${link.url}/welcome`);
  await page.locator('#member-name').waitFor();
  await waitForServiceWorker(page);
  await page.locator('#member-name').fill('赵书记');
  await page.locator('#device-name').fill('支部手机');
  await page.locator('#invite-code').fill(code!);
  link.shape(SLOW_LINK);
  await throttleCpu(await cdp(context, page), 4);
  await page.getByRole('button', { name: '加入团队' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/welcome'), { timeout: 60_000 });
  await page.getByText(/正在下载全队记录 \d/).first().waitFor({ timeout: 120_000 });
  await page.screenshot({ path: `${out}/1-first-sync-${new URL(page.url()).pathname.replace(/\//g, '_')}.png` });
  await page.goto(`${link.url}/lead`);
  await page.locator('.lead-incomplete').waitFor({ timeout: 60_000 });
  await page.waitForTimeout(1500);
  await page.screenshot({ path: `${out}/2-lead-overview-during-sync.png`, fullPage: true });
  await page.goto(`${link.url}/settings`);
  await page.locator('.syncbar__team').first().waitFor({ timeout: 60_000 });
  await page.screenshot({ path: `${out}/3-settings-during-sync.png`, fullPage: true });
  link.shape(undefined);
  await throttleCpu(await cdp(context, page), 1);
  await waitForState(page, (s) => s.households >= 800 && s.pending === 0 && !s.downloading && s.since !== undefined, { timeoutMs: 600_000, what: 'sync' });
  await page.goto(`${link.url}/lead`);
  await page.locator('.lead-stat__value').first().waitFor({ timeout: 120_000 });
  await page.locator('.lead-incomplete').waitFor({ state: 'detached', timeout: 120_000 });
  await page.waitForTimeout(1000);
  await page.screenshot({ path: `${out}/4-lead-overview-synced.png`, fullPage: true });
  await page.goto(`${link.url}/lead/assessment`);
  await page.locator('.lead-assessment tbody tr').first().waitFor({ timeout: 60_000 });
  await page.waitForTimeout(1500);
  await page.screenshot({ path: `${out}/5-lead-assessment.png` });
  await page.goto(`${link.url}/households`);
  await page.locator('.hh-card').first().waitFor({ timeout: 60_000 });
  await page.screenshot({ path: `${out}/6-households.png` });
} finally {
  await context.close();
  await link.close();
  await relay.stop();
  removeDir(profile);
  removeDir(dataDir);
}
