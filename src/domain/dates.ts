import { addDays, formatISO, parseISO } from 'date-fns';
import { daysFrom, localDay } from './local-day';

/**
 * Date rules. Calendar dates are `YYYY-MM-DD` strings in the device's local calendar:
 * "due on the 5th" means the 5th where the member stands, whatever the time zone.
 */

/** Local calendar date of an instant. */
export function toLocalDate(instant: Date | string): string {
  // The Date getters (local-day.ts) are ~20x faster than a formatter: assessment and
  // projection turn tens of thousands of instants into days.
  return localDay(typeof instant === 'string' ? instant : instant.toISOString());
}

export function addDaysToDate(date: string, days: number): string {
  return formatISO(addDays(parseISO(date), days), { representation: 'date' });
}

/** Whole calendar days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: string, to: string): number {
  return daysFrom(from, to);
}

/**
 * When a household is next due: the date the last visit set, else last visit + interval,
 * else (never visited) the day it was registered — a new household is due at once.
 */
export function nextDueDate(args: { lastVisitAt?: string; lastNextVisitOn?: string; intervalDays: number; createdAt: string }): string {
  if (args.lastVisitAt) {
    if (args.lastNextVisitOn) return args.lastNextVisitOn;
    return addDaysToDate(toLocalDate(args.lastVisitAt), args.intervalDays);
  }
  return toLocalDate(args.createdAt);
}

export type DueState = 'overdue' | 'due_soon' | 'ok';

/** Overdue once the due date has passed (due today is not yet overdue). */
export function dueState(nextDueOn: string, today: string, dueSoonDays: number): DueState {
  const d = daysBetween(today, nextDueOn);
  if (d < 0) return 'overdue';
  if (d <= dueSoonDays) return 'due_soon';
  return 'ok';
}

export function isOverdue(nextDueOn: string, today: string): boolean {
  return daysBetween(today, nextDueOn) < 0;
}

/** Days since an instant, by calendar date; undefined when it never happened. */
export function daysSince(instant: string | undefined, today: string): number | undefined {
  if (!instant) return undefined;
  return daysBetween(toLocalDate(instant), today);
}

/** Age of a request in days: to its close when closed, to today while open. */
export function requestAgeDays(createdAt: string, closedAt: string | undefined, today: string): number {
  return daysBetween(toLocalDate(createdAt), closedAt ? toLocalDate(closedAt) : today);
}

/** A request's effective due date: its own, else raised + the team's default. */
export function requestDueDate(createdAt: string, dueOn: string | undefined, requestDueDays: number): string {
  return dueOn ?? addDaysToDate(toLocalDate(createdAt), requestDueDays);
}

/** Whether a request is overdue: still open after its due date, or closed after it. */
export function isRequestOverdue(args: { dueOn: string; closedAt?: string; today: string }): boolean {
  const end = args.closedAt ? toLocalDate(args.closedAt) : args.today;
  return daysBetween(args.dueOn, end) > 0;
}
