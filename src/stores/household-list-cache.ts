import { defineStore } from 'pinia';
import { shallowRef, watch } from 'vue';
import { localRecords } from '@/db/instance';
import type { HouseholdRow } from '@/domain/projection';
import { useHouseholdsStore } from './households';
import { useIdentityStore } from './identity';
import { useTeamStore, type RememberedTeam } from './team';

/** A phone shows about seven cards; a few more cover a tall screen. */
export const FIRST_SCREEN_ROWS = 12;
const KEY = 'households.firstScreen';
const SAVE_DELAY_MS = 1000;

interface FirstScreen {
  /** whose list it is: another member or team on this device sees nothing of it */
  memberId: string;
  teamId: string;
  rows: HouseholdRow[];
  /** the team's due-soon days and tag labels the cards were drawn with */
  team?: RememberedTeam;
}

/**
 * The sorted first screen of "my households", kept between starts (one settings row) so a
 * cold start shows it at once, while the 2,000 rows are still being read. Written a moment
 * after the list's top changes; the real rows replace it as soon as they are loaded.
 */
export const useHouseholdListCache = defineStore('household-list-cache', () => {
  const households = useHouseholdsStore();
  const identity = useIdentityStore();
  const team = useTeamStore();
  const rows = shallowRef<HouseholdRow[]>([]);
  let started = false;
  let saved = '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopWatch: (() => void) | undefined;

  let starting: Promise<void> | undefined;

  /** Show the kept first screen (once the rows are read, keep it current); resolves once it is read. */
  function start(): Promise<void> {
    if (!started) {
      started = true;
      starting = read();
    }
    return starting!;
  }

  async function read(): Promise<void> {
    const { db } = localRecords();
    try {
      const cached = (await db.settings.get(KEY))?.value as FirstScreen | undefined;
      if (cached && cached.memberId === identity.memberId && cached.teamId === identity.teamId && !households.loaded) {
        if (cached.team && !team.snapshot) team.remember(cached.team);
        rows.value = cached.rows;
      }
      saved = cached ? signature(cached.rows, cached.team) : '';
    } catch {
      // No cache: the list shows when its rows are read.
    }
    stopWatch = watch(
      () => (households.loaded && (team.snapshot || identity.isLocal) ? households.mine.slice(0, FIRST_SCREEN_ROWS) : undefined),
      (top) => {
        if (!top) return;
        rows.value = [];
        if (signature(top, rememberedTeam()) === saved) return;
        clearTimeout(timer);
        timer = setTimeout(() => void save(top), SAVE_DELAY_MS);
      },
      { immediate: true },
    );
  }

  const rememberedTeam = (): RememberedTeam => ({ settings: team.settings, tags: team.customTags });

  async function save(top: HouseholdRow[]): Promise<void> {
    const kept = rememberedTeam();
    const sig = signature(top, kept);
    if (sig === saved) return;
    try {
      // Search text is not shown and is the biggest field: leave it out.
      const value: FirstScreen = { memberId: identity.memberId, teamId: identity.teamId, rows: top.map((r) => ({ ...r, searchText: '' })), team: kept };
      await localRecords().db.settings.put({ key: KEY, value });
      saved = sig;
    } catch {
      // A full disk only costs the next cold start its head start.
    }
  }

  /** Stop keeping the first screen (the app going away; a test's next database). */
  function stop(): void {
    stopWatch?.();
    stopWatch = undefined;
    clearTimeout(timer);
    started = false;
    starting = undefined;
  }

  return { rows, start, stop };
});

const signature = (rows: readonly HouseholdRow[], team: RememberedTeam | undefined) => `${rows.map((r) => `${r.id}@${r.docVersion}`).join(',')};${JSON.stringify(team ?? null)}`;
