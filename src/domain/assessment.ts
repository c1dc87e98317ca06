import { holdersIn, holdersOn } from './assignment';
import { dueDatesOn } from './due-as-of';
import { addDaysToDate, daysBetween, isRequestOverdue, toLocalDate } from './dates';
import { raisedAt, ratedAt } from './event-time';
import type { ComplaintRow, HouseholdRow, RatingRow, RequestRow, VisitRow } from './projection';
import { SATISFACTION_SCORE, type SatisfactionLevel } from './rating';
import type { TeamMember } from './team';

/**
 * 考核: per member and period — households covered, visits made, overdue households,
 * requests resolved or explained (on time or not), time to close, satisfaction and
 * complaints. Pure, from the projection rows, so the lead's device and a printed summary
 * agree to the digit.
 */

export type PeriodKind = 'month' | 'quarter' | 'half' | 'year';

export interface Period {
  kind: PeriodKind;
  /** first day, inclusive */
  from: string;
  /** last day, inclusive */
  to: string;
}

/** The period of `kind` containing `date` (YYYY-MM-DD). */
export function periodContaining(kind: PeriodKind, date: string): Period {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const span = { month: 1, quarter: 3, half: 6, year: 12 }[kind];
  const startMonth = Math.floor((m - 1) / span) * span + 1;
  const from = `${y}-${String(startMonth).padStart(2, '0')}-01`;
  const endMonth = startMonth + span;
  const next = endMonth > 12 ? `${y + 1}-01-01` : `${y}-${String(endMonth).padStart(2, '0')}-01`;
  return { kind, from, to: addDaysToDate(next, -1) };
}

/** The period before `p`, of the same kind. */
export function previousPeriod(p: Period): Period {
  return periodContaining(p.kind, addDaysToDate(p.from, -1));
}

const inPeriod = (instant: string | undefined, p: Period) => {
  if (!instant) return false;
  const d = instant.length === 10 ? instant : toLocalDate(instant);
  return d >= p.from && d <= p.to;
};

export interface MemberAssessment {
  memberId: string;
  /** households the member looked after on at least one day of the period (who was assigned then, not now: ADR 0020) */
  linkedHouseholds: number;
  /** linked households with at least one visit by this member in the period */
  visitedHouseholds: number;
  /** visitedHouseholds / linkedHouseholds, 0–1; undefined with no households */
  coverage?: number;
  /** households they looked after at the period's end (or today, if earlier) and overdue on that day */
  overdueHouseholds: number;
  visits: number;
  /** requests owned by this member that were closed in the period */
  resolved: number;
  explained: number;
  /** closed within their due date, of those closed in the period */
  closedOnTime: number;
  /** owned requests open past their due date at the period's end, or closed late in it */
  overdueRequests: number;
  /** mean days from raised to closed, for requests closed in the period */
  averageDaysToClose?: number;
  ratings: Record<SatisfactionLevel, number>;
  /** mean of SATISFACTION_SCORE over the period's ratings, 0–1 */
  satisfaction?: number;
  complaints: number;
  /**
   * What the household and visit figures above counted, by id: a household linked to two
   * members is in both their rows and a joint visit in each visitor's, so a team total adds
   * these up as sets (`assessmentTotal`), never as numbers.
   */
  counted: { linked: string[]; visited: string[]; overdue: string[]; visits: string[] };
}

export interface AssessmentInput {
  members: TeamMember[];
  households: HouseholdRow[];
  visits: VisitRow[];
  requests: RequestRow[];
  ratings: RatingRow[];
  complaints: ComplaintRow[];
  period: Period;
  today: string;
  /**
   * Households' due dates as of the period's end, when that is before today
   * (`dueDatesOn`): worked out from `visits` when not given — a caller that hands over only
   * the period's visits must give them.
   */
  dueOn?: ReadonlyMap<string, string>;
}

export function assess(input: AssessmentInput): MemberAssessment[] {
  const { period } = input;
  const asOf = input.today < period.to ? input.today : period.to;
  const households = input.households.filter((h) => !h.mergedInto && !h.archived);
  // A past period's overdue households are those overdue on its last day, not today.
  const dueOn = input.dueOn ?? (asOf < input.today ? dueDatesOn(households, input.visits, asOf) : undefined);
  const due = (h: HouseholdRow) => dueOn?.get(h.id) ?? h.nextDueOn;
  return input.members
    .filter((m) => !m.leftAt || m.leftAt.slice(0, 10) >= period.from)
    .map((m) => {
      const linked = households.filter((h) => holdersIn(h, period).includes(m.id));
      const linkedIds = new Set(linked.map((h) => h.id));
      const myVisits = input.visits.filter((v) => v.visitorIds.includes(m.id) && inPeriod(v.visitedAt, period));
      const visitedLinked = new Set(myVisits.map((v) => v.householdId).filter((id) => linkedIds.has(id)));
      const owned = input.requests.filter((r) => r.ownerId === m.id);
      const closedIn = owned.filter((r) => r.open === 0 && inPeriod(r.closedAt, period));
      const resolved = closedIn.filter((r) => r.status === 'resolved').length;
      const explained = closedIn.filter((r) => r.status === 'explained').length;
      const closedOnTime = closedIn.filter((r) => !isRequestOverdue({ dueOn: r.dueOn, closedAt: r.closedAt, today: asOf })).length;
      const overdueRequests = owned.filter((r) => {
        if (toLocalDate(raisedAt(r)) > period.to) return false;
        if (r.open === 1) return daysBetween(r.dueOn, asOf) > 0;
        return inPeriod(r.closedAt, period) && isRequestOverdue({ dueOn: r.dueOn, closedAt: r.closedAt, today: asOf });
      }).length;
      const durations = closedIn.map((r) => daysBetween(toLocalDate(raisedAt(r)), toLocalDate(r.closedAt!)));
      const myRatings = input.ratings.filter((r) => r.memberId === m.id && inPeriod(ratedAt(r), period));
      const ratings: Record<SatisfactionLevel, number> = { satisfied: 0, basically_satisfied: 0, dissatisfied: 0 };
      for (const r of myRatings) ratings[r.level]++;
      const overdueLinked = linked.filter((h) => daysBetween(due(h), asOf) > 0 && holdersOn(h, asOf).includes(m.id));
      return {
        memberId: m.id,
        linkedHouseholds: linked.length,
        visitedHouseholds: visitedLinked.size,
        coverage: linked.length ? visitedLinked.size / linked.length : undefined,
        overdueHouseholds: overdueLinked.length,
        visits: myVisits.length,
        resolved,
        explained,
        closedOnTime,
        overdueRequests,
        averageDaysToClose: durations.length ? durations.reduce((a, b) => a + b, 0) / durations.length : undefined,
        ratings,
        satisfaction: myRatings.length ? myRatings.reduce((a, r) => a + SATISFACTION_SCORE[r.level], 0) / myRatings.length : undefined,
        complaints: input.complaints.filter((c) => c.aboutMemberId === m.id && inPeriod(c.recordedAt, period)).length,
        counted: { linked: [...linkedIds], visited: [...visitedLinked], overdue: overdueLinked.map((h) => h.id), visits: myVisits.map((v) => v.id) },
      };
    });
}

/**
 * The 合计 row under the members' assessment: the same figures for the team. Households
 * (linked, visited, overdue, coverage) and visits are distinct ones — a shared household or
 * a joint visit once; the rest are sums, as each belongs to one member.
 */
export type AssessmentTotal = Omit<MemberAssessment, 'memberId' | 'counted'>;

/**
 * The team's total of the members' assessment rows. Households and visits are counted once
 * each, however many members share them; requests, ratings and complaints belong to one
 * member each (owner, rated member, member complained about), so theirs are sums.
 */
export function assessmentTotal(rows: readonly MemberAssessment[]): AssessmentTotal {
  const sum = (f: (r: MemberAssessment) => number) => rows.reduce((a, r) => a + f(r), 0);
  const distinct = (f: (c: MemberAssessment['counted']) => string[]) => new Set(rows.flatMap((r) => f(r.counted))).size;
  const linked = distinct((c) => c.linked);
  const visited = distinct((c) => c.visited);
  const ratings = { satisfied: sum((r) => r.ratings.satisfied), basically_satisfied: sum((r) => r.ratings.basically_satisfied), dissatisfied: sum((r) => r.ratings.dissatisfied) };
  const nRatings = ratings.satisfied + ratings.basically_satisfied + ratings.dissatisfied;
  const closed = sum((r) => r.resolved + r.explained);
  return {
    linkedHouseholds: linked,
    visitedHouseholds: visited,
    coverage: linked ? visited / linked : undefined,
    overdueHouseholds: distinct((c) => c.overdue),
    visits: distinct((c) => c.visits),
    resolved: sum((r) => r.resolved),
    explained: sum((r) => r.explained),
    closedOnTime: sum((r) => r.closedOnTime),
    overdueRequests: sum((r) => r.overdueRequests),
    averageDaysToClose: closed ? sum((r) => (r.averageDaysToClose ?? 0) * (r.resolved + r.explained)) / closed : undefined,
    ratings,
    satisfaction: nRatings ? (ratings.satisfied + 0.5 * ratings.basically_satisfied) / nRatings : undefined,
    complaints: sum((r) => r.complaints),
  };
}
