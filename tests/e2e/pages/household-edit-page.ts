import type { Page } from 'playwright-core';

export interface HouseholdFields {
  headName: string;
  phone?: string;
  area: string;
  village?: string;
  house?: string;
  tags?: string[];
}

export class HouseholdEditPageModel {
  constructor(private readonly page: Page) {}

  async fill(f: HouseholdFields): Promise<void> {
    const p = this.page;
    await p.locator('#head-name').fill(f.headName);
    if (f.phone) await p.locator('#phone').fill(f.phone);
    await p.locator('#area').fill(f.area);
    if (f.village) await p.locator('#village').fill(f.village);
    if (f.house) await p.locator('#house').fill(f.house);
    for (const tag of f.tags ?? []) await p.getByRole('checkbox', { name: tag }).check();
  }

  /** Save and land on the new household's file. */
  async save(): Promise<string> {
    await this.page.getByRole('button', { name: '保存', exact: true }).click();
    await this.page.waitForURL(/\/households\/[0-9a-f-]{36}$/);
    return this.page.url().split('/').pop()!;
  }
}
