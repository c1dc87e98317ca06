import { addDaysToDate } from './dates';
import { localDay } from './local-day';
import type { HouseholdRow, VisitRow } from './projection';

/**
 * When each household was next due as it stood on a past `day`: from its last visit on or
 * before that day (that visit's next-visit date, else its day plus the household's interval),
 * or from its registration. A row's `nextDueOn` is today's answer; a past period's "overdue
 * at its end" needs the answer of that day (a household visited since was still overdue then).
 * Households without an interval on their row (rows derived before it was kept) keep `nextDueOn`.
 */
export function dueDatesOn(households: readonly HouseholdRow[], visits: readonly VisitRow[], day: string): Map<string, string> {
  const last = new Map<string, VisitRow>();
  for (const v of visits) {
    if (v.visitedOn > day) continue;
    const before = last.get(v.householdId);
    if (!before || v.visitedAt > before.visitedAt || (v.visitedAt === before.visitedAt && v.id > before.id)) last.set(v.householdId, v);
  }
  const out = new Map<string, string>();
  for (const h of households) {
    if (h.visitIntervalDays === undefined) {
      out.set(h.id, h.nextDueOn);
      continue;
    }
    const v = last.get(h.id);
    out.set(h.id, v ? (v.nextVisitOn ?? addDaysToDate(v.visitedOn, h.visitIntervalDays)) : h.createdAt ? localDay(h.createdAt) : h.nextDueOn);
  }
  return out;
}
