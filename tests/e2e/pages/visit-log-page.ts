import type { Page } from 'playwright-core';

export class VisitLogPageModel {
  constructor(private readonly page: Page) {}

  async observe(aspect: string, level: string, note: string): Promise<void> {
    const group = this.page.getByRole('group', { name: aspect, exact: true });
    await group.getByRole('radio', { name: level }).check();
    await this.page.getByLabel(`${aspect}情况说明`).fill(note);
  }

  async said(text: string): Promise<void> {
    await this.page.locator('#said').fill(text);
  }

  async addNeed(category: string, description: string): Promise<void> {
    await this.page.getByRole('button', { name: /添加一项诉求/ }).click();
    const i = (await this.page.locator('.need-row').count()) - 1;
    await this.page.locator(`#need-cat-${i}`).selectOption({ label: category });
    await this.page.locator(`#need-desc-${i}`).fill(description);
  }

  /** Pick a photo through the gallery's file chooser and wait for its thumbnail. */
  async addPhoto(path: string): Promise<void> {
    const before = await this.page.locator('.thumbs__item').count();
    const chooser = this.page.waitForEvent('filechooser');
    await this.page.getByText('从相册选').click();
    await (await chooser).setFiles(path);
    await this.page.locator('.thumbs__item').nth(before).locator('img').waitFor();
  }

  async rate(level: string): Promise<void> {
    await this.page.getByRole('group', { name: '群众对这次走访的评价' }).getByRole('radio', { name: level, exact: true }).check();
  }

  async waitDraftSaved(): Promise<void> {
    await this.page.getByText('草稿已存到手机').waitFor();
  }

  async save(): Promise<void> {
    await this.page.getByRole('button', { name: '保存走访' }).click();
    await this.page.waitForURL(/\/households\/[0-9a-f-]{36}$/);
  }
}
