import { daysFrom, localDay } from './local-day';
import { raisedAt } from './event-time';
import type { RequestRow } from './projection';
import type { RequestCategory, RequestStatus } from './request';

/**
 * The lead's requests board: every request of the team, what needs the lead first —
 * overdue and escalated ones — and how the team closes them: resolved (已解决) or
 * explained (已答复, the household was given an answer: 给群众一个说法).
 */

export interface BoardFilter {
  status?: RequestStatus | 'open_any' | '';
  ownerId?: string;
  category?: RequestCategory | '';
  /** only overdue or escalated */
  attention?: boolean;
}

export interface BoardItem {
  row: RequestRow;
  /** days since raised (in its visit, not when saved), to its close when closed */
  ageDays: number;
  overdue: boolean;
  /** days past the due date (open requests), else 0 */
  daysOverdue: number;
}

// Dates compare as YYYY-MM-DD strings; the same rules as isRequestOverdue and requestAgeDays
// in dates.ts, without date-fns' parsing per row (the board re-sorts 4,000 requests at once).
/** Open past its due date, or closed after it. */
const isLate = (r: RequestRow, today: string) => (r.open === 1 || !r.closedAt ? today : localDay(r.closedAt)) > r.dueOn;
const ageDays = (r: RequestRow, today: string) => daysFrom(localDay(raisedAt(r)), r.open === 1 || !r.closedAt ? today : localDay(r.closedAt));

/** 0 overdue and escalated, 1 overdue, 2 escalated, 3 other open, 4 closed. */
export function attentionRank(row: RequestRow, today: string): number {
  if (row.open === 0) return 4;
  const overdue = isLate(row, today);
  if (overdue && row.escalated) return 0;
  if (overdue) return 1;
  if (row.escalated) return 2;
  return 3;
}

function matches(row: RequestRow, f: BoardFilter, today: string): boolean {
  if (f.status === 'open_any' && row.open !== 1) return false;
  if (f.status && f.status !== 'open_any' && row.status !== f.status) return false;
  if (f.ownerId && row.ownerId !== f.ownerId) return false;
  if (f.category && row.category !== f.category) return false;
  if (f.attention && attentionRank(row, today) > 2) return false;
  return true;
}

/**
 * Filter and order the board: overdue and escalated first, then open by due date, then
 * closed, most recently closed first.
 */
export function buildBoard(rows: readonly RequestRow[], filter: BoardFilter, today: string): BoardItem[] {
  const items = rows
    .filter((r) => matches(r, filter, today))
    .map((row) => ({ row, rank: attentionRank(row, today) }));
  items.sort((x, y) => {
    if (x.rank !== y.rank) return x.rank - y.rank;
    if (x.rank < 4) return x.row.dueOn !== y.row.dueOn ? (x.row.dueOn < y.row.dueOn ? -1 : 1) : x.row.id < y.row.id ? -1 : 1;
    const cx = x.row.closedAt ?? '';
    const cy = y.row.closedAt ?? '';
    return cx !== cy ? (cx > cy ? -1 : 1) : x.row.id < y.row.id ? -1 : 1;
  });
  return items.map(({ row }) => {
    const overdue = isLate(row, today);
    return {
      row,
      ageDays: ageDays(row, today),
      overdue,
      daysOverdue: row.open === 1 && overdue ? daysFrom(row.dueOn, today) : 0,
    };
  });
}

export interface BoardStats {
  total: number;
  open: number;
  overdue: number;
  escalated: number;
  resolved: number;
  explained: number;
  /** explained / (resolved + explained); undefined when nothing is closed */
  explainedShare?: number;
  /** mean age in days of the open requests */
  averageOpenAgeDays?: number;
  /** mean days from raised to closed */
  averageDaysToClose?: number;
}

/** Figures over a set of requests (the board's current filter, or the whole team). */
export function boardStats(rows: readonly RequestRow[], today: string): BoardStats {
  let open = 0;
  let overdue = 0;
  let escalated = 0;
  let resolved = 0;
  let explained = 0;
  let openAge = 0;
  let closeDays = 0;
  for (const r of rows) {
    if (r.open === 1) {
      open++;
      openAge += ageDays(r, today);
      if (isLate(r, today)) overdue++;
      if (r.escalated) escalated++;
    } else {
      if (r.status === 'resolved') resolved++;
      else if (r.status === 'explained') explained++;
      if (r.closedAt) closeDays += ageDays(r, today);
    }
  }
  const closed = resolved + explained;
  return {
    total: rows.length,
    open,
    overdue,
    escalated,
    resolved,
    explained,
    explainedShare: closed ? explained / closed : undefined,
    averageOpenAgeDays: open ? openAge / open : undefined,
    averageDaysToClose: closed ? closeDays / closed : undefined,
  };
}
