import type { ComplaintRow, HouseholdRow, RatingRow, RequestRow, VisitRow } from '@/domain/projection';

/** Projection rows for hand-computed fixtures: only what a test says differs from a default. */

export const household = (id: string, over: Partial<HouseholdRow> = {}): HouseholdRow => ({
  id, teamId: 't', headName: id, phone: '', area: '东山林场', address: '东山林场', tags: [], linkedMemberIds: [], createdBy: 'm1', createdAt: '2026-01-01T00:00:00Z',
  memberCount: 1, nextDueOn: '2026-12-31', visitCount: 0, openRequestCount: 0, hasGps: 0, archived: 0, searchText: '', docVersion: '1', ...over,
});

export const visit = (id: string, householdId: string, visitedAt: string, over: Partial<VisitRow> = {}): VisitRow => ({
  id, householdId, docHouseholdId: householdId, kind: 'home', visitorIds: ['m1'], createdBy: 'm1', visitedAt, visitedOn: visitedAt.slice(0, 10), photoCount: 0, concerns: [], summary: '', docVersion: '1', ...over,
});

export const request = (id: string, householdId: string, createdAt: string, over: Partial<RequestRow> = {}): RequestRow => {
  const status = over.status ?? 'open';
  return {
    id, householdId, docHouseholdId: householdId, category: 'medical', status, open: status === 'resolved' || status === 'explained' ? 0 : 1, ownerId: 'm1', createdBy: 'm1',
    dueOn: '2026-12-31', hasOwnDueDate: 1, escalated: 0, createdAt, actionCount: 0, summary: '', docVersion: '1', ...over,
  };
};

export const rating = (id: string, householdId: string, recordedAt: string, level: RatingRow['level'], over: Partial<RatingRow> = {}): RatingRow => ({
  id, householdId, docHouseholdId: householdId, subjectKind: 'visit', subjectId: 'v', memberId: 'm1', level, recordedAt, docVersion: '1', ...over,
});

export const complaint = (id: string, householdId: string, recordedAt: string, over: Partial<ComplaintRow> = {}): ComplaintRow => ({
  id, householdId, docHouseholdId: householdId, aboutMemberId: 'm1', recordedAt, handled: 0, summary: '', docVersion: '1', ...over,
});
