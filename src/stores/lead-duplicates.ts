import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type * as Y from 'yjs';
import { localRecords } from '@/db/instance';
import { teamDocName } from '@/docs/schema';
import { dismissDuplicatePair, readDismissedPairs, restoreDuplicatePairs } from '@/docs/team-doc';
import { findDuplicatePairs, pairKey, suggestMergeTarget, type DuplicatePair } from '@/domain/duplicate-pairs';
import type { HouseholdRow } from '@/domain/projection';
import { useHouseholdsStore } from './households';
import { useIdentityStore } from './identity';
import { useLeadTeamStore } from './lead-team';

/** Where a release before the team kept them stored this device's dismissals: moved into the team doc once. */
const DEVICE_DISMISSED_KEY = 'lead.duplicates.dismissed';
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
 * reference, undoable) or dismisses the pair. Dismissals are the team's (the team doc's
 * `duplicateDismissals`): a pair dismissed on one lead device is gone on the others.
 */
export const useLeadDuplicatesStore = defineStore('lead-duplicates', () => {
  const households = useHouseholdsStore();
  const team = useLeadTeamStore();
  const identity = useIdentityStore();
  const dismissed = ref<Set<string>>(new Set());
  const showWeak = ref(false);
  let loading: Promise<void> | undefined;

  const teamDoc = () => teamDocName(identity.teamId);
  const by = () => ({ memberId: identity.memberId, now: new Date().toISOString() });

  /** Follow the team doc's dismissals; a list this device kept before moves into it first. */
  function loadDismissed(): Promise<void> {
    loading ??= (async () => {
      const records = localRecords();
      const doc: Y.Doc = await records.doc(teamDoc());
      const refresh = () => {
        dismissed.value = readDismissedPairs(doc);
      };
      doc.on('update', refresh);
      refresh();
      const saved = (await records.db.settings.get(DEVICE_DISMISSED_KEY))?.value;
      const pairs = Array.isArray(saved) ? saved.filter((x): x is string => typeof x === 'string' && x.split('|').length === 2) : [];
      if (pairs.length) {
        await records.commit(teamDoc(), (d) => {
          for (const key of pairs) {
            const [a, b] = key.split('|') as [string, string];
            // A key of the wrong form (no valid ids) is dropped, not carried into the team doc.
            try {
              dismissDuplicatePair(d, a, b, by());
            } catch {
              /* left out */
            }
          }
        });
      }
      if (saved !== undefined) await records.db.settings.delete(DEVICE_DISMISSED_KEY);
    })();
    return loading;
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
    await loadDismissed();
    await localRecords().commit(teamDoc(), (doc) => dismissDuplicatePair(doc, a, b, by()));
    dismissed.value = new Set([...dismissed.value, pairKey(a, b)]);
  }

  async function restoreDismissed(): Promise<void> {
    await loadDismissed();
    await localRecords().commit(teamDoc(), (doc) => restoreDuplicatePairs(doc));
    dismissed.value = new Set();
  }

  return { dismissed, showWeak, weakCount, pairs, merged, loadDismissed, dismiss, restoreDismissed, merge: team.merge, unmerge: team.unmerge };
});
