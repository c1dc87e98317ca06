import { computed } from 'vue';
import { useI18n } from 'vue-i18n';
import { useIdentityStore } from '@/stores/identity';
import { useSyncStore } from '@/stores/sync';

/**
 * Whether the team's records are all on this device (the lead's first sync finished), and
 * the sentence that says they are not. A lead working alone (no team on a relay) has
 * everything already.
 */
export function useTeamRecords() {
  const { t, locale } = useI18n();
  const sync = useSyncStore();
  const identity = useIdentityStore();
  const complete = computed(() => identity.isLocal || sync.status.teamRecords.complete);
  const notice = computed(() => {
    if (complete.value) return undefined;
    const { done, total } = sync.status.teamRecords;
    if (done === undefined || total === undefined) return t('lead.incomplete.waiting');
    return t('lead.incomplete.downloading', { done: done.toLocaleString(locale.value), total: total.toLocaleString(locale.value) });
  });
  return { complete, notice };
}
