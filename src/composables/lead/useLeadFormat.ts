import { useI18n } from 'vue-i18n';
import type { Period } from '@/domain/assessment';
import { periodParts } from '@/domain/periods';

/** How the lead's pages write periods, percentages and averages in the current language. */
export function useLeadFormat() {
  const { t, locale } = useI18n();

  function periodLabel(p: Period): string {
    const { kind, year, n } = periodParts(p);
    return t(`lead.period.label.${kind}`, { year, n, half: kind === 'half' ? t(`lead.period.halves.h${n}`) : '' });
  }

  /** A 0–1 share as a whole percentage; a dash when there is nothing to divide. */
  function percent(share: number | undefined): string {
    return share === undefined ? '–' : `${Math.round(share * 100)}%`;
  }

  function decimal(n: number | undefined, digits = 1): string {
    return n === undefined ? '–' : n.toLocaleString(locale.value, { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  }

  /** `2026-03` as a short month label for chart axes: 3月 / Mar. */
  function monthLabel(month: string, withYear = false): string {
    const [y, m] = month.split('-').map(Number);
    const d = new Date(y!, m! - 1, 1);
    return d.toLocaleDateString(locale.value, withYear ? { year: 'numeric', month: 'short' } : { month: 'short' });
  }

  return { periodLabel, percent, decimal, monthLabel };
}
