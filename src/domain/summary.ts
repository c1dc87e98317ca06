import type { Period } from './assessment';
import { holdersIn } from './assignment';
import { daysFrom, localDay } from './local-day';
import { raisedAt, ratedAt } from './event-time';
import type { ComplaintRow, HouseholdRow, RatingRow, RequestRow, VisitRow } from './projection';

/**
 * What the half-year analysis (分析形势) and the year-end summary (年终总结 / 讲评检查) point
 * at beyond the figures: households that need attention, and problems still open — the
 * "查找问题" part of the analysis. Pure, from projection rows.
 */

const inPeriod = (instant: string | undefined, p: Period) => {
  if (!instant) return false;
  const d = localDay(instant);
  return d >= p.from && d <= p.to;
};

/** The day a period's figures are taken: its end, or today while it is still running. */
export function asOfDate(period: Period, today: string): string {
  return today < period.to ? today : period.to;
}

export interface NotableHousehold {
  householdId: string;
  /** visits in the period that saw hardship (an aspect marked concern or urgent) */
  concernVisits: number;
  dissatisfied: number;
  complaints: number;
  /** requests open at the period's end and past their due date */
  overdueRequests: number;
  openRequests: number;
  weight: number;
}

/**
 * Households the lead should talk about: dissatisfied ratings and complaints weigh most,
 * then overdue requests, then visits that saw hardship. Highest weight first.
 */
export function notableHouseholds(
  input: { households: readonly HouseholdRow[]; visits: readonly VisitRow[]; requests: readonly RequestRow[]; ratings: readonly RatingRow[]; complaints: readonly ComplaintRow[] },
  period: Period,
  today: string,
  limit = 10,
): NotableHousehold[] {
  const asOf = asOfDate(period, today);
  const live = new Set(input.households.filter((h) => !h.mergedInto && !h.archived).map((h) => h.id));
  const acc = new Map<string, NotableHousehold>();
  const get = (id: string) => {
    let n = acc.get(id);
    if (!n) {
      n = { householdId: id, concernVisits: 0, dissatisfied: 0, complaints: 0, overdueRequests: 0, openRequests: 0, weight: 0 };
      acc.set(id, n);
    }
    return n;
  };
  for (const v of input.visits) if (v.concerns.length > 0 && inPeriod(v.visitedOn, period)) get(v.householdId).concernVisits++;
  for (const r of input.ratings) if (r.level === 'dissatisfied' && inPeriod(ratedAt(r), period)) get(r.householdId).dissatisfied++;
  for (const c of input.complaints) if (inPeriod(c.recordedAt, period)) get(c.householdId).complaints++;
  for (const r of input.requests) {
    if (localDay(raisedAt(r)) > period.to || !isOpenAt(r, asOf)) continue;
    const n = get(r.householdId);
    n.openRequests++;
    if (asOf > r.dueOn) n.overdueRequests++;
  }
  const out: NotableHousehold[] = [];
  for (const n of acc.values()) {
    if (!live.has(n.householdId)) continue;
    n.weight = 3 * n.dissatisfied + 3 * n.complaints + 2 * n.overdueRequests + n.concernVisits + 0.5 * n.openRequests;
    if (n.dissatisfied + n.complaints + n.overdueRequests + n.concernVisits > 0) out.push(n);
  }
  return out.sort((a, b) => b.weight - a.weight || (a.householdId < b.householdId ? -1 : 1)).slice(0, limit);
}

/** Whether a request was still open on `date` (raised by then, not closed by then). */
function isOpenAt(r: RequestRow, date: string): boolean {
  if (localDay(raisedAt(r)) > date) return false;
  if (r.open === 1) return true;
  return !!r.closedAt && localDay(r.closedAt) > date;
}

export interface OpenProblems {
  /** requests open at the period's end past their due date, most overdue first */
  overdueRequests: { row: RequestRow; daysOverdue: number }[];
  /** requests escalated to the lead and still open */
  escalatedOpen: RequestRow[];
  /** households someone looked after in the period but nobody visited in it */
  unvisitedHouseholds: HouseholdRow[];
  /** unvisited households per member who looked after them in the period, most first */
  unvisitedByMember: [memberId: string, households: number][];
  /** households nobody looks after now (the lead's to-do: assign them) */
  unassignedHouseholds: HouseholdRow[];
  /** complaints recorded in the period and not yet handled */
  unhandledComplaints: ComplaintRow[];
}

export function openProblems(
  input: { households: readonly HouseholdRow[]; visits: readonly VisitRow[]; requests: readonly RequestRow[]; complaints: readonly ComplaintRow[] },
  period: Period,
  today: string,
): OpenProblems {
  const asOf = asOfDate(period, today);
  const live = input.households.filter((h) => !h.mergedInto && !h.archived);
  const visited = new Set(input.visits.filter((v) => inPeriod(v.visitedOn, period)).map((v) => v.householdId));
  const unvisited: HouseholdRow[] = [];
  const byMember = new Map<string, number>();
  for (const h of live) {
    if (visited.has(h.id)) continue;
    const holders = holdersIn(h, period);
    if (holders.length === 0) continue;
    unvisited.push(h);
    for (const m of holders) byMember.set(m, (byMember.get(m) ?? 0) + 1);
  }
  const overdueRequests = input.requests
    .filter((r) => isOpenAt(r, asOf) && asOf > r.dueOn)
    .map((row) => ({ row, daysOverdue: daysFrom(row.dueOn, asOf) }))
    .sort((a, b) => b.daysOverdue - a.daysOverdue || (a.row.id < b.row.id ? -1 : 1));
  return {
    overdueRequests,
    escalatedOpen: input.requests.filter((r) => r.open === 1 && r.escalated === 1).sort((a, b) => (raisedAt(a) < raisedAt(b) ? -1 : 1)),
    unvisitedHouseholds: unvisited,
    unvisitedByMember: [...byMember.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)),
    unassignedHouseholds: live.filter((h) => h.linkedMemberIds.length === 0),
    unhandledComplaints: input.complaints.filter((c) => c.handled === 0 && inPeriod(c.recordedAt, period)),
  };
}

export interface PeriodFigures {
  households: number;
  householdsLinked: number;
  householdsVisited: number;
  coverage?: number;
  visits: number;
  /** visits that saw hardship */
  concernVisits: number;
  requestsRaised: number;
  resolved: number;
  explained: number;
  /** open at the period's end */
  openAtEnd: number;
  ratings: number;
  satisfied: number;
  basicallySatisfied: number;
  dissatisfied: number;
  /** mean satisfaction score, 0–1 */
  satisfaction?: number;
  complaints: number;
}

/** The team's figures for one period (for the summary's opening table and the comparison). */
export function periodFigures(
  input: { households: readonly HouseholdRow[]; visits: readonly VisitRow[]; requests: readonly RequestRow[]; ratings: readonly RatingRow[]; complaints: readonly ComplaintRow[] },
  period: Period,
  today: string,
): PeriodFigures {
  const asOf = asOfDate(period, today);
  const live = input.households.filter((h) => !h.mergedInto && !h.archived);
  // Looked after by someone in the period (who was assigned then: ADR 0020).
  const linked = live.filter((h) => holdersIn(h, period).length > 0);
  const linkedIds = new Set(linked.map((h) => h.id));
  const visits = input.visits.filter((v) => inPeriod(v.visitedOn, period));
  const visitedLinked = new Set(visits.map((v) => v.householdId).filter((id) => linkedIds.has(id)));
  const ratings = input.ratings.filter((r) => inPeriod(ratedAt(r), period));
  const satisfied = ratings.filter((r) => r.level === 'satisfied').length;
  const basicallySatisfied = ratings.filter((r) => r.level === 'basically_satisfied').length;
  const closedIn = input.requests.filter((r) => r.open === 0 && inPeriod(r.closedAt, period));
  return {
    households: live.length,
    householdsLinked: linked.length,
    householdsVisited: visitedLinked.size,
    coverage: linked.length ? visitedLinked.size / linked.length : undefined,
    visits: visits.length,
    concernVisits: visits.filter((v) => v.concerns.length > 0).length,
    requestsRaised: input.requests.filter((r) => inPeriod(raisedAt(r), period)).length,
    resolved: closedIn.filter((r) => r.status === 'resolved').length,
    explained: closedIn.filter((r) => r.status === 'explained').length,
    openAtEnd: input.requests.filter((r) => isOpenAt(r, asOf)).length,
    ratings: ratings.length,
    satisfied,
    basicallySatisfied,
    dissatisfied: ratings.length - satisfied - basicallySatisfied,
    satisfaction: ratings.length ? (satisfied + 0.5 * basicallySatisfied) / ratings.length : undefined,
    complaints: input.complaints.filter((c) => inPeriod(c.recordedAt, period)).length,
  };
}
