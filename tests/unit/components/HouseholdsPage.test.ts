import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import { localRecords } from '@/db/instance';
import { setLocale } from '@/i18n';
import { useHouseholdListCache } from '@/stores/household-list-cache';
import { useHouseholdsStore } from '@/stores/households';
import { useIdentityStore } from '@/stores/identity';
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

  it('renders only the cards in view of a long list, each saying where it stands', async () => {
    await startAlone();
    const households = useHouseholdsStore();
    for (let i = 0; i < 40; i++) await households.register(profileInput({ headName: `户主${String(i).padStart(2, '0')}`, phone: '' }));
    const { wrapper } = await mountAt('/households');
    await eventually(() => expect(wrapper.text()).toContain('共 40 户'));
    const items = wrapper.findAll('.hh-list > li');
    expect(items.length).toBeGreaterThan(5);
    expect(items.length).toBeLessThan(40);
    expect(items[0]!.attributes()).toMatchObject({ 'aria-setsize': '40', 'aria-posinset': '1' });
    // The households out of view keep their space, so the scrollbar tells the truth.
    expect(wrapper.find('.hh-list').attributes('style')).toMatch(/padding-bottom: [1-9]\d+px/);
    // A search renders what matches, from the whole list.
    await wrapper.find('#hh-search').setValue('户主39');
    await eventually(() => expect(wrapper.findAll('.hh-card__name').map((c) => c.text())).toEqual(['户主39']));
    wrapper.unmount();
  });

  it('shows the first screen kept from the last start before the rows are read', async () => {
    await startAlone();
    const households = useHouseholdsStore();
    await households.register(profileInput());
    await households.register(profileInput({ headName: '李四', phone: '' }));
    const first = await mountAt('/households');
    await eventually(() => expect(first.wrapper.findAll('.hh-card')).toHaveLength(2));
    // Kept a moment after the list's top changed.
    await eventually(async () => expect(((await localRecords().db.settings.get('households.firstScreen'))?.value as { rows: unknown[] } | undefined)?.rows).toHaveLength(2), 3000);
    first.wrapper.unmount();
    // The app goes away (its stores stop following the database).
    useHouseholdsStore().unwatchRows();
    useHouseholdListCache().stop();

    // The next start: the rows are not read yet (nobody watches them), the kept screen shows.
    setActivePinia(createPinia());
    await useIdentityStore().load();
    const { wrapper } = await mountAt('/households');
    await eventually(() => expect(wrapper.findAll('.hh-card__name').map((c) => c.text()).sort()).toEqual(['张三', '李四'].sort()));
    expect(useHouseholdsStore().loaded).toBe(false);
    // Once the rows are read they replace it.
    useHouseholdsStore().watchRows();
    await eventually(() => expect(wrapper.text()).toContain('共 2 户'));
    wrapper.unmount();
  });

  it('opens a household from its card in the app, and leaves a modified click to the browser', async () => {
    await startAlone();
    const id = await useHouseholdsStore().register(profileInput());
    const { wrapper, router } = await mountAt('/households');
    await eventually(() => expect(wrapper.findAll('.hh-card')).toHaveLength(1));
    const card = wrapper.find('.hh-card');
    expect(card.attributes('href')).toBe(`/households/${id}`);
    await card.trigger('click', { ctrlKey: true });
    expect(router.currentRoute.value.name).toBe('households');
    await card.trigger('click');
    await eventually(() => expect(router.currentRoute.value.fullPath).toBe(`/households/${id}`));
    wrapper.unmount();
  });

  it('shows the labels of the language switched to', async () => {
    await startAlone();
    await useHouseholdsStore().register(profileInput());
    const { wrapper } = await mountAt('/households');
    await eventually(() => expect(wrapper.find('.hh-card').text()).toContain('孤寡老人'));
    await setLocale('en');
    await eventually(() => expect(wrapper.find('.hh-card').text()).not.toContain('孤寡老人'));
    expect(wrapper.find('.hh-card').text()).toMatch(/[A-Za-z]{3}/);
    await setLocale('zh-CN');
    await eventually(() => expect(wrapper.find('.hh-card').text()).toContain('孤寡老人'));
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
