import { daysBetween, dueState, type DueState } from '@/domain/dates';

type Translate = (key: string, arg?: number | Record<string, unknown>) => string;

/** When a household is next due, in words: overdue by N days, due today, due in N days, or the date. */
export function dueLabel(t: Translate, nextDueOn: string, today: string, dueSoonDays: number): { state: DueState; label: string } {
  const state = dueState(nextDueOn, today, dueSoonDays);
  const d = daysBetween(today, nextDueOn);
  const label = d < 0 ? t('field.due.overdue', -d) : d === 0 ? t('field.due.today') : state === 'due_soon' ? t('field.due.soon', d) : t('field.due.on', { date: nextDueOn });
  return { state, label };
}
