import { computed, type Ref } from 'vue';
import { useI18n } from 'vue-i18n';
import { assess, previousPeriod, type MemberAssessment, type Period } from '@/domain/assessment';
import { localDay } from '@/domain/local-day';
import { REQUEST_STATUSES } from '@/domain/request';
import { notableHouseholds, openProblems, periodFigures } from '@/domain/summary';
import { chartMonths, requestsByCategory, satisfactionPerMonth, visitsPerMonth } from '@/domain/team-stats';
import { useHouseholdsStore } from '@/stores/households';
import { useLeadRecordsStore } from '@/stores/lead-records';
import { useLeadTeamStore } from '@/stores/lead-team';
import { CHART_COLORS, type ChartSeries } from './chart';
import { useLeadFormat } from './useLeadFormat';

/**
 * Everything the assessment and summary pages show for a period, computed from the rows
 * in memory: per-member assessment (考核), team figures and the previous period's for
 * comparison, the chart series, notable households and open problems. `memberId` narrows
 * the charts to one member.
 */
export function useLeadFigures(period: Ref<Period>, today: Ref<string>, memberId?: Ref<string>) {
  const { t } = useI18n();
  const { monthLabel } = useLeadFormat();
  const households = useHouseholdsStore();
  const records = useLeadRecordsStore();
  const team = useLeadTeamStore();

  const input = computed(() => ({ households: households.rows, visits: records.visits, requests: records.requests, ratings: records.ratings, complaints: records.complaints }));

  const assessment = computed<MemberAssessment[]>(() => {
    const members = team.members;
    const p = period.value;
    const within = (day: string) => day >= p.from && day <= p.to;
    // assess() keeps only the period's visits, ratings and complaints itself; handing it just
    // those (by their local day, the same test) spares it most of its date conversions.
    const i = input.value;
    const rows = assess({
      members,
      households: i.households,
      visits: i.visits.filter((v) => within(v.visitedOn)),
      requests: i.requests,
      ratings: i.ratings.filter((r) => within(localDay(r.recordedAt))),
      complaints: i.complaints.filter((c) => within(localDay(c.recordedAt))),
      period: p,
      today: today.value,
    });
    const role = new Map(members.map((m) => [m.id, m.role]));
    // A lead with no households of their own and no visits has nothing to be assessed on.
    return rows.filter((r) => role.get(r.memberId) !== 'lead' || r.linkedHouseholds > 0 || r.visits > 0);
  });

  const figures = computed(() => periodFigures(input.value, period.value, today.value));
  const previous = computed(() => periodFigures(input.value, previousPeriod(period.value), today.value));
  const notable = computed(() => notableHouseholds(input.value, period.value, today.value));
  const problems = computed(() => openProblems(input.value, period.value, today.value));

  const months = computed(() => chartMonths(period.value));
  // Months without the year: the period is in the heading, and short labels need no turning.
  const monthLabels = computed(() => months.value.map((m) => monthLabel(m)));
  const member = () => memberId?.value || undefined;

  const visitsChart = computed<ChartSeries[]>(() => [
    { label: t('lead.charts.visits'), color: CHART_COLORS.visits, values: visitsPerMonth(records.visits, months.value, member()).map((m) => m.count) },
  ]);

  const requestsTable = computed(() => requestsByCategory(records.requests, period.value, member()));
  const requestsChart = computed(() => ({
    labels: requestsTable.value.map((r) => t(`field.categories.${r.category}`)),
    series: REQUEST_STATUSES.map((s) => ({ label: t(`field.statuses.${s}`), color: CHART_COLORS[s], values: requestsTable.value.map((r) => r.byStatus[s]) })),
  }));

  const satisfaction = computed(() => satisfactionPerMonth(records.ratings, months.value, member()));
  const satisfactionChart = computed<ChartSeries[]>(() => [{ label: t('lead.charts.satisfactionScore'), color: CHART_COLORS.score, values: satisfaction.value.map((m) => m.score ?? null) }]);
  const ratingsChart = computed<ChartSeries[]>(() => [
    { label: t('field.satisfaction.satisfied'), color: CHART_COLORS.satisfied, values: satisfaction.value.map((m) => m.satisfied) },
    { label: t('field.satisfaction.basically_satisfied'), color: CHART_COLORS.basically_satisfied, values: satisfaction.value.map((m) => m.basicallySatisfied) },
    { label: t('field.satisfaction.dissatisfied'), color: CHART_COLORS.dissatisfied, values: satisfaction.value.map((m) => m.dissatisfied) },
  ]);

  return { assessment, figures, previous, notable, problems, monthLabels, visitsChart, requestsTable, requestsChart, satisfactionChart, ratingsChart };
}
