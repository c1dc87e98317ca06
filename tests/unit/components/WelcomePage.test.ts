import { describe, expect, it } from 'vitest';
import { useIdentityStore } from '@/stores/identity';
import { useSettingsStore } from '@/stores/settings';
import { eventually, useFreshStores } from '../stores/helpers';
import { mountAt } from './mount-app';

useFreshStores();

describe('welcome page', () => {
  it('marks the missing name and does not start', async () => {
    await useIdentityStore().load();
    const { wrapper } = await mountAt('/welcome');
    await wrapper.find('#member-name').setValue('');
    const alone = wrapper.findAll('button').find((b) => b.text().includes('单独使用'))!;
    await alone.trigger('click');
    await eventually(() => expect(wrapper.find('#member-name-error').text()).toBe('必填'));
    expect(wrapper.find('#member-name').attributes('aria-invalid')).toBe('true');
    expect(useIdentityStore().identity).toBeUndefined();
    wrapper.unmount();
  });

  it('starts alone and opens my households', async () => {
    await useIdentityStore().load();
    const { wrapper, router } = await mountAt('/welcome?code=AB12');
    expect((wrapper.find('#invite-code').element as HTMLInputElement).value).toBe('AB12');
    await wrapper.find('#member-name').setValue('王建国');
    await wrapper.findAll('button').find((b) => b.text().includes('单独使用'))!.trigger('click');
    await eventually(() => expect(router.currentRoute.value.name).toBe('households'));
    expect(useIdentityStore().identity?.memberName).toBe('王建国');
    wrapper.unmount();
  });

  it('offers the language before anything is typed; the suggested device name follows it, a typed one stays', async () => {
    await useIdentityStore().load();
    const { wrapper } = await mountAt('/welcome');
    try {
      expect((wrapper.find('#device-name').element as HTMLInputElement).value).toBe('我的手机');
      await wrapper.find('#locale').setValue('en');
      await eventually(() => expect(wrapper.find('label[for=member-name]').text()).toBe('Your name'));
      expect((wrapper.find('#device-name').element as HTMLInputElement).value).toBe('My phone');
      expect(useSettingsStore().locale).toBe('en');
      await wrapper.find('#device-name').setValue('Old Nokia');
      await wrapper.find('#locale').setValue('zh-TW');
      await eventually(() => expect(wrapper.find('label[for=member-name]').text()).toBe('你的姓名'));
      expect((wrapper.find('#device-name').element as HTMLInputElement).value).toBe('Old Nokia');
    } finally {
      await useSettingsStore().changeLocale('zh-CN');
      wrapper.unmount();
    }
  });
});
