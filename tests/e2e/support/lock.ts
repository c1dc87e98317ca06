import type { Page } from 'playwright-core';

/** The PIN e2e leads set when the lead workspace asks for one (ADR 0029: leads must have a PIN). */
export const LEAD_PIN = '246813';

/**
 * After a page load: unlock with `pin` when the app starts locked, and set `LEAD_PIN` when a
 * lead page asked for a PIN first (the page then goes on to where it was opened). Returns
 * the PIN the device has now (undefined: none).
 */
export async function throughLock(page: Page, pin: string | undefined, timeout?: number): Promise<string | undefined> {
  const lock = page.locator('[data-test=lock-screen]');
  await lock.or(page.locator('main#main')).first().waitFor(timeout ? { timeout } : {});
  if (pin && (await lock.isVisible())) {
    await page.locator('#lock-pin').fill(pin);
    await page.locator('#lock-pin').press('Enter');
    // PBKDF2's 600,000 rounds share this 2-core machine with a lead page's figures worker.
    await page
      .locator('main#main')
      .waitFor({ timeout: 90_000 })
      .catch(async (err: unknown) => {
        // Say what the lock screen said (a wait, a wrong PIN) rather than only "timed out".
        throw new Error(`still locked at ${page.url()}: "${await lock.innerText().catch(() => '')}" attempts=${await page.evaluate(() => localStorage.getItem('lianhu.lock.attempts'))}`, { cause: err });
      });
  }
  const url = new URL(page.url());
  if (url.pathname === '/settings/lock' && url.searchParams.get('required') === 'lead') {
    await page.locator('#pin-new').fill(LEAD_PIN);
    await page.locator('#pin-again').fill(LEAD_PIN);
    await page.locator('#pin-new').press('Enter');
    await page.waitForURL((u) => u.pathname !== '/settings/lock');
    return LEAD_PIN;
  }
  return pin;
}
