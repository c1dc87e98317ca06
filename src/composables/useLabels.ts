import { useCachedT } from './useCachedT';
import { VULNERABILITY_TAGS } from '@/domain/household';
import { useIdentityStore } from '@/stores/identity';
import { useTeamStore } from '@/stores/team';

/** Display names for things stored as keys: tags (built-in or the team's own) and members. */
export function useLabels() {
  const t = useCachedT();
  const team = useTeamStore();
  const identity = useIdentityStore();

  function tagLabel(key: string): string {
    if ((VULNERABILITY_TAGS as readonly string[]).includes(key)) return t(`field.tags.${key}`);
    return team.customTags.find((c) => c.key === key)?.label ?? key;
  }

  function memberName(id: string): string {
    if (id === identity.memberId) return identity.identity?.memberName ?? id;
    return team.memberNames.get(id) ?? t('field.unknownMember');
  }

  return { tagLabel, memberName };
}
