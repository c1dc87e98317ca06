import { defineStore } from 'pinia';
import { computed, shallowRef } from 'vue';
import type * as Y from 'yjs';
import { localRecords } from '@/db/instance';
import { isLocalTeam } from '@/db/identity';
import { readTeam, type TeamSnapshot } from '@/docs/team-doc';
import { teamDocName } from '@/docs/schema';
import { DEFAULT_TEAM_SETTINGS, type TeamSettings } from '@/domain/team';

/**
 * The team as this device knows it: roster names, custom tags and settings, read from the
 * team doc and kept current as sync brings changes. A device working alone has no team doc.
 */
export const useTeamStore = defineStore('team', () => {
  const snapshot = shallowRef<TeamSnapshot | undefined>();
  let detach: (() => void) | undefined;

  const settings = computed<TeamSettings>(() => snapshot.value?.settings ?? DEFAULT_TEAM_SETTINGS);
  const customTags = computed(() => snapshot.value?.tags ?? []);
  const memberNames = computed(() => new Map((snapshot.value?.members ?? []).map((m) => [m.id, m.name])));

  async function open(teamId: string | undefined): Promise<void> {
    detach?.();
    detach = undefined;
    snapshot.value = undefined;
    if (!teamId || isLocalTeam(teamId)) return;
    const doc: Y.Doc = await localRecords().doc(teamDocName(teamId));
    const refresh = () => {
      snapshot.value = readTeam(doc);
    };
    doc.on('update', refresh);
    detach = () => doc.off('update', refresh);
    refresh();
  }

  return { snapshot, settings, customTags, memberNames, open };
});
