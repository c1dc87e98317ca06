import type { Period } from './assessment';
import type { HouseholdRow, VisitRow } from './projection';
import type { VisitKind } from './visit';

/** The review feed's filters; empty means "any". */
export interface ReviewFilter {
  memberId: string;
  area: string;
  tag: string;
  kind: VisitKind | '';
  period?: Period;
  /** `unreviewed`, a review status, or '' for all */
  review: 'unreviewed' | 'reviewed' | 'needs_correction' | '';
}

export const EMPTY_REVIEW_FILTER: ReviewFilter = { memberId: '', area: '', tag: '', kind: '', review: '' };

/**
 * The team's visits that match, newest first. Area and tag are the household's (the merge
 * group root's), since the visit itself has neither.
 */
export function reviewFeed(visits: readonly VisitRow[], households: ReadonlyMap<string, HouseholdRow>, f: ReviewFilter): VisitRow[] {
  const out = visits.filter((v) => {
    if (f.memberId && !v.visitorIds.includes(f.memberId)) return false;
    if (f.kind && v.kind !== f.kind) return false;
    if (f.period && (v.visitedOn < f.period.from || v.visitedOn > f.period.to)) return false;
    if (f.review === 'unreviewed' ? v.reviewStatus : f.review && v.reviewStatus !== f.review) return false;
    if (f.area || f.tag) {
      const h = households.get(v.householdId);
      if (!h) return false;
      if (f.area && h.area !== f.area) return false;
      if (f.tag && !h.tags.includes(f.tag)) return false;
    }
    return true;
  });
  return out.sort((a, b) => (a.visitedAt !== b.visitedAt ? (a.visitedAt < b.visitedAt ? 1 : -1) : a.id < b.id ? 1 : -1));
}
