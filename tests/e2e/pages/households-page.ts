import type { Page } from 'playwright-core';

export class HouseholdsPageModel {
  constructor(private readonly page: Page) {}

  cards() {
    return this.page.locator('.hh-card');
  }

  async search(q: string): Promise<void> {
    await this.page.locator('#hh-search').fill(q);
  }

  async openRegister(): Promise<void> {
    await this.page.getByRole('link', { name: /登记新户/ }).click();
    await this.page.locator('#head-name').waitFor();
  }

  async open(name: string): Promise<void> {
    await this.cards().filter({ hasText: name }).first().click();
    await this.page.waitForURL(/\/households\/[0-9a-f-]{36}$/);
  }
}
