import { mount } from '@vue/test-utils';
import { getActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import SyncStatusBar from '@/components/sync/SyncStatusBar.vue';
import { i18n, setLocale } from '@/i18n';
import { useSyncStore } from '@/stores/sync';
import { INITIAL_STATUS, type SyncStatus } from '@/sync/status';
import { useFreshStores } from '../stores/helpers';

useFreshStores();

async function bar(status: Partial<SyncStatus>, compact: boolean, locale: 'zh-CN' | 'zh-TW' | 'en' = 'zh-CN') {
  await setLocale(locale);
  const wrapper = mount(SyncStatusBar, { props: { compact }, global: { plugins: [getActivePinia()!, i18n] } });
  useSyncStore().status = { ...INITIAL_STATUS, ...status };
  await nextTick();
  return wrapper;
}

/** A lead who assigned a household offline: only the team doc waits to go up. */
const teamOnly: Partial<SyncStatus> = { state: 'offline', reason: 'network', teamUnsynced: true, pendingHouseholds: 0, teamRecords: { complete: true }, headline: 'pending_team', lastSyncedAt: new Date().toISOString() };

describe('SyncStatusBar', () => {
  it('a team change alone is named as such, never "0 households"', async () => {
    for (const [locale, line, zero] of [
      ['zh-CN', '团队设置的改动未上传', '0 户'],
      ['zh-TW', '團隊設定的改動未上傳', '0 戶'],
      ['en', 'Team changes (roster, assignments) not uploaded', '0 households'],
    ] as const) {
      for (const compact of [true, false]) {
        const w = await bar(teamOnly, compact, locale);
        expect(w.text()).toContain(line);
        expect(w.text()).not.toContain(zero);
        w.unmount();
      }
    }
  });

  it('before the engine reports, claims nothing: not offline, not never synced, not downloading, not all on the server', async () => {
    for (const compact of [true, false]) {
      const w = await bar({}, compact);
      const text = w.text();
      expect(text).toContain('正在读取同步状态');
      for (const claim of ['离线', '还没有同步过', '还没有下载完', '所有记录都已在服务器上']) expect(text).not.toContain(claim);
      w.unmount();
    }
  });
});
