import { describe, expect, it } from 'vitest';
import { assess, periodContaining, previousPeriod, type Period } from '@/domain/assessment';
import { leadFigures, leadOverview, teamAssessment, type FiguresQuery, type LeadRows } from '@/domain/lead-figures';
import { localDay, withDayMemo } from '@/domain/local-day';
import type { ComplaintRow, HouseholdRow, RatingRow, RequestRow, VisitRow } from '@/domain/projection';
import type { TeamMember } from '@/domain/team';
import { FiguresSource } from '@/workers/lead-figures-source';
import { complaint, household, rating, request, visit } from './rows';

/**
 * The lead figures' faster paths give exactly what the plain computation gives: the
 * assessment over each member's own rows (grouped once) equals assess() scanning every row
 * for every member, and a day memo kept between questions changes no figure — also after
 * edits, merges, reassignments and a visit moved to another period.
 */

const members: TeamMember[] = [
  { id: 'm1', name: '王芳', role: 'member', joinedAt: '2025-01-01' },
  { id: 'm2', name: '李强', role: 'member', joinedAt: '2025-01-01' },
  { id: 'm3', name: '张伟', role: 'member', joinedAt: '2025-01-01', leftAt: '2025-12-20T08:00:00Z' },
  { id: 'm4', name: '刘洋', role: 'member', joinedAt: '2026-02-01' },
  { id: 'lead', name: '赵书记', role: 'lead', joinedAt: '2025-01-01' },
  { id: 'lead2', name: '陈书记', role: 'lead', joinedAt: '2025-01-01' },
];
const ids = ['m1', 'm2', 'm3', 'm4', 'lead', 'gone'];
const today = '2026-11-22';

/** mulberry32: a seeded generator, so a failure can be replayed. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A team's rows with the awkward cases: shared households, joint visits, a member twice on a visit, merged and archived files, instants near midnight and period edges. */
function team(seed: number): LeadRows {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const some = () => ids.filter(() => r() < 0.3);
  // Instants around the edges of months and half-years, in UTC and with offsets, and plain dates.
  const instant = () => {
    const y = pick([2025, 2026]);
    const m = pick([1, 3, 6, 7, 12]);
    const d = pick([1, 15, 28, 30, 31].filter((x) => x <= new Date(y, m, 0).getDate()));
    const time = pick(['T00:10:00', 'T15:59:00Z', 'T16:01:00Z', 'T23:50:00+08:00', 'T12:00:00.000Z']);
    return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}${time}`;
  };
  const households: HouseholdRow[] = [];
  const visits: VisitRow[] = [];
  const requests: RequestRow[] = [];
  const ratings: RatingRow[] = [];
  const complaints: ComplaintRow[] = [];
  for (let h = 0; h < 40; h++) {
    const id = `h${h}`;
    households.push(household(id, { linkedMemberIds: some(), nextDueOn: localDay(instant()), mergedInto: h % 13 === 5 ? 'h0' : undefined, archived: h % 17 === 3 ? 1 : 0 }));
    for (let v = 0; v < 6; v++) {
      const at = instant();
      const visitors = r() < 0.1 ? ['m1', 'm1', 'm2'] : some().slice(0, 2);
      visits.push(visit(`${id}v${v}`, id, at, { visitorIds: visitors.length ? visitors : ['m2'], concerns: r() < 0.3 ? ['housing'] : [], reviewStatus: pick([undefined, 'reviewed', 'needs_correction'] as const) }));
      if (r() < 0.5) ratings.push(rating(`${id}r${v}`, id, instant(), pick(['satisfied', 'basically_satisfied', 'dissatisfied'] as const), { memberId: pick(ids), occurredAt: r() < 0.7 ? at : undefined }));
    }
    for (let q = 0; q < 3; q++) {
      const status = pick(['open', 'in_progress', 'resolved', 'explained'] as const);
      const closed = status === 'resolved' || status === 'explained';
      requests.push(request(`${id}q${q}`, id, instant(), { status, ownerId: pick(ids), dueOn: localDay(instant()), escalated: r() < 0.2 ? 1 : 0, occurredAt: r() < 0.5 ? instant() : undefined, ...(closed ? { closedAt: instant() } : {}) }));
    }
    if (r() < 0.4) complaints.push(complaint(`${id}c`, id, instant(), { aboutMemberId: pick(ids), handled: r() < 0.5 ? 1 : 0 }));
  }
  return { households, visits, requests, ratings, complaints };
}

const periods: Period[] = [
  periodContaining('half', '2026-03-01'),
  periodContaining('half', '2026-09-01'),
  periodContaining('half', '2025-09-01'),
  periodContaining('year', '2025-05-01'),
  periodContaining('quarter', '2026-06-30'),
  periodContaining('month', '2026-01-31'),
];

/** The assessment as computed before the grouping: assess() over every row, leads without households or visits left out. */
function plainAssessment(rows: LeadRows, q: FiguresQuery) {
  const all = assess({ members: q.members, households: [...rows.households], visits: [...rows.visits], requests: [...rows.requests], ratings: [...rows.ratings], complaints: [...rows.complaints], period: q.period, today: q.today });
  return all.filter((a) => q.members.find((m) => m.id === a.memberId)?.role !== 'lead' || a.linkedHouseholds > 0 || a.visits > 0);
}

describe('lead figures, faster paths', () => {
  it('the assessment over each member’s grouped rows equals assess() over all rows', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const rows = team(seed);
      for (const period of periods) {
        for (const day of [today, '2026-02-14', period.to]) {
          const q = { period, today: day, members };
          const got = teamAssessment(rows, q);
          expect(got).toEqual(plainAssessment(rows, q));
        }
      }
      // Members listed twice, or a member with no rows at all, come out as before too.
      const q = { period: periods[0]!, today, members: [...members, members[0]!, { id: 'new', name: '新人', role: 'member' as const, joinedAt: '2026-11-01' }] };
      expect(teamAssessment(rows, q)).toEqual(plainAssessment(rows, q));
    }
  });

  it('the assessment is not trivially empty on these rows (the comparison means something)', () => {
    const a = teamAssessment(team(1), { period: periods[0]!, today, members });
    expect(a.some((m) => m.visits > 0 && m.linkedHouseholds > 0 && m.resolved + m.explained > 0)).toBe(true);
    expect(a.map((m) => m.memberId)).not.toContain('m3');
    expect(a.map((m) => m.memberId)).not.toContain('lead2');
  });

  it('a day memo kept across questions changes no figure, whatever was asked before', () => {
    const rows = team(7);
    const memo = new Map<string, string>();
    for (const period of [...periods, ...periods.map(previousPeriod)]) {
      for (const memberId of [undefined, 'm2']) {
        const q = { period, today, members, memberId };
        expect(withDayMemo(memo, () => leadFigures(rows, q))).toEqual(leadFigures(rows, q));
      }
    }
    expect(withDayMemo(memo, () => leadOverview(rows, today))).toEqual(leadOverview(rows, today));
    expect(memo.size).toBeGreaterThan(100);
    // The memo holds only real conversions.
    for (const [instant, day] of memo) expect(day).toBe(localDay(instant));
    // Outside withDayMemo nothing is remembered.
    const before = memo.size;
    localDay('2030-01-01T00:00:00Z');
    expect(memo.size).toBe(before);
  });

  it('the worker’s source equals the full computation after edits, a merge, a reassignment and a visit moved to another period', async () => {
    const rows = team(11);
    let current: LeadRows = rows;
    const source = new FiguresSource(async () => ({ households: current.households as HouseholdRow[], requests: current.requests as RequestRow[], records: packed(current) }));
    const [first, second] = [periods[0]!, periods[1]!];
    const check = async () => {
      for (const period of [first, second, periods[3]!]) {
        const q = { period, today, members };
        expect(await source.figures(q)).toEqual(leadFigures(current, q));
      }
      expect(await source.overview(today)).toEqual(leadOverview(current, today));
    };
    await check();

    // A visit moved from the first half-year to the second (its visit time corrected).
    const moved = current.visits.find((v) => v.visitedOn >= first.from && v.visitedOn <= first.to)!;
    const before = await source.figures({ period: first, today, members });
    current = { ...current, visits: current.visits.map((v) => (v === moved ? { ...v, visitedAt: '2026-08-03T10:00:00', visitedOn: '2026-08-03' } : v)) };
    source.changed(['records']);
    await check();
    expect((await source.figures({ period: first, today, members })).figures.visits).toBe(before.figures.visits - 1);

    // A request closed and a rating added (edits), a household merged into another (its rows
    // listed under the target), and households reassigned from m1 to m4.
    const h1 = current.households.find((h) => h.id === 'h1')!;
    current = {
      households: current.households.map((h) => (h.id === 'h1' ? { ...h, mergedInto: 'h2' } : h.linkedMemberIds.includes('m1') ? { ...h, linkedMemberIds: h.linkedMemberIds.map((m) => (m === 'm1' ? 'm4' : m)) } : h)),
      visits: current.visits.map((v) => (v.householdId === h1.id ? { ...v, householdId: 'h2' } : v)),
      requests: current.requests.map((r, i) => (i === 0 ? { ...r, status: 'resolved' as const, open: 0 as const, closedAt: '2026-03-02T09:00:00' } : r)),
      ratings: [...current.ratings, rating('new-r', 'h2', '2026-04-04T09:00:00', 'dissatisfied', { memberId: 'm4' })],
      complaints: current.complaints,
    };
    source.changed(['households', 'records', 'requests']);
    await check();
  });
});

/** Rows packed per household, as the `records` table holds them. */
function packed(rows: LeadRows) {
  const by = new Map<string, { id: string; visits: VisitRow[]; ratings: RatingRow[]; complaints: ComplaintRow[] }>();
  const get = (id: string) => by.get(id) ?? by.set(id, { id, visits: [], ratings: [], complaints: [] }).get(id)!;
  for (const v of rows.visits) get(v.householdId).visits.push(v);
  for (const r of rows.ratings) get(r.householdId).ratings.push(r);
  for (const c of rows.complaints) get(c.householdId).complaints.push(c);
  return [...by.values()];
}
