import { describe, expect, it } from 'vitest';
import { assess, periodContaining, previousPeriod } from '@/domain/assessment';
import type { HouseholdRow, RequestRow, VisitRow } from '@/domain/projection';

const hh = (id: string, linked: string[], nextDueOn: string, over: Partial<HouseholdRow> = {}): HouseholdRow => ({
  id, teamId: 't', headName: id, phone: '', area: 'A', address: 'A', tags: [], linkedMemberIds: linked, createdBy: 'm1', createdAt: '2026-01-01T00:00:00Z',
  memberCount: 1, nextDueOn, visitCount: 0, openRequestCount: 0, hasGps: 0, archived: 0, searchText: '', docVersion: '1', ...over,
});
const visit = (id: string, householdId: string, visitors: string[], visitedAt: string): VisitRow => ({
  id, householdId, docHouseholdId: householdId, kind: 'home', visitorIds: visitors, createdBy: visitors[0]!, visitedAt, visitedOn: visitedAt.slice(0, 10), photoCount: 0, concerns: [], summary: '', docVersion: '1',
});
const req = (id: string, ownerId: string, status: RequestRow['status'], createdAt: string, dueOn: string, closedAt?: string): RequestRow => ({
  id, householdId: 'h1', docHouseholdId: 'h1', category: 'medical', status, open: status === 'resolved' || status === 'explained' ? 0 : 1, ownerId, createdBy: ownerId,
  dueOn, hasOwnDueDate: 1, escalated: 0, createdAt, closedAt, actionCount: 0, summary: '', docVersion: '1',
});

describe('periods', () => {
  it('finds months, quarters, halves and years, and the one before', () => {
    expect(periodContaining('month', '2028-02-15')).toEqual({ kind: 'month', from: '2028-02-01', to: '2028-02-29' });
    expect(periodContaining('quarter', '2026-05-15')).toEqual({ kind: 'quarter', from: '2026-04-01', to: '2026-06-30' });
    expect(periodContaining('half', '2026-11-22')).toEqual({ kind: 'half', from: '2026-07-01', to: '2026-12-31' });
    expect(periodContaining('year', '2026-11-22')).toEqual({ kind: 'year', from: '2026-01-01', to: '2026-12-31' });
    expect(previousPeriod(periodContaining('half', '2026-03-01'))).toEqual({ kind: 'half', from: '2025-07-01', to: '2025-12-31' });
  });
});

describe('assessment against a hand-computed fixture', () => {
  // First half of 2026, assessed on 2026-07-10 (after the period ended).
  const period = periodContaining('half', '2026-03-01');
  const members = [
    { id: 'm1', name: '王芳', role: 'member' as const, joinedAt: '2025-01-01' },
    { id: 'm2', name: '李强', role: 'member' as const, joinedAt: '2025-01-01' },
  ];
  const households = [
    hh('h1', ['m1'], '2026-07-15'),
    hh('h2', ['m1'], '2026-06-20'), // overdue at 06-30
    hh('h3', ['m1', 'm2'], '2026-06-30'), // due on the last day: not overdue
    hh('h4', ['m2'], '2026-05-01'), // overdue
    hh('h5', ['m1'], '2026-01-01', { mergedInto: 'h1' }), // merged away: not counted
  ];
  const visits = [
    visit('v1', 'h1', ['m1'], '2026-02-01T09:00:00'),
    visit('v2', 'h1', ['m1'], '2026-05-01T09:00:00'),
    visit('v3', 'h3', ['m1', 'm2'], '2026-03-03T09:00:00'),
    visit('v4', 'h2', ['m1'], '2025-12-31T09:00:00'), // before the period
    visit('v5', 'h4', ['m1'], '2026-04-01T09:00:00'), // m1 visited a household not linked to m1
  ];
  const requests = [
    req('q1', 'm1', 'resolved', '2026-02-01T10:00:00', '2026-02-16', '2026-02-11T10:00:00'), // 10 days, on time
    req('q2', 'm1', 'explained', '2026-03-01T10:00:00', '2026-03-16', '2026-03-21T10:00:00'), // 20 days, late
    req('q3', 'm1', 'open', '2026-06-01T10:00:00', '2026-06-16'), // open past due at 06-30
    req('q4', 'm1', 'open', '2026-06-25T10:00:00', '2026-07-10'), // open, not yet due
    req('q5', 'm2', 'resolved', '2026-01-05T10:00:00', '2026-01-20', '2026-01-06T10:00:00'),
  ];
  const ratings = [
    { id: 'r1', householdId: 'h1', docHouseholdId: 'h1', subjectKind: 'visit' as const, subjectId: 'v1', memberId: 'm1', level: 'satisfied' as const, recordedAt: '2026-02-01T09:30:00', docVersion: '1' },
    { id: 'r2', householdId: 'h1', docHouseholdId: 'h1', subjectKind: 'visit' as const, subjectId: 'v2', memberId: 'm1', level: 'basically_satisfied' as const, recordedAt: '2026-05-01T09:30:00', docVersion: '1' },
    { id: 'r3', householdId: 'h3', docHouseholdId: 'h3', subjectKind: 'visit' as const, subjectId: 'v3', memberId: 'm1', level: 'dissatisfied' as const, recordedAt: '2026-03-03T09:30:00', docVersion: '1' },
  ];
  const complaints = [{ id: 'c1', householdId: 'h2', docHouseholdId: 'h2', aboutMemberId: 'm1', recordedAt: '2026-04-04T10:00:00', handled: 0 as const, summary: '', docVersion: '1' }];

  const [m1, m2] = assess({ members, households, visits, requests, ratings, complaints, period, today: '2026-07-10' });

  it('counts coverage over linked households only', () => {
    expect(m1).toMatchObject({ linkedHouseholds: 3, visitedHouseholds: 2, overdueHouseholds: 1, visits: 4 });
    expect(m1!.coverage).toBeCloseTo(2 / 3);
    expect(m2).toMatchObject({ linkedHouseholds: 2, visitedHouseholds: 1, overdueHouseholds: 1, visits: 1, coverage: 0.5 });
  });

  it('counts requests closed, explained, late and open past due', () => {
    expect(m1).toMatchObject({ resolved: 1, explained: 1, closedOnTime: 1, overdueRequests: 2, averageDaysToClose: 15 });
    expect(m2).toMatchObject({ resolved: 1, explained: 0, closedOnTime: 1, overdueRequests: 0, averageDaysToClose: 1 });
  });

  it('scores satisfaction with 基本满意 as half and counts complaints', () => {
    expect(m1!.ratings).toEqual({ satisfied: 1, basically_satisfied: 1, dissatisfied: 1 });
    expect(m1!.satisfaction).toBeCloseTo(0.5);
    expect(m1!.complaints).toBe(1);
    expect(m2!.satisfaction).toBeUndefined();
  });
});
