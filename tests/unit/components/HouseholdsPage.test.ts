import { describe, expect, it } from 'vitest';
import { useHouseholdsStore } from '@/stores/households';
import { eventually, profileInput, startAlone, useFreshStores } from '../stores/helpers';
import { mountAt } from './mount-app';

useFreshStores();

describe('my households page', () => {
  it('shows due state, tags and open requests, and filters as you type', async () => {
    await startAlone();
    const households = useHouseholdsStore();
    await households.register(profileInput());
    await households.register(profileInput({ headName: '李四', phone: '', tags: ['disabled'] }));
    const { wrapper } = await mountAt('/households');
    await eventually(() => expect(wrapper.findAll('.hh-card')).toHaveLength(2));
    expect(wrapper.text()).toContain('共 2 户');
    expect(wrapper.text()).toContain('孤寡老人');
    expect(wrapper.text()).toContain('今天到期');
    expect(wrapper.text()).toContain('还没走访过');
    await wrapper.find('#hh-search').setValue('ls');
    await eventually(() => expect(wrapper.findAll('.hh-card').map((c) => c.find('.hh-card__name').text())).toEqual(['李四']));
    expect(wrapper.text()).toContain('找到 1 户');
    wrapper.unmount();
  });

  it('sends a first-time device to the welcome screen', async () => {
    const { useIdentityStore } = await import('@/stores/identity');
    await useIdentityStore().load();
    const { createAppRouter } = await import('@/router');
    const router = createAppRouter();
    await router.push('/households/abc');
    expect(router.currentRoute.value.name).toBe('welcome');
  });
});
