import { mount } from '@vue/test-utils';
import { getActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import LeadAssessmentTable from '@/components/lead/LeadAssessmentTable.vue';
import { periodContaining } from '@/domain/assessment';
import { periodFigures } from '@/domain/summary';
import { teamAssessment } from '@/domain/lead-figures';
import { i18n, loadLeadMessages, setLocale } from '@/i18n';
import { useFreshStores } from '../stores/helpers';
import { buildTeam, members, TODAY } from '../domain/fixtures/back-dated-team';

useFreshStores();

// 王芳 links h1, h2; 李强 links h2, h3, h4, h5 (h2 shared); v2 at h2 was made by both.
const { rows } = buildTeam();
const period = periodContaining('half', '2026-10-01');

describe('the assessment table’s 合计 row', () => {
  it('counts the shared household and the joint visit once, and says so', async () => {
    await setLocale('zh-CN');
    await loadLeadMessages();
    const assessment = teamAssessment(rows, { period, today: TODAY, members });
    const wrapper = mount(LeadAssessmentTable, { props: { rows: assessment, caption: '考核' }, global: { plugins: [getActivePinia()!, i18n] } });
    const cells = (tr: ReturnType<typeof wrapper.find>) => tr.findAll('th, td').map((c) => c.text());
    const body = wrapper.findAll('tbody tr').map((tr) => cells(tr).slice(1, 6));
    // per member: linked, visited, coverage, overdue households, visits
    expect(body).toEqual([['2', '2', '100%', '2', '2'], ['4', '3', '75%', '2', '3']]);
    // the team: 5 households (not 2 + 4), 4 visited (not 5), 80 % (not 83 %), 3 overdue (not 4), 4 visits (not 5)
    expect(cells(wrapper.find('tfoot tr')).slice(1, 6)).toEqual(['5', '4', '80%', '3', '4']);
    // … the same as the team's figures for the period (the overview and the summary's table)
    const f = periodFigures(rows, period, TODAY);
    expect([f.householdsLinked, f.householdsVisited, f.visits]).toEqual([5, 4, 4]);
    expect(wrapper.find('tfoot th').attributes('title')).toContain('只计一次');
    expect(wrapper.find('.lead-assessment__note').text()).toContain('两名成员共同联系的户');
    wrapper.unmount();
  });
});
