/* eslint-disable vue/one-component-per-file -- tiny test harness components */
import { flushPromises, mount } from '@vue/test-utils';
import { getActivePinia } from 'pinia';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineComponent, h } from 'vue';
import { createMemoryHistory, createRouter, RouterView } from 'vue-router';
import LeadChart from '@/components/lead/LeadChart.vue';
import { useMergedRedirect } from '@/composables/useMergedRedirect';
import { localRecords } from '@/db/instance';
import { addRating } from '@/docs/household-doc';
import { householdDocName } from '@/docs/schema';
import { i18n, setLocale } from '@/i18n';
import { useLeadFiguresStore } from '@/stores/lead-figures';
import { useLeadRecordsStore } from '@/stores/lead-records';
import { useSyncStore } from '@/stores/sync';
import { INITIAL_STATUS } from '@/sync/status';
import { useLeadTeamStore } from '@/stores/lead-team';
import { mountAt } from '../components/mount-app';
import { eventually, useFreshStores } from '../stores/helpers';
import { household, LEAD, LI, startTeam, TEAM, WANG } from './helpers';
import { visitRow } from '../helpers/rows';

useFreshStores();
afterEach(() => {
  useLeadRecordsStore().stop();
  useLeadFiguresStore().stop();
});

describe('lead pages', () => {
  it('are for leads: a member opening /lead lands on their households', async () => {
    await startTeam('member');
    const { wrapper, router } = await mountAt('/lead/review');
    expect(router.currentRoute.value.name).toBe('households');
    wrapper.unmount();
  });

  it('overview counts what waits for the lead', async () => {
    await startTeam();
    await household('h1', {}, { linked: [WANG] });
    // Registered by the lead: nobody's until assigned (a member's registration would be theirs).
    await household('h2', { headName: '李四', phone: '' }, { by: LEAD });
    const { wrapper } = await mountAt('/lead');
    await eventually(() => expect(wrapper.find('.lead-stats').text()).toContain('无人联系的户1'));
    // Counts over the visits come from the lead-figures worker, a moment later.
    await eventually(() => expect(wrapper.text()).toContain('待讲评的走访2'));
    expect(wrapper.text()).toContain('走访记录2');
    wrapper.unmount();
  });

  it('assessment: figures come from the worker, and say they are partial until the team is all here', async () => {
    await startTeam();
    await household('h1', {}, { linked: [WANG], visitAt: new Date().toISOString() });
    await household('h2', { headName: '李四', phone: '' }, { linked: [WANG], by: LI });
    const { wrapper } = await mountAt('/lead/assessment');
    // 王芳: two linked households, one visit of hers this period.
    const linkedTotal = () => wrapper.find('.lead-assessment tfoot td:nth-child(2)').text();
    await eventually(() => expect(linkedTotal()).toBe('2'));
    const wang = wrapper.findAll('.lead-assessment tbody tr').find((tr) => tr.text().includes('王芳'))!;
    expect(wang.findAll('td').map((td) => td.text()).slice(0, 2)).toEqual(['2', '1']);
    // This device never finished a first sync: the page says its figures are partial.
    expect(wrapper.find('.lead-incomplete').text()).toContain('全队记录还没有下载完');
    useSyncStore().status = { ...INITIAL_STATUS, teamRecords: { complete: false, done: 700, total: 2000 } };
    await eventually(() => expect(wrapper.find('.lead-incomplete').text()).toContain('700 / 2,000'));
    useSyncStore().status = { ...INITIAL_STATUS, state: 'synced', teamRecords: { complete: true }, headline: 'all_on_server' };
    await eventually(() => expect(wrapper.find('.lead-incomplete').exists()).toBe(false));
    // A new visit reaches the figures without reloading the page.
    await household('h3', { headName: '赵六', phone: '' }, { linked: [WANG], visitAt: new Date().toISOString() });
    await eventually(() => expect(linkedTotal()).toBe('3'), 4000);
    wrapper.unmount();
  });

  it('summary: says it is working out a period’s figures until they are here — never "群众评价 0 次" — and prints only then', async () => {
    await startTeam();
    const now = new Date().toISOString();
    await household('h1', {}, { linked: [WANG], visitAt: now });
    await localRecords().commit(householdDocName(TEAM, 'h1'), (doc) =>
      addRating(doc, { id: 'r1', subjectKind: 'visit', subjectId: 'v-h1', memberId: WANG, level: 'satisfied', comment: '', recordedAt: now, recordedBy: WANG }),
    );
    // The worker's answers wait until the test lets them through (a 2,000-household team takes seconds).
    const store = useLeadFiguresStore();
    const answer = store.figures.bind(store);
    let release: () => void = () => undefined;
    const hold = () => new Promise<void>((r) => (release = r));
    let held = hold();
    vi.spyOn(store, 'figures').mockImplementation(async (q) => {
      await held;
      return answer(q);
    });
    const { wrapper } = await mountAt('/lead/summary/half');
    const printButton = () => wrapper.find('.lead-report__print');
    await eventually(() => expect(wrapper.find('.lead-report__computing').text()).toContain('正在计算'));
    expect(wrapper.text()).not.toContain('群众评价 0 次');
    expect(wrapper.find('.lead-report__section').exists()).toBe(false);
    expect(printButton().attributes('disabled')).toBeDefined();
    release();
    await eventually(() => expect(wrapper.text()).toContain('本期共收集群众评价 1 次'));
    expect(wrapper.find('.lead-report__computing').exists()).toBe(false);
    expect(printButton().attributes('disabled')).toBeUndefined();
    // Another period: its heading at once, the last period's figures gone until its own are here.
    held = hold();
    const which = wrapper.find('#sum-period-which');
    await which.setValue(which.findAll('option')[1]!.element.value);
    await eventually(() => expect(wrapper.find('.lead-report__computing').exists()).toBe(true));
    expect(wrapper.text()).not.toContain('本期共收集群众评价 1 次');
    expect(printButton().attributes('disabled')).toBeDefined();
    release();
    await eventually(() => expect(wrapper.text()).toContain('本期共收集群众评价 0 次')); // the half before had none: now it is an answer
    wrapper.unmount();
  });

  it('review feed: marking a visit reviewed takes it off the unreviewed list', async () => {
    await startTeam();
    await household('h1');
    const { wrapper } = await mountAt('/lead/review');
    await eventually(() => expect(wrapper.findAll('.lead-visit')).toHaveLength(1));
    expect(wrapper.find('.lead-visit').text()).toContain('h1 说家里都好');
    const reviewed = wrapper.findAll('.lead-visit button').find((b) => b.text() === '已阅')!;
    await reviewed.trigger('click');
    await eventually(async () => expect((await visitRow(localRecords().db, 'v-h1'))!.reviewStatus).toBe('reviewed'));
    await eventually(() => expect(wrapper.findAll('.lead-visit')).toHaveLength(0), 4000);
    wrapper.unmount();
  });

  it('assignment page: filter unassigned, select all shown, hand them to a member', async () => {
    await startTeam();
    await household('h1', {}, { linked: [WANG] });
    await household('h2', { headName: '李四', phone: '' }, { by: LEAD });
    await household('h3', { headName: '王五', phone: '' }, { by: LEAD });
    const { wrapper } = await mountAt('/lead/assign?linked=none');
    await eventually(() => expect(wrapper.findAll('.lead-pick')).toHaveLength(2));
    await wrapper.findAll('.lead-assign__bulk button')[0]!.trigger('click');
    await wrapper.find('#as-member').setValue(LI);
    await wrapper.findAll('.lead-assign__bulk .btn--primary')[0]!.trigger('click');
    await eventually(async () => expect((await localRecords().db.households.get('h3'))!.linkedMemberIds).toEqual([LI]));
    expect((await localRecords().db.households.get('h1'))!.linkedMemberIds).toEqual([WANG]);
    await eventually(() => expect(wrapper.text()).toContain('已把 2 户交给李强。'));
    wrapper.unmount();
  });

  it('assignment page: a household linked offline to a member who had meanwhile left is unassigned and says whom it was meant for', async () => {
    const Y = await import('yjs');
    const { teamDocName } = await import('@/docs/schema');
    const { linkMembers } = await import('@/docs/team-doc');
    await startTeam();
    await household('h1', {}, { linked: [WANG] });
    await household('h2', { headName: '李四', phone: '' }, { by: LEAD });
    const live = await localRecords().doc(teamDocName(TEAM));
    // Another lead device, offline: it links h2 to 王芳 while this one records her leaving.
    const other = new Y.Doc();
    Y.applyUpdate(other, Y.encodeStateAsUpdate(live));
    const before = Y.encodeStateVector(other);
    linkMembers(other, 'h2', [WANG], { memberId: 'lead2', now: new Date().toISOString() });
    await useLeadTeamStore().leave(WANG, LI, await localRecords().db.households.toArray());
    Y.applyUpdate(live, Y.encodeStateAsUpdate(other, before));
    await eventually(async () => expect((await localRecords().db.households.get('h2'))!.linkedMemberIds).toEqual([]));
    const { wrapper } = await mountAt('/lead/assign?linked=none');
    await eventually(() => expect(wrapper.findAll('.lead-pick')).toHaveLength(1));
    expect(wrapper.find('.lead-pick').text()).toContain('李四');
    expect(wrapper.find('.lead-pick__left').text()).toBe('无人联系：原分给王芳，已离开团队');
    setLocale('en');
    await eventually(() => expect(wrapper.find('.lead-pick__left').text()).toBe('Nobody: assigned to 王芳, who had left'));
    setLocale('zh-CN');
    wrapper.unmount();
  });

  it('requests board puts the overdue request first and shows its age', async () => {
    await startTeam();
    await household('h1');
    const { wrapper } = await mountAt('/lead/requests');
    await eventually(() => expect(wrapper.findAll('.lead-request')).toHaveLength(1));
    const card = wrapper.find('.lead-request');
    // raised 2026-03-01, due 15 days later by the team default
    expect(card.text()).toContain('期限 2026-03-16');
    expect(card.text()).toMatch(/逾期 \d+ 天/);
    wrapper.unmount();
  });
});

describe('links to a merged household', () => {
  it('redirect to the file it was merged into', async () => {
    await startTeam();
    await household('h1');
    await household('h2', { headName: '章三' });
    await useLeadTeamStore().merge('h2', 'h1');
    await localRecords().projector.settled();
    await setLocale('zh-CN');
    const Page = defineComponent({
      props: { id: { type: String, required: true } },
      setup(props) {
        useMergedRedirect(() => props.id);
        return () => h('p', props.id);
      },
    });
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/households/:id/visit', name: 'visit-new', component: Page, props: true }] });
    await router.push('/households/h2/visit?from=list');
    const wrapper = mount(defineComponent({ render: () => h(RouterView) }), { global: { plugins: [getActivePinia()!, i18n, router] } });
    await eventually(() => expect(router.currentRoute.value.fullPath).toBe('/households/h1/visit?from=list'));
    await flushPromises();
    expect(wrapper.text()).toBe('h1');
    wrapper.unmount();
  });
});

describe('lead chart', () => {
  it('draws a bar per month with its value, and a table with the same numbers', async () => {
    await setLocale('zh-CN');
    const wrapper = mount(LeadChart, {
      props: { title: '每月走访次数', type: 'bars', labels: ['1月', '2月', '3月'], series: [{ label: '走访', color: '#1a5fb4', values: [3, 0, 7] }] },
      global: { plugins: [i18n] },
    });
    expect(wrapper.findAll('rect')).toHaveLength(2);
    expect(wrapper.findAll('.lead-chart__values text').map((t) => t.text())).toEqual(['3', '7']);
    expect(wrapper.find('svg').attributes('aria-label')).toBe('每月走访次数: 1月 3、2月 0、3月 7');
    expect(wrapper.findAll('tbody tr').map((r) => r.text())).toEqual(['1月3', '2月0', '3月7']);
    wrapper.unmount();
  });
});
