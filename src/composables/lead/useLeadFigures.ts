import { computed, nextTick, shallowRef, watch, type Ref } from 'vue';
import { useI18n } from 'vue-i18n';
import type { Period } from '@/domain/assessment';
import { leadFigures, type LeadFigures } from '@/domain/lead-figures';
import { REQUEST_STATUSES } from '@/domain/request';
import { useLeadFiguresStore } from '@/stores/lead-figures';
import { useLeadTeamStore } from '@/stores/lead-team';
import { CHART_COLORS, type ChartSeries } from './chart';
import { useLeadFormat } from './useLeadFormat';

const NO_ROWS = { households: [], visits: [], requests: [], ratings: [], complaints: [] };

/**
 * Everything the assessment and summary pages show for a period — per-member assessment
 * (考核), team figures and the previous period's, the chart series, notable households and
 * open problems — computed in the lead-figures worker (src/domain/lead-figures.ts) and
 * asked again when the period, the member, the roster or the rows change. Until the first
 * answer `ready` is false and the figures are those of no rows. `memberId` narrows the charts.
 */
export function useLeadFigures(period: Ref<Period>, today: Ref<string>, memberId?: Ref<string>) {
  const { t } = useI18n();
  const { monthLabel } = useLeadFormat();
  const team = useLeadTeamStore();
  const store = useLeadFiguresStore();
  store.start();

  const query = () => ({ period: period.value, today: today.value, members: team.members, memberId: memberId?.value || undefined });
  const result = shallowRef<LeadFigures>(leadFigures(NO_ROWS, query()));
  const ready = shallowRef(false);
  /**
   * The question (period, day, member, roster) the figures shown answer; not the rows'
   * version: rows arriving during a download update figures in place. The whole roster (a
   * renamed member's rows carry the new name), by value: the team doc read after a cold
   * start's first answer (asked with the remembered roster) asks nothing again when equal.
   */
  const questionOf = () => JSON.stringify([period.value, today.value, memberId?.value ?? '', team.members]);
  const answered = shallowRef('');
  const failed = shallowRef(false);
  let asked = 0;
  watch(
    [questionOf, () => store.version],
    async () => {
      const mine = ++asked;
      const question = questionOf();
      if (mine === 1) performance.mark('lianhu:lead-figures-asked');
      try {
        const value = await store.figures(query());
        if (mine !== asked) return;
        result.value = value;
        answered.value = question;
        failed.value = false;
        if (!ready.value) {
          ready.value = true;
          // The lead pages have their figures from here (benchmarks time the assessment page by it).
          performance.clearMarks('lianhu:lead-figures-ready');
          performance.mark('lianhu:lead-figures-ready');
        }
        // Every answer on screen (benchmarks time a change of period by it).
        void nextTick(() => {
          performance.clearMarks('lianhu:lead-figures-shown');
          performance.mark('lianhu:lead-figures-shown');
        });
      } catch (err) {
        if (mine !== asked) return;
        console.warn('lead: figures failed', err);
        failed.value = true;
      }
    },
    { immediate: true },
  );

  /**
   * Whether the figures shown answer the question asked now: false before the first answer
   * and, after a change of period or member, until its answer (the page shows "loading"
   * rather than the last period's figures, or none, under the new heading, and never prints them).
   */
  const current = computed(() => ready.value && answered.value === questionOf());

  const r = () => result.value;
  const assessment = computed(() => r().assessment);
  const figures = computed(() => r().figures);
  const previous = computed(() => r().previous);
  const notable = computed(() => r().notable);
  const problems = computed(() => r().problems);
  // Months without the year: the period is in the heading, and short labels need no turning.
  const monthLabels = computed(() => r().months.map((m) => monthLabel(m)));
  const visitsChart = computed<ChartSeries[]>(() => [{ label: t('lead.charts.visits'), color: CHART_COLORS.visits, values: r().visitsPerMonth }]);
  const requestsTable = computed(() => r().requestsTable);
  const requestsChart = computed(() => ({
    labels: requestsTable.value.map((row) => t(`field.categories.${row.category}`)),
    series: REQUEST_STATUSES.map((s) => ({ label: t(`field.statuses.${s}`), color: CHART_COLORS[s], values: requestsTable.value.map((row) => row.byStatus[s]) })),
  }));
  const satisfaction = computed(() => r().satisfaction);
  const satisfactionChart = computed<ChartSeries[]>(() => [{ label: t('lead.charts.satisfactionScore'), color: CHART_COLORS.score, values: satisfaction.value.map((m) => m.score ?? null) }]);
  const ratingsChart = computed<ChartSeries[]>(() => [
    { label: t('field.satisfaction.satisfied'), color: CHART_COLORS.satisfied, values: satisfaction.value.map((m) => m.satisfied) },
    { label: t('field.satisfaction.basically_satisfied'), color: CHART_COLORS.basically_satisfied, values: satisfaction.value.map((m) => m.basicallySatisfied) },
    { label: t('field.satisfaction.dissatisfied'), color: CHART_COLORS.dissatisfied, values: satisfaction.value.map((m) => m.dissatisfied) },
  ]);

  return { ready, current, failed, assessment, figures, previous, notable, problems, monthLabels, visitsChart, requestsTable, requestsChart, satisfactionChart, ratingsChart };
}
