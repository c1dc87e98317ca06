import { defineStore } from 'pinia';
import { computed, shallowRef } from 'vue';
import type * as Y from 'yjs';
import { localRecords } from '@/db/instance';
import { isLocalTeam } from '@/db/identity';
import { readTeam, type TeamSnapshot } from '@/docs/team-doc';
import { teamDocName } from '@/docs/schema';
import { DEFAULT_TEAM_SETTINGS, type TeamSettings } from '@/domain/team';
import { rememberRoster } from './remembered-roster';

/** What a list's first screen needs of the team, kept with it between starts. */
export type RememberedTeam = Pick<TeamSnapshot, 'settings' | 'tags'>;

/**
 * The team as this device knows it: roster names, custom tags and settings, read from the
 * team doc and kept current as sync brings changes. A device working alone has no team doc.
 */
export const useTeamStore = defineStore('team', () => {
  const snapshot = shallowRef<TeamSnapshot | undefined>();
  // Until the team doc is read (after a cold start's first screen), what the last start knew.
  const remembered = shallowRef<RememberedTeam | undefined>();
  let detach: (() => void) | undefined;

  const settings = computed<TeamSettings>(() => snapshot.value?.settings ?? remembered.value?.settings ?? DEFAULT_TEAM_SETTINGS);
  const customTags = computed(() => snapshot.value?.tags ?? remembered.value?.tags ?? []);
  const memberNames = computed(() => new Map((snapshot.value?.members ?? []).map((m) => [m.id, m.name])));

  async function open(teamId: string | undefined): Promise<void> {
    detach?.();
    detach = undefined;
    snapshot.value = undefined;
    if (!teamId || isLocalTeam(teamId)) return;
    const doc: Y.Doc = await localRecords().doc(teamDocName(teamId));
    const dbName = localRecords().db.name;
    const refresh = () => {
      snapshot.value = readTeam(doc);
      // Lead pages start with it before this doc is read at the next start.
      rememberRoster(dbName, snapshot.value.members);
    };
    doc.on('update', refresh);
    detach = () => doc.off('update', refresh);
    refresh();
    performance.mark('lianhu:start:team-read');
  }

  /** Settings and tags kept from the last start, shown until the team doc is read. */
  function remember(team: RememberedTeam): void {
    remembered.value = team;
  }

  return { snapshot, settings, customTags, memberNames, open, remember };
});
