import { describe, expect, it } from 'vitest';
import { periodContaining } from '@/domain/assessment';
import { notableHouseholds, openProblems, periodFigures } from '@/domain/summary';
import { complaint, household, rating, request, visit } from './rows';

// First half of 2026, looked at on 2026-07-10.
const period = periodContaining('half', '2026-03-01');
const today = '2026-07-10';
const households = [
  household('h1', { linkedMemberIds: ['m1'] }),
  household('h2', { linkedMemberIds: ['m1'] }),
  household('h3', { linkedMemberIds: ['m2'] }),
  household('h4'),
  household('h5', { linkedMemberIds: ['m1'], mergedInto: 'h1' }),
];
const visits = [
  visit('v1', 'h1', '2026-02-01T09:00:00', { concerns: ['housing'] }),
  visit('v2', 'h1', '2026-05-01T09:00:00'),
  visit('v3', 'h2', '2026-03-01T09:00:00', { concerns: ['health', 'income'] }),
  visit('v4', 'h3', '2025-12-01T09:00:00'),
];
const requests = [
  request('q1', 'h2', '2026-05-01T09:00:00', { dueOn: '2026-05-16' }), // open, 45 days late at 06-30
  request('q2', 'h3', '2026-06-20T09:00:00', { dueOn: '2026-07-05', escalated: 1 }), // escalated, not late at 06-30
  request('q3', 'h1', '2026-03-01T09:00:00', { status: 'resolved', dueOn: '2026-03-16', closedAt: '2026-03-10T09:00:00' }),
  request('q4', 'h1', '2026-04-01T09:00:00', { status: 'explained', dueOn: '2026-04-16', closedAt: '2026-07-02T09:00:00' }), // closed after the period: open and late at its end
];
const ratings = [rating('r1', 'h1', '2026-02-01T10:00:00', 'satisfied'), rating('r2', 'h2', '2026-03-01T10:00:00', 'dissatisfied'), rating('r3', 'h3', '2026-08-01T10:00:00', 'dissatisfied')];
const complaints = [complaint('c1', 'h2', '2026-04-04T10:00:00'), complaint('c2', 'h3', '2026-04-04T10:00:00', { handled: 1 })];
const input = { households, visits, requests, ratings, complaints };

describe('summary of a period', () => {
  it('adds up the team figures', () => {
    expect(periodFigures(input, period, today)).toEqual({
      households: 4, householdsLinked: 3, householdsVisited: 2, coverage: 2 / 3, visits: 3, concernVisits: 2, requestsRaised: 4, resolved: 1, explained: 0,
      openAtEnd: 3, ratings: 2, satisfied: 1, basicallySatisfied: 0, dissatisfied: 1, satisfaction: 0.5, complaints: 2,
    });
  });

  it('points at households with dissatisfaction, complaints, overdue requests and hardship', () => {
    const n = notableHouseholds(input, period, today);
    // h2: dissatisfied 3 + complaint 3 + overdue q1 2 + concern visit 1 + open 0.5 = 9.5
    // h1: overdue q4 (closed only after the period) 2 + concern visit 1 + open 0.5 = 3.5
    // h3: a complaint 3 (handled, but made in the period) + escalated open q2 0.5 = 3.5
    expect(n.map((x) => [x.householdId, x.weight])).toEqual([['h2', 9.5], ['h1', 3.5], ['h3', 3.5]]);
    expect(n[0]).toMatchObject({ dissatisfied: 1, complaints: 1, overdueRequests: 1, concernVisits: 1, openRequests: 1 });
  });

  it('lists the problems still open at the end of the period', () => {
    const p = openProblems(input, period, today);
    expect(p.overdueRequests.map((o) => [o.row.id, o.daysOverdue])).toEqual([['q4', 75], ['q1', 45]]);
    expect(p.escalatedOpen.map((r) => r.id)).toEqual(['q2']);
    expect(p.unvisitedHouseholds.map((h) => h.id)).toEqual(['h3']);
    expect(p.unassignedHouseholds.map((h) => h.id)).toEqual(['h4']);
    expect(p.unhandledComplaints.map((c) => c.id)).toEqual(['c1']);
  });
});
