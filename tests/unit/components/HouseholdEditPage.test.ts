import { describe, expect, it } from 'vitest';
import { useHouseholdsStore } from '@/stores/households';
import { eventually, profileInput, startAlone, useFreshStores } from '../stores/helpers';
import { mountAt } from './mount-app';

useFreshStores();

describe('register a household', () => {
  it('warns while typing that the same household may be on file, and still saves', async () => {
    await startAlone();
    const households = useHouseholdsStore();
    await households.register(profileInput());
    await eventually(() => expect(households.rows).toHaveLength(1));
    const { wrapper, router } = await mountAt('/households/new');
    await eventually(() => expect(wrapper.find('#head-name').exists()).toBe(true));
    await wrapper.find('#head-name').setValue('章三');
    await wrapper.find('#phone').setValue('138 0000 1234');
    await wrapper.find('#area').setValue('东山林场');
    await eventually(() => expect(wrapper.find('#duplicates').text()).toContain('张三'), 3000);
    expect(wrapper.find('#duplicates').text()).toContain('户主姓名同音');
    expect(wrapper.find('#duplicates').text()).toContain('电话相同');
    expect(wrapper.text()).toContain('可能重复登记：1 户相似');

    await wrapper.find('form').trigger('submit');
    await eventually(() => expect(router.currentRoute.value.name).toBe('household'));
    await eventually(() => expect(households.rows).toHaveLength(2));
    wrapper.unmount();
  });
});
