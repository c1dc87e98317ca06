import type { Period } from './assessment';
import { raisedAt, ratedAt } from './event-time';
import { localDay } from './local-day';
import type { RatingRow, RequestRow, VisitRow } from './projection';
import { REQUEST_CATEGORIES, REQUEST_STATUSES, type RequestCategory, type RequestStatus } from './request';
import { SATISFACTION_SCORE } from './rating';

/**
 * The series behind the lead's charts: visits per month, requests by category and status,
 * satisfaction over time. Pure, from projection rows, so the screen and the printed
 * summary draw the same numbers.
 */

/** `YYYY-MM` of every month from `from` to `to` (dates, inclusive). */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let y = Number(from.slice(0, 4));
  let m = Number(from.slice(5, 7));
  const endY = Number(to.slice(0, 4));
  const endM = Number(to.slice(5, 7));
  while (y < endY || (y === endY && m <= endM)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

/**
 * The months a chart for `period` shows: the period's own months, widened to the six
 * months ending with it when it is shorter (one month alone is no trend).
 */
export function chartMonths(period: Period): string[] {
  const own = monthsBetween(period.from, period.to);
  if (own.length >= 6) return own;
  const y = Number(period.to.slice(0, 4));
  const m = Number(period.to.slice(5, 7)) - 5;
  const start = m >= 1 ? `${y}-${String(m).padStart(2, '0')}-01` : `${y - 1}-${String(m + 12).padStart(2, '0')}-01`;
  return monthsBetween(start, period.to);
}

const monthOf = (instant: string) => localDay(instant).slice(0, 7);

export interface MonthCount {
  month: string;
  count: number;
}

/** Visits per month; only visits made by `memberId` when given. */
export function visitsPerMonth(visits: readonly VisitRow[], months: readonly string[], memberId?: string): MonthCount[] {
  const counts = new Map(months.map((m) => [m, 0]));
  for (const v of visits) {
    if (memberId && !v.visitorIds.includes(memberId)) continue;
    const m = v.visitedOn.slice(0, 7);
    const c = counts.get(m);
    if (c !== undefined) counts.set(m, c + 1);
  }
  return months.map((month) => ({ month, count: counts.get(month)! }));
}

export interface CategoryStatusCounts {
  category: RequestCategory;
  total: number;
  byStatus: Record<RequestStatus, number>;
}

const inRange = (instant: string | undefined, from: string, to: string) => {
  if (!instant) return false;
  const d = localDay(instant);
  return d >= from && d <= to;
};

/** Requests raised in the period, by category and current status; categories with none left out. */
export function requestsByCategory(requests: readonly RequestRow[], period: Period, ownerId?: string): CategoryStatusCounts[] {
  const table = new Map<RequestCategory, CategoryStatusCounts>();
  for (const r of requests) {
    if (ownerId && r.ownerId !== ownerId) continue;
    if (!inRange(raisedAt(r), period.from, period.to)) continue;
    let row = table.get(r.category);
    if (!row) {
      row = { category: r.category, total: 0, byStatus: Object.fromEntries(REQUEST_STATUSES.map((s) => [s, 0])) as Record<RequestStatus, number> };
      table.set(r.category, row);
    }
    row.total++;
    row.byStatus[r.status]++;
  }
  return REQUEST_CATEGORIES.flatMap((c) => (table.has(c) ? [table.get(c)!] : []));
}

export interface MonthSatisfaction {
  month: string;
  ratings: number;
  satisfied: number;
  basicallySatisfied: number;
  dissatisfied: number;
  /** mean SATISFACTION_SCORE, 0–1; undefined in a month without ratings */
  score?: number;
}

/** Satisfaction per month; only ratings of `memberId`'s work when given. */
export function satisfactionPerMonth(ratings: readonly RatingRow[], months: readonly string[], memberId?: string): MonthSatisfaction[] {
  const acc = new Map(months.map((m) => [m, { satisfied: 0, basicallySatisfied: 0, dissatisfied: 0, sum: 0 }]));
  for (const r of ratings) {
    if (memberId && r.memberId !== memberId) continue;
    const a = acc.get(monthOf(ratedAt(r)));
    if (!a) continue;
    if (r.level === 'satisfied') a.satisfied++;
    else if (r.level === 'basically_satisfied') a.basicallySatisfied++;
    else a.dissatisfied++;
    a.sum += SATISFACTION_SCORE[r.level];
  }
  return months.map((month) => {
    const a = acc.get(month)!;
    const n = a.satisfied + a.basicallySatisfied + a.dissatisfied;
    return { month, ratings: n, satisfied: a.satisfied, basicallySatisfied: a.basicallySatisfied, dissatisfied: a.dissatisfied, score: n ? a.sum / n : undefined };
  });
}
