import { holdersIn } from './assignment';
import { assess, previousPeriod, type MemberAssessment, type Period } from './assessment';
import { localDay } from './local-day';
import { ratedAt } from './event-time';
import type { ComplaintRow, HouseholdRow, RatingRow, RequestRow, VisitRow } from './projection';
import { boardStats, type BoardStats } from './request-board';
import { dueDatesOn } from './due-as-of';
import { asOfDate, notableHouseholds, openProblems, periodFigures, type NotableHousehold, type OpenProblems, type PeriodFigures } from './summary';
import type { TeamMember } from './team';
import { chartMonths, requestsByCategory, satisfactionPerMonth, visitsPerMonth, type CategoryStatusCounts, type MonthSatisfaction } from './team-stats';

/**
 * Everything the lead's assessment and summary pages and the overview show, computed in one
 * place from the projection rows — in a worker (src/workers/lead-figures.worker.ts), so the
 * page never holds or scans 20,000 rows. Pure: the screen and the printed summary agree.
 */

export interface LeadRows {
  households: readonly HouseholdRow[];
  visits: readonly VisitRow[];
  requests: readonly RequestRow[];
  ratings: readonly RatingRow[];
  complaints: readonly ComplaintRow[];
}

export interface FiguresQuery {
  period: Period;
  today: string;
  members: TeamMember[];
  /** narrows the charts to one member */
  memberId?: string;
}

export interface LeadFigures {
  assessment: MemberAssessment[];
  figures: PeriodFigures;
  previous: PeriodFigures;
  notable: NotableHousehold[];
  problems: OpenProblems;
  /** `YYYY-MM` of the chart months */
  months: string[];
  visitsPerMonth: number[];
  requestsTable: CategoryStatusCounts[];
  satisfaction: MonthSatisfaction[];
}

export interface LeadOverview {
  visits: number;
  unreviewed: number;
  needsCorrection: number;
  requests: BoardStats;
}

/** Per-member assessment for the period, without leads who have nothing to be assessed on. */
export function teamAssessment(rows: LeadRows, q: FiguresQuery): MemberAssessment[] {
  const p = q.period;
  const within = (day: string) => day >= p.from && day <= p.to;
  // assess() looks at each member's own rows only (households linked to them, visits they
  // made, requests they own, ratings of them, complaints about them): handing it each
  // member's rows, grouped in one pass, gives the same rows as it scanning every row once per
  // member. It keeps only the period's visits, ratings and complaints itself; handing it just
  // those (by their local day, the same test) spares it most of its date conversions.
  const mine = new Map(q.members.map((m) => [m.id, { households: [] as HouseholdRow[], visits: [] as VisitRow[], requests: [] as RequestRow[], ratings: [] as RatingRow[], complaints: [] as ComplaintRow[] }]));
  const each = <T>(ids: Iterable<string>, row: T, pick: (g: NonNullable<ReturnType<typeof mine.get>>) => T[]) => {
    for (const id of new Set(ids)) {
      const g = mine.get(id);
      if (g) pick(g).push(row);
    }
  };
  // Who looked after a household in the period (a past period's holders, not today's: ADR 0020).
  for (const h of rows.households) each(holdersIn(h, p), h, (g) => g.households);
  for (const v of rows.visits) if (within(v.visitedOn)) each(v.visitorIds, v, (g) => g.visits);
  for (const r of rows.requests) each([r.ownerId], r, (g) => g.requests);
  for (const r of rows.ratings) if (within(localDay(ratedAt(r)))) each([r.memberId], r, (g) => g.ratings);
  for (const c of rows.complaints) if (within(localDay(c.recordedAt))) each([c.aboutMemberId], c, (g) => g.complaints);
  // Due dates on a past period's last day need every visit up to then, not only the period's: once for all members.
  const asOf = asOfDate(p, q.today);
  const dueOn = asOf < q.today ? dueDatesOn(rows.households, rows.visits, asOf) : undefined;
  const result = q.members.flatMap((m) => assess({ members: [m], ...mine.get(m.id)!, period: p, today: q.today, dueOn }));
  const role = new Map(q.members.map((m) => [m.id, m.role]));
  return result.filter((r) => role.get(r.memberId) !== 'lead' || r.linkedHouseholds > 0 || r.visits > 0);
}

export function leadFigures(rows: LeadRows, q: FiguresQuery): LeadFigures {
  const months = chartMonths(q.period);
  return {
    assessment: teamAssessment(rows, q),
    figures: periodFigures(rows, q.period, q.today),
    previous: periodFigures(rows, previousPeriod(q.period), q.today),
    notable: notableHouseholds(rows, q.period, q.today),
    problems: openProblems(rows, q.period, q.today),
    months,
    visitsPerMonth: visitsPerMonth(rows.visits, months, q.memberId).map((m) => m.count),
    requestsTable: requestsByCategory(rows.requests, q.period, q.memberId),
    satisfaction: satisfactionPerMonth(rows.ratings, months, q.memberId),
  };
}

/** The overview's counts over every visit and request. */
export function leadOverview(rows: Pick<LeadRows, 'visits' | 'requests'>, today: string): LeadOverview {
  let unreviewed = 0;
  let needsCorrection = 0;
  for (const v of rows.visits) {
    if (!v.reviewStatus) unreviewed++;
    else if (v.reviewStatus === 'needs_correction') needsCorrection++;
  }
  return { visits: rows.visits.length, unreviewed, needsCorrection, requests: boardStats(rows.requests, today) };
}
