import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { deleteVisit, setRequestStatus, updateVisit } from '@/docs/household-doc';
import { assessmentTotal, periodContaining } from '@/domain/assessment';
import { raisedAt, ratedAt } from '@/domain/event-time';
import { leadFigures, teamAssessment } from '@/domain/lead-figures';
import { buildBoard } from '@/domain/request-board';
import { buildTeam, householdDoc, logVisit, M1, M2, members, rowsOf, TODAY } from './fixtures/back-dated-team';

// The fixture's table (fixtures/back-dated-team.ts) is the hand computation's input; every
// number below is worked out from it in the comment beside it.
const { rows } = buildTeam();
const h2026b = periodContaining('half', '2026-10-01'); // 07-01 … 12-31
const h2026a = periodContaining('half', '2026-03-01'); // 01-01 … 06-30
const q = (period = h2026b, memberId?: string) => ({ period, today: TODAY, members, memberId });

describe('records are dated by when they happened, not when they were saved', () => {
  it('keeps the saved time apart: a request and a rating raised in a visit take the visit’s time', () => {
    const q2 = rows.requests.find((r) => r.id === 'q2')!;
    expect(q2).toMatchObject({ occurredAt: '2026-10-15T09:00:00', createdAt: '2026-12-03T08:00:00', dueOn: '2026-10-30' }); // 10-15 + 15 days
    const q4 = rows.requests.find((r) => r.id === 'q4')!; // entered on its own: it happened when entered
    expect(q4).toMatchObject({ occurredAt: '2026-09-01T10:00:00', createdAt: '2026-09-01T10:00:00', dueOn: '2026-09-16' });
    const r2 = rows.ratings.find((r) => r.id === 'r2')!;
    expect(r2).toMatchObject({ occurredAt: '2026-10-15T09:00:00', recordedAt: '2026-12-03T08:00:00' });
  });

  it('per member: requests late against the visit’s day, ratings in the visit’s period', () => {
    const [wang, li] = teamAssessment(rows, q()); // the lead has nothing to be assessed on and is left out
    expect(wang).toMatchObject({
      memberId: M1, linkedHouseholds: 2, visitedHouseholds: 2, coverage: 1, overdueHouseholds: 2, visits: 2, // h1, h2 (due 09-09, 11-14); v5, v2
      resolved: 1, explained: 0,
      closedOnTime: 0, // q1 raised 06-28, due 07-13, resolved 07-15 (saved-time dating made it due 07-17: on time)
      overdueRequests: 2, // q1 closed late, q2 open since 10-30
      averageDaysToClose: 17, // 06-28 → 07-15
      ratings: { satisfied: 0, basically_satisfied: 1, dissatisfied: 0 }, // r1 (06-28) is the first half's; r2 (10-15)
      satisfaction: 0.5,
    });
    expect(li).toMatchObject({
      memberId: M2, linkedHouseholds: 4, visitedHouseholds: 3, coverage: 0.75, overdueHouseholds: 2, visits: 3, // h2, h3, h4 of four; h2 and h5 overdue
      resolved: 0, overdueRequests: 2, // q3 (own due 11-27), q4 (due 09-16)
      ratings: { satisfied: 1, basically_satisfied: 0, dissatisfied: 1 }, satisfaction: 0.5,
    });
  });

  it('team totals of both halves, each record in the half it happened in', () => {
    const f = leadFigures(rows, q());
    expect(f.figures).toEqual({
      households: 5, householdsLinked: 5, householdsVisited: 4, coverage: 0.8, visits: 4, concernVisits: 0,
      requestsRaised: 3, // q2, q3, q4 — q1 was raised on 06-28 (saved 07-02)
      resolved: 1, explained: 0, openAtEnd: 3,
      ratings: 3, satisfied: 1, basicallySatisfied: 1, dissatisfied: 1, satisfaction: 0.5, // r2, r3, r4; r1 belongs to June
      complaints: 0,
    });
    expect(f.previous).toEqual({
      households: 5, householdsLinked: 5, householdsVisited: 1, coverage: 0.2, visits: 1, concernVisits: 0,
      requestsRaised: 1, resolved: 0, explained: 0, openAtEnd: 1, // q1, still open on 06-30
      ratings: 1, satisfied: 1, basicallySatisfied: 0, dissatisfied: 0, satisfaction: 1, complaints: 0,
    });
    expect(leadFigures(rows, q(h2026a)).figures).toEqual(f.previous);
  });

  it('satisfaction and ratings per month follow the visits (November is not "–", December is not all of them)', () => {
    const f = leadFigures(rows, q());
    expect(f.months).toEqual(['2026-07', '2026-08', '2026-09', '2026-10', '2026-11', '2026-12']);
    expect(f.satisfaction.map((m) => [m.month, m.ratings, m.score])).toEqual([
      ['2026-07', 0, undefined],
      ['2026-08', 0, undefined],
      ['2026-09', 0, undefined],
      ['2026-10', 1, 0.5], // r2 基本满意, visit of 10-15
      ['2026-11', 1, 0], // r3 不满意, visit of 11-20
      ['2026-12', 1, 1], // r4 满意, visit of 12-01
    ]);
    expect(f.visitsPerMonth).toEqual([0, 1, 0, 1, 1, 1]);
    expect(f.requestsTable.map((c) => [c.category, c.total])).toEqual([['employment', 1], ['elderly_care', 1], ['housing', 1]]);
  });

  it('a request’s age and days overdue run from when it was raised', () => {
    const board = buildBoard(rows.requests, {}, TODAY);
    expect(board.map((b) => [b.row.id, b.ageDays, b.overdue, b.daysOverdue])).toEqual([
      ['q4', 93, true, 78], // raised 09-01, due 09-16
      ['q2', 49, true, 34], // raised 10-15 (saved 12-03: it said "已 0 天", not overdue), due 10-30
      ['q3', 13, true, 6], // raised 11-20, own due 11-27
      ['q1', 17, true, 0], // closed 07-15, two days late
    ]);
    const problems = leadFigures(rows, q()).problems;
    expect(problems.overdueRequests.map((o) => [o.row.id, o.daysOverdue])).toEqual([['q4', 78], ['q2', 34], ['q3', 6]]);
  });

  it('the 合计 counts the shared household and the joint visit once, as the team figures do', () => {
    const f = leadFigures(rows, q());
    const total = assessmentTotal(f.assessment);
    expect(total).toMatchObject({
      linkedHouseholds: 5, visitedHouseholds: 4, coverage: 0.8, // not 6 / 5 / 83 %: h2 is linked to both
      overdueHouseholds: 3, // h1, h2, h5 (not 4)
      visits: 4, // v2 was made together (not 5)
      resolved: 1, explained: 0, closedOnTime: 0, overdueRequests: 4, averageDaysToClose: 17,
      ratings: { satisfied: 1, basically_satisfied: 1, dissatisfied: 1 }, satisfaction: 0.5, complaints: 0,
    });
    expect([total.linkedHouseholds, total.visitedHouseholds, total.coverage, total.visits]).toEqual([f.figures.householdsLinked, f.figures.householdsVisited, f.figures.coverage, f.figures.visits]);
  });
});

describe('the event time is derived from the visit, so', () => {
  it('a visit’s corrected time moves its request and rating (no second copy to keep in step)', () => {
    const doc = householdDoc('h9', M1);
    logVisit(doc, { id: 'v9', by: [M1], visitedAt: '2026-11-30T09:00:00', savedAt: '2026-12-03T08:00:00', rating: { id: 'r9', level: 'satisfied' }, need: { id: 'q9', category: 'medical' } });
    updateVisit(doc, { id: 'v9', kind: 'home', visitorIds: [M1], visitedAt: '2026-10-30T09:00:00', observations: {}, said: '', notes: '', photos: [] }, { memberId: M1, deviceId: 'dev-test', now: '2026-12-04T08:00:00.000Z' });
    const r = rowsOf(doc);
    expect(r.requests[0]).toMatchObject({ occurredAt: '2026-10-30T09:00:00', dueOn: '2026-11-14' });
    expect(r.ratings[0]!.occurredAt).toBe('2026-10-30T09:00:00');
  });

  it('two offline edits merge: one corrects the visit’s time, the other closes its request', () => {
    const base = householdDoc('h9', M1);
    logVisit(base, { id: 'v9', by: [M1], visitedAt: '2026-11-30T09:00:00', savedAt: '2026-12-03T08:00:00', need: { id: 'q9', category: 'medical' } });
    const a = new Y.Doc();
    const b = new Y.Doc();
    Y.applyUpdate(a, Y.encodeStateAsUpdate(base));
    Y.applyUpdate(b, Y.encodeStateAsUpdate(base));
    updateVisit(a, { id: 'v9', kind: 'home', visitorIds: [M1], visitedAt: '2026-11-02T09:00:00', observations: {}, said: '', notes: '', photos: [] }, { memberId: M1, deviceId: 'dev-test', now: '2026-12-04T08:00:00.000Z' });
    setRequestStatus(b, 'q9', { status: 'resolved' }, { id: 'a9', at: '2026-12-04T10:00:00', by: M1, kind: 'status', status: 'resolved', text: '' });
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    for (const d of [a, b]) expect(rowsOf(d).requests[0]).toMatchObject({ occurredAt: '2026-11-02T09:00:00', status: 'resolved', closedAt: '2026-12-04T10:00:00', dueOn: '2026-11-17' });
  });

  it('a deleted visit’s request and rating still happened when it did', () => {
    const doc = householdDoc('h9', M1);
    logVisit(doc, { id: 'v9', by: [M1], visitedAt: '2026-10-15T09:00:00', savedAt: '2026-12-03T08:00:00', rating: { id: 'r9', level: 'satisfied' }, need: { id: 'q9', category: 'medical' } });
    deleteVisit(doc, 'v9', { memberId: M1, deviceId: 'dev-test', now: '2026-12-05T08:00:00' });
    const r = rowsOf(doc);
    expect(r.visits).toEqual([]);
    expect(r.requests[0]!.occurredAt).toBe('2026-10-15T09:00:00');
    expect(r.ratings[0]!.occurredAt).toBe('2026-10-15T09:00:00');
  });

  it('rows derived by an earlier release (no occurredAt) count by their saved time until derived again', () => {
    const { occurredAt: _q, ...oldRequest } = rows.requests.find((r) => r.id === 'q2')!;
    const { occurredAt: _r, ...oldRating } = rows.ratings.find((r) => r.id === 'r2')!;
    expect(raisedAt(oldRequest)).toBe('2026-12-03T08:00:00');
    expect(ratedAt(oldRating)).toBe('2026-12-03T08:00:00');
  });
});
