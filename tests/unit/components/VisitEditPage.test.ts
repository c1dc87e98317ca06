import { describe, expect, it } from 'vitest';
import { useHouseholdsStore } from '@/stores/households';
import { useVisitsStore } from '@/stores/visits';
import { eventually, profileInput, startAlone, useFreshStores } from '../stores/helpers';
import { mountAt } from './mount-app';

useFreshStores();

const VISIT = '0190a000-0000-7000-8000-000000000001';

async function householdWithVisit(said: string): Promise<string> {
  await startAlone();
  const id = await useHouseholdsStore().register(profileInput());
  await useVisitsStore().logVisit(id, { id: VISIT, visit: { kind: 'home', visitedAt: '2026-03-02T01:30:00.000Z', observations: {}, said, notes: '', photos: [] }, needs: [] });
  return id;
}

describe('correcting a visit from the household file', { timeout: 30_000 }, () => {
  it('opens the visit from the timeline, saves the correction and shows it in the file’s history', async () => {
    const id = await householdWithVisit('屋顶漏雨');
    const { wrapper, router } = await mountAt(`/households/${id}`);
    await eventually(() => expect(wrapper.find('.timeline__edit').exists()).toBe(true));
    expect(wrapper.find('.timeline__said').text()).toBe('“屋顶漏雨”');
    await router.push(wrapper.find('.timeline__edit').attributes('href')!);
    await eventually(() => expect(wrapper.find('#said').exists()).toBe(true));
    expect((wrapper.find('#said').element as HTMLTextAreaElement).value).toBe('屋顶漏雨');
    await wrapper.find('#said').setValue('东屋屋顶漏雨');
    await wrapper.find('form').trigger('submit');
    await eventually(() => expect(router.currentRoute.value.name).toBe('household'));
    await eventually(() => expect(wrapper.find('.history__entry ins').exists()).toBe(true));
    const entry = wrapper.findAll('.history__entry').find((e) => e.text().includes('更正了'))!;
    expect(entry.find('del').text()).toBe('屋顶漏雨');
    expect(entry.find('ins').text()).toBe('东屋屋顶漏雨');
    expect(entry.text()).toContain('王建国');
    wrapper.unmount();
  });

  it('refuses a withdrawal without a reason next to the field, then withdraws with one', async () => {
    const id = await householdWithVisit('“家里都好”');
    const { wrapper, router } = await mountAt(`/households/${id}/visits/${VISIT}`);
    await eventually(() => expect(wrapper.find('#withdraw-reason').exists()).toBe(true));
    const withdraw = wrapper.findAll('button').find((b) => b.text() === '撤回这次走访')!;
    await withdraw.trigger('click');
    await eventually(() => expect(wrapper.find('#withdraw-reason-error').text()).toBe('必填'));
    expect(wrapper.find('#withdraw-reason').attributes('aria-invalid')).toBe('true');
    await wrapper.find('#withdraw-reason').setValue('记错了户');
    await withdraw.trigger('click');
    await eventually(() => expect(router.currentRoute.value.name).toBe('household'));
    await eventually(() => expect(wrapper.find('.timeline__withdrawn').text()).toContain('记错了户'));
    // What the member typed in quotes is not quoted again.
    expect(wrapper.find('.timeline__said').text()).toBe('“家里都好”');
    expect(useHouseholdsStore().byId.get(id)?.visitCount).toBe(0);
    wrapper.unmount();
  });
});

describe('two households with the same head’s name', { timeout: 30_000 }, () => {
  it('show their phones on the list so they can be told apart', async () => {
    await startAlone();
    const households = useHouseholdsStore();
    await households.register(profileInput({ headName: '张三', phone: '13800001111' }));
    await households.register(profileInput({ headName: '张三', phone: '' }));
    await households.register(profileInput({ headName: '李四', phone: '13900002222' }));
    const { wrapper } = await mountAt('/households');
    await eventually(() => expect(wrapper.findAll('.hh-card')).toHaveLength(3));
    const tells = wrapper.findAll('.hh-card').map((c) => [c.find('.hh-card__name').text(), c.find('.hh-card__tell').exists() ? c.find('.hh-card__tell').text() : '']);
    expect(tells.sort()).toEqual([['张三', '电话 13800001111'], ['张三', '未登记电话'], ['李四', '']].sort());
    wrapper.unmount();
  });
});
