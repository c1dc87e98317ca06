import type { Page } from 'playwright-core';

export class HouseholdFilePageModel {
  constructor(private readonly page: Page) {}

  heading() {
    return this.page.locator('h1');
  }

  timeline() {
    return this.page.locator('.timeline');
  }

  async logVisit(): Promise<void> {
    await this.page.getByRole('link', { name: '记录走访' }).click();
    await this.page.locator('#said').waitFor();
  }

  /** Thumbnails that really decoded (not just an <img> with a dead URL). */
  async loadedThumbnails(): Promise<number> {
    return this.page.locator('.thumb img').evaluateAll((imgs) => imgs.filter((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0).length);
  }
}
