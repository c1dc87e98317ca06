import { afterEach, describe, expect, it } from 'vitest';
import { localRecords } from '@/db/instance';
import { putBlob } from '@/db/blobs';
import { saveIdentity } from '@/db/identity';
import { useIdentityStore } from '@/stores/identity';
import { eventually, startAlone, useFreshStores } from '../stores/helpers';
import { mountAt } from './mount-app';

useFreshStores();

function storage(usage: number, quota: number, persisted: boolean) {
  Object.defineProperty(navigator, 'storage', {
    configurable: true,
    value: { estimate: async () => ({ usage, quota }), persisted: async () => persisted, persist: async () => persisted },
  });
}
afterEach(() => {
  Reflect.deleteProperty(navigator, 'storage');
});

describe('settings page', () => {
  it('warns when storage is above 80 % and says persistence was not granted', async () => {
    storage(850 * 1024 * 1024, 1000 * 1024 * 1024, false);
    await startAlone();
    const { wrapper } = await mountAt('/settings');
    await eventually(() => expect(wrapper.text()).toContain('已用 850 MB / 共 1,000 MB（85%）'));
    expect(wrapper.find('[role="alert"]').text()).toContain('存储快满了');
    expect(wrapper.text()).toContain('浏览器没有承诺长期保存数据');
    expect(wrapper.text()).toContain('还没加入团队');
    wrapper.unmount();
  });

  it('says what the browser answered when asked to keep the data', async () => {
    storage(1024, 1000 * 1024 * 1024, false);
    await startAlone();
    const { wrapper } = await mountAt('/settings');
    const ask = () => wrapper.findAll('button').find((b) => b.text() === '申请长期保存')!;
    await eventually(() => expect(ask()).toBeDefined());
    await ask().trigger('click');
    await eventually(() => expect(wrapper.find('[role="status"].notice--warn').text()).toContain('浏览器回答：不同意'));
    storage(1024, 1000 * 1024 * 1024, true);
    Object.defineProperty(navigator, 'storage', { configurable: true, value: { ...navigator.storage, persisted: async () => false, persist: async () => true } });
    await ask().trigger('click');
    await eventually(() => expect(wrapper.text()).toContain('浏览器回答：同意长期保存'));
    wrapper.unmount();
  });

  it('counts what is not on the server yet, and follows it live', async () => {
    storage(1024, 1000 * 1024 * 1024, true);
    const identity = await startAlone();
    await saveIdentity(localRecords().db, { ...identity.identity!, teamId: 'team-1', teamName: '东山林场支部' });
    useIdentityStore().identity = { ...identity.identity!, teamId: 'team-1', teamName: '东山林场支部' };
    const db = localRecords().db;
    await db.docs.put({ name: 'team-1/household/h1', kind: 'household', householdId: 'h1', unsynced: 1, updatedAt: '' });
    await putBlob(db, { sha256: 'b'.repeat(64), mime: 'image/jpeg', size: 3, blob: new Blob(['abc']) });
    const { wrapper } = await mountAt('/settings');
    await eventually(() => expect(wrapper.text()).toContain('1 户档案未同步'));
    expect(wrapper.text()).toContain('1 张照片待上传');
    expect(wrapper.text()).toContain('已获准长期保存');
    await db.docs.update('team-1/household/h1', { unsynced: 0 });
    await db.blobs.update('b'.repeat(64), { uploaded: 1 });
    await eventually(() => {
      expect(wrapper.text()).toContain('档案都已同步');
      expect(wrapper.text()).toContain('照片都已上传');
    });
    wrapper.unmount();
  });
});
