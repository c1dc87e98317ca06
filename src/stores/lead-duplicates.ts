import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { localRecords } from '@/db/instance';
import { findDuplicatePairs, pairKey, suggestMergeTarget, type DuplicatePair } from '@/domain/duplicate-pairs';
import type { HouseholdRow } from '@/domain/projection';
import { useHouseholdsStore } from './households';
import { useLeadTeamStore } from './lead-team';

const DISMISSED_KEY = 'lead.duplicates.dismissed';
/**
 * Across a whole team a shared name alone (0.4) is common — 王秀英 lives in many villages —
 * so the lead's list starts from a second signal; the single-signal pairs are one tap away.
 */
export const STRONG_PAIR_SCORE = 0.5;

export interface DuplicateCandidatePair extends DuplicatePair {
  /** the file the lead is offered to keep, and the one merged into it */
  target: HouseholdRow;
  source: HouseholdRow;
}

/**
 * Duplicate households across the team (同一户登记了两次): candidates scored by name and
 * pinyin, phone, address and distance; the lead merges one file into the other (by
 * reference, undoable) or dismisses the pair. Dismissals are this device's own list.
 */
export const useLeadDuplicatesStore = defineStore('lead-duplicates', () => {
  const households = useHouseholdsStore();
  const team = useLeadTeamStore();
  const dismissed = ref<Set<string>>(new Set());
  const showWeak = ref(false);
  let dismissedLoaded = false;

  async function loadDismissed(): Promise<void> {
    if (dismissedLoaded) return;
    const saved = (await localRecords().db.settings.get(DISMISSED_KEY))?.value;
    dismissed.value = new Set(Array.isArray(saved) ? saved.filter((x): x is string => typeof x === 'string') : []);
    dismissedLoaded = true;
  }

  const current = computed(() => households.rows.filter((r) => !r.mergedInto && !r.archived));

  /** Scored candidates, best first (blocked by name, pinyin, phone and address: ~70 ms for 2,000). */
  const allPairs = computed<DuplicateCandidatePair[]>(() => {
    const byId = households.byId;
    const candidates = current.value.map((r) => ({ id: r.id, headName: r.headName, phones: r.phone ? [r.phone] : [], address: r.address, area: r.area, lat: r.lat, lng: r.lng }));
    return findDuplicatePairs(candidates, { dismissed: dismissed.value }).flatMap((p) => {
      const a = byId.get(p.a);
      const b = byId.get(p.b);
      if (!a || !b) return [];
      const { targetId } = suggestMergeTarget(a, b);
      return [{ ...p, target: targetId === a.id ? a : b, source: targetId === a.id ? b : a }];
    });
  });

  const weakCount = computed(() => allPairs.value.filter((p) => p.score < STRONG_PAIR_SCORE).length);
  const pairs = computed(() => (showWeak.value ? allPairs.value : allPairs.value.filter((p) => p.score >= STRONG_PAIR_SCORE)));

  /** Households merged into another, newest merge first (for undo). */
  const merged = computed(() => {
    const byId = households.byId;
    return [...team.merges.entries()].flatMap(([sourceId, targetId]) => {
      const source = byId.get(sourceId);
      return source ? [{ source, targetId, target: byId.get(source.mergedInto ?? targetId) }] : [];
    });
  });

  async function dismiss(a: string, b: string): Promise<void> {
    const next = new Set(dismissed.value);
    next.add(pairKey(a, b));
    await localRecords().db.settings.put({ key: DISMISSED_KEY, value: [...next] });
    dismissed.value = next;
  }

  async function restoreDismissed(): Promise<void> {
    await localRecords().db.settings.delete(DISMISSED_KEY);
    dismissed.value = new Set();
  }

  return { dismissed, showWeak, weakCount, pairs, merged, loadDismissed, dismiss, restoreDismissed, merge: team.merge, unmerge: team.unmerge };
});
