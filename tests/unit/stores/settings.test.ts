import { describe, expect, it } from 'vitest';
import { watch } from 'vue';
import { i18n } from '@/i18n';
import { localRecords } from '@/db/instance';
import { useSettingsStore } from '@/stores/settings';
import { useFreshStores } from './helpers';

useFreshStores();

describe('settings store: language', () => {
  it('saves a chosen language before the screen shows it, so a reload right after keeps it', async () => {
    const settings = useSettingsStore();
    const savedWhenShown: unknown[] = [];
    // Read at the very moment the language changes (a read started then sees only writes before it).
    const reads: Promise<unknown>[] = [];
    const stop = watch(i18n.global.locale, () => reads.push(localRecords().db.settings.get('locale').then((r) => r?.value)), { flush: 'sync' });
    try {
      await settings.changeLocale('zh-TW');
      savedWhenShown.push(...(await Promise.all(reads)));
      expect(savedWhenShown).toEqual(['zh-TW']);
      expect(settings.locale).toBe('zh-TW');

      // The next start reads the saved choice.
      await settings.changeLocale('en');
      const next = useSettingsStore();
      await next.loadLocale();
      expect(next.locale).toBe('en');
    } finally {
      stop();
      await settings.changeLocale('zh-CN');
    }
  });
});
