import type { HouseholdRow } from './projection';

/** Which households the assignment page lists: by area, tag, member, or only unassigned. */
export interface AssignmentFilter {
  area: string;
  tag: string;
  /** '' any, `none` unassigned, else a member id */
  linked: string;
  /** normalized search text (src/domain/search normalizeQuery) */
  query: string;
}

export const EMPTY_ASSIGNMENT_FILTER: AssignmentFilter = { area: '', tag: '', linked: '', query: '' };

const collator = new Intl.Collator('zh-CN');

/** Current households matching the filter, by area then name. Merged-away files are left out. */
export function selectHouseholds(rows: readonly HouseholdRow[], f: AssignmentFilter): HouseholdRow[] {
  return rows
    .filter((h) => {
      if (h.mergedInto || h.archived) return false;
      if (f.area && h.area !== f.area) return false;
      if (f.tag && !h.tags.includes(f.tag)) return false;
      if (f.linked === 'none' ? h.linkedMemberIds.length > 0 : f.linked && !h.linkedMemberIds.includes(f.linked)) return false;
      if (f.query && !h.searchText.includes(f.query)) return false;
      return true;
    })
    .sort((a, b) => collator.compare(a.area, b.area) || collator.compare(a.headName, b.headName) || (a.id < b.id ? -1 : 1));
}

/** Households per member (current files only), for the team overview. */
export function householdCounts(rows: readonly HouseholdRow[]): { byMember: Map<string, number>; unassigned: number } {
  const byMember = new Map<string, number>();
  let unassigned = 0;
  for (const h of rows) {
    if (h.mergedInto || h.archived) continue;
    if (h.linkedMemberIds.length === 0) unassigned++;
    for (const m of h.linkedMemberIds) byMember.set(m, (byMember.get(m) ?? 0) + 1);
  }
  return { byMember, unassigned };
}
