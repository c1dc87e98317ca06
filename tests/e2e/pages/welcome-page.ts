import type { Page } from 'playwright-core';

/** First run: who you are, then join with an invite code or start alone. */
export class WelcomePageModel {
  constructor(private readonly page: Page) {}

  async fillNames(memberName: string, deviceName = '测试手机'): Promise<void> {
    await this.page.locator('#member-name').fill(memberName);
    await this.page.locator('#device-name').fill(deviceName);
  }

  async join(code: string): Promise<void> {
    await this.page.locator('#invite-code').fill(code);
    await this.page.getByRole('button', { name: '加入团队' }).click();
    await this.page.waitForURL('**/households');
  }

  async startAlone(): Promise<void> {
    await this.page.getByRole('button', { name: '先在这台手机上单独使用' }).click();
    await this.page.waitForURL('**/households');
  }
}
