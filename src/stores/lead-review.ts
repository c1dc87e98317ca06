import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { localRecords } from '@/db/instance';
import { reviewVisit } from '@/docs/household-doc';
import { householdDocName } from '@/docs/schema';
import { ValidationError } from '@/domain/errors';
import type { VisitRow } from '@/domain/projection';
import { msg, parseWith } from '@/domain/validation';
import { reviewInputSchema } from '@/domain/visit';
import { EMPTY_REVIEW_FILTER, reviewFeed, type ReviewFilter } from '@/domain/review-feed';
import { useHouseholdsStore } from './households';
import { useIdentityStore } from './identity';
import { useLeadRecordsStore } from './lead-records';

const PAGE = 40;

/**
 * 讲评: the lead reads the team's visits as one feed and marks each reviewed, or "needs
 * correction" with a comment. The review is written into the household doc that holds the
 * visit (a merged file's visits stay in their own docs), so the member sees it there.
 */
export const useLeadReviewStore = defineStore('lead-review', () => {
  const identity = useIdentityStore();
  const households = useHouseholdsStore();
  const records = useLeadRecordsStore();
  const filter = ref<ReviewFilter>({ ...EMPTY_REVIEW_FILTER, review: 'unreviewed' });
  const shown = ref(PAGE);

  const feed = computed(() => reviewFeed(records.visits, households.byId, filter.value));
  const visible = computed(() => feed.value.slice(0, shown.value));
  const unreviewedCount = computed(() => records.visits.filter((x) => !x.reviewStatus).length);

  function showMore(): void {
    shown.value += PAGE;
  }

  function setFilter(next: Partial<ReviewFilter>): void {
    filter.value = { ...filter.value, ...next };
    shown.value = PAGE;
  }

  /** Mark a visit; "needs correction" must say what to correct. */
  async function review(visit: Pick<VisitRow, 'id' | 'docHouseholdId'>, input: { status: string; comment: string }): Promise<void> {
    const parsed = parseWith(reviewInputSchema, input);
    if (parsed.status === 'needs_correction' && !parsed.comment) throw new ValidationError([{ path: 'comment', messageKey: msg.required }]);
    const at = new Date().toISOString();
    await localRecords().commit(householdDocName(identity.teamId, visit.docHouseholdId), (doc) =>
      reviewVisit(doc, visit.id, { status: parsed.status, comment: parsed.comment, by: identity.memberId, at }),
    );
  }

  return { filter, shown, feed, visible, unreviewedCount, showMore, setFilter, review };
});
