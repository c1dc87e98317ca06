import type { Page } from 'playwright-core';

export class SettingsPageModel {
  constructor(private readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.getByRole('navigation').getByRole('link', { name: /设置|設定|Settings/ }).click();
    await this.page.locator('#locale').waitFor();
  }

  async chooseLanguage(locale: 'zh-CN' | 'zh-TW' | 'en'): Promise<void> {
    await this.page.locator('#locale').selectOption(locale);
  }
}
