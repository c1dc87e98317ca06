import { describe, expect, it } from 'vitest';
import { assess, periodContaining } from '@/domain/assessment';
import { localDay } from '@/domain/local-day';
import { complaint, household, rating, request, visit } from './rows';

describe('assessment on the rows of the period only', () => {
  it('gives the same figures as on all rows (what useLeadFigures relies on)', () => {
    const members = [
      { id: 'm1', name: '王芳', role: 'member' as const, joinedAt: '2025-01-01' },
      { id: 'm2', name: '李强', role: 'member' as const, joinedAt: '2025-01-01' },
    ];
    const days = ['2025-12-31T23:30:00', '2026-01-01T00:10:00', '2026-03-15T12:00:00', '2026-06-30T23:59:00', '2026-07-01T00:00:00'];
    const households = [household('h1', { linkedMemberIds: ['m1'], nextDueOn: '2026-05-01' }), household('h2', { linkedMemberIds: ['m2'] })];
    const visits = days.flatMap((d, i) => [visit(`v${i}a`, 'h1', d), visit(`v${i}b`, 'h2', d, { visitorIds: ['m2'] })]);
    const requests = days.map((d, i) => request(`q${i}`, i % 2 ? 'h1' : 'h2', d, { ownerId: i % 2 ? 'm1' : 'm2', dueOn: '2026-04-01', ...(i % 3 === 0 ? { status: 'resolved' as const, closedAt: days[Math.min(i + 1, days.length - 1)] } : {}) }));
    const ratings = days.map((d, i) => rating(`r${i}`, 'h1', d, i % 2 ? 'satisfied' : 'dissatisfied', { memberId: i % 2 ? 'm1' : 'm2' }));
    const complaints = days.map((d, i) => complaint(`c${i}`, 'h2', d, { aboutMemberId: i % 2 ? 'm1' : 'm2' }));
    for (const p of [periodContaining('half', '2026-03-01'), periodContaining('month', '2026-01-15'), periodContaining('year', '2026-01-15')]) {
      const within = (day: string) => day >= p.from && day <= p.to;
      const all = assess({ members, households, visits, requests, ratings, complaints, period: p, today: '2026-11-22' });
      const narrowed = assess({
        members,
        households,
        visits: visits.filter((v) => within(v.visitedOn)),
        requests,
        ratings: ratings.filter((r) => within(localDay(r.recordedAt))),
        complaints: complaints.filter((c) => within(localDay(c.recordedAt))),
        period: p,
        today: '2026-11-22',
      });
      expect(narrowed).toEqual(all);
      expect(all.some((a) => a.visits > 0)).toBe(true);
    }
  });
});
