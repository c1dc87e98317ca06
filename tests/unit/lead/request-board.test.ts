import { describe, expect, it } from 'vitest';
import { attentionRank, boardStats, buildBoard } from '@/domain/request-board';
import { request } from './rows';

const today = '2026-06-10';
const rows = [
  request('a-open-late', 'h1', '2026-05-01T09:00:00', { dueOn: '2026-05-16' }),
  request('b-open-escalated', 'h2', '2026-06-01T09:00:00', { dueOn: '2026-06-16', escalated: 1 }),
  request('c-open-late-escalated', 'h3', '2026-05-20T09:00:00', { dueOn: '2026-06-04', escalated: 1 }),
  request('d-open', 'h1', '2026-06-05T09:00:00', { dueOn: '2026-06-20', ownerId: 'm2', category: 'housing' }),
  request('e-resolved', 'h2', '2026-04-01T09:00:00', { status: 'resolved', dueOn: '2026-04-16', closedAt: '2026-04-11T09:00:00' }),
  request('f-explained', 'h3', '2026-04-01T09:00:00', { status: 'explained', dueOn: '2026-04-16', closedAt: '2026-04-21T09:00:00', ownerId: 'm2' }),
];

describe('requests board', () => {
  it('puts overdue and escalated first, then open by due date, then the most recently closed', () => {
    expect(buildBoard(rows, {}, today).map((i) => i.row.id)).toEqual(['c-open-late-escalated', 'a-open-late', 'b-open-escalated', 'd-open', 'f-explained', 'e-resolved']);
    expect(attentionRank(rows[3]!, today)).toBe(3);
  });

  it('gives each request its age and how late it is', () => {
    const board = buildBoard(rows, {}, today);
    const late = board.find((i) => i.row.id === 'a-open-late')!;
    expect(late).toMatchObject({ ageDays: 40, overdue: true, daysOverdue: 25 });
    const explained = board.find((i) => i.row.id === 'f-explained')!;
    expect(explained).toMatchObject({ ageDays: 20, overdue: true, daysOverdue: 0 });
  });

  it('filters by status, owner, category and attention', () => {
    expect(buildBoard(rows, { ownerId: 'm2' }, today).map((i) => i.row.id)).toEqual(['d-open', 'f-explained']);
    expect(buildBoard(rows, { category: 'housing' }, today).map((i) => i.row.id)).toEqual(['d-open']);
    expect(buildBoard(rows, { status: 'open_any' }, today)).toHaveLength(4);
    expect(buildBoard(rows, { status: 'explained' }, today).map((i) => i.row.id)).toEqual(['f-explained']);
    expect(buildBoard(rows, { attention: true }, today).map((i) => i.row.id)).toEqual(['c-open-late-escalated', 'a-open-late', 'b-open-escalated']);
  });

  it('counts how many were explained rather than resolved', () => {
    const s = boardStats(rows, today);
    expect(s).toMatchObject({ total: 6, open: 4, overdue: 2, escalated: 2, resolved: 1, explained: 1, explainedShare: 0.5 });
    // ages of the open ones: 40, 9, 21, 5
    expect(s.averageOpenAgeDays).toBeCloseTo(18.75);
    // closed in 10 and 20 days
    expect(s.averageDaysToClose).toBe(15);
    expect(boardStats([], today).explainedShare).toBeUndefined();
  });
});
