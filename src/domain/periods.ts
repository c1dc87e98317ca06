import { periodContaining, previousPeriod, type Period, type PeriodKind } from './assessment';

/** The period of `kind` containing today and the `count - 1` before it, newest first. */
export function recentPeriods(kind: PeriodKind, today: string, count: number): Period[] {
  const out: Period[] = [periodContaining(kind, today)];
  while (out.length < count) out.push(previousPeriod(out.at(-1)!));
  return out;
}

/** A period as a URL/select value (`half:2026-07-01`) and back. */
export function periodKey(p: Period): string {
  return `${p.kind}:${p.from}`;
}

export function parsePeriodKey(key: string | undefined): Period | undefined {
  const m = /^(month|quarter|half|year):(\d{4}-\d{2}-\d{2})$/.exec(key ?? '');
  return m ? periodContaining(m[1] as PeriodKind, m[2]!) : undefined;
}

/** Parts of a period for its label: year, and which month, quarter or half. */
export function periodParts(p: Period): { kind: PeriodKind; year: number; n: number } {
  const year = Number(p.from.slice(0, 4));
  const month = Number(p.from.slice(5, 7));
  const n = { month, quarter: Math.ceil(month / 3), half: month <= 6 ? 1 : 2, year: 1 }[p.kind];
  return { kind: p.kind, year, n };
}
