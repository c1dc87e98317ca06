import { describe, expect, it } from 'vitest';
import { periodContaining } from '@/domain/assessment';
import { chartMonths, monthsBetween, requestsByCategory, satisfactionPerMonth, visitsPerMonth } from '@/domain/team-stats';
import { rating, request, visit } from './rows';

describe('chart series', () => {
  it('lists the months of a period, widened to six for short periods', () => {
    expect(monthsBetween('2025-11-01', '2026-02-28')).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
    expect(chartMonths(periodContaining('half', '2026-03-03'))).toEqual(['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06']);
    expect(chartMonths(periodContaining('month', '2026-03-03'))).toEqual(['2025-10', '2025-11', '2025-12', '2026-01', '2026-02', '2026-03']);
    expect(chartMonths(periodContaining('year', '2026-03-03'))).toHaveLength(12);
  });

  it('counts visits per month, for the team or one member', () => {
    const visits = [
      visit('v1', 'h1', '2026-01-05T09:00:00'),
      visit('v2', 'h1', '2026-01-25T09:00:00', { visitorIds: ['m2'] }),
      visit('v3', 'h2', '2026-03-01T09:00:00', { visitorIds: ['m1', 'm2'] }),
      visit('v4', 'h2', '2025-12-31T09:00:00'),
    ];
    const months = ['2026-01', '2026-02', '2026-03'];
    expect(visitsPerMonth(visits, months).map((m) => m.count)).toEqual([2, 0, 1]);
    expect(visitsPerMonth(visits, months, 'm2').map((m) => m.count)).toEqual([1, 0, 1]);
  });

  it('counts requests raised in the period by category and status', () => {
    const p = periodContaining('half', '2026-03-03');
    const rows = requestsByCategory(
      [
        request('q1', 'h1', '2026-02-01T09:00:00', { category: 'medical' }),
        request('q2', 'h1', '2026-02-02T09:00:00', { category: 'medical', status: 'resolved', closedAt: '2026-02-05T09:00:00' }),
        request('q3', 'h1', '2026-02-03T09:00:00', { category: 'housing', status: 'explained', closedAt: '2026-02-05T09:00:00' }),
        request('q4', 'h1', '2025-12-03T09:00:00', { category: 'schooling' }),
      ],
      p,
    );
    expect(rows.map((r) => [r.category, r.total, r.byStatus.open, r.byStatus.resolved, r.byStatus.explained])).toEqual([
      ['medical', 2, 1, 1, 0],
      ['housing', 1, 0, 0, 1],
    ]);
  });

  it('averages satisfaction per month, months without ratings left blank', () => {
    const s = satisfactionPerMonth(
      [rating('r1', 'h1', '2026-01-02T09:00:00', 'satisfied'), rating('r2', 'h1', '2026-01-03T09:00:00', 'basically_satisfied'), rating('r3', 'h1', '2026-03-03T09:00:00', 'dissatisfied', { memberId: 'm2' })],
      ['2026-01', '2026-02', '2026-03'],
    );
    expect(s.map((m) => [m.ratings, m.score])).toEqual([[2, 0.75], [0, undefined], [1, 0]]);
  });
});

describe('local days', () => {
  it('agree with dates.ts for instants across a day, and count days between dates', async () => {
    const { localDay, daysFrom } = await import('@/domain/local-day');
    const { toLocalDate, daysBetween } = await import('@/domain/dates');
    for (const instant of ['2026-03-01T00:00:00.000Z', '2026-02-28T23:59:59.999Z', '2026-06-30T16:00:00Z', '2026-01-01T08:00:00', '2024-02-29T12:00:00Z']) {
      expect(localDay(instant)).toBe(toLocalDate(instant));
    }
    expect(localDay('2026-03-01')).toBe('2026-03-01');
    expect(() => localDay('yesterday')).toThrow(RangeError);
    for (const [a, b] of [['2026-01-01', '2026-03-01'], ['2026-03-29', '2026-03-30'], ['2025-12-31', '2024-02-29']] as const) expect(daysFrom(a, b)).toBe(daysBetween(a, b));
  });
});
