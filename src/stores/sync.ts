import { defineStore } from 'pinia';
import { computed, shallowRef, watch } from 'vue';
import { saveRelayUrl } from '@/sync/relay-url';
import { localRecords } from '@/db/instance';
import type { CarriedFile } from '@/sync/carried-files';
import type { ImportOutcome } from '@/sync/file-import';
import type { ExportResult } from '@/sync/file-sync';
import { INITIAL_STATUS, type SyncStatus } from '@/sync/status';
import { useIdentityStore } from './identity';

/**
 * Sync as the member sees it: state (offline / connecting / syncing / synced / error with a
 * reason), when it last finished, what is not on the server yet (households, photos, and
 * which households), progress of a long first sync. Fed by the sync engine's status; every
 * figure comes from what is durable on the phone, so "synced" is only shown when it is true.
 */
/**
 * The sync engine and everything it needs (transport, catch-up, files, the API contract)
 * load after a cold start's first screen, when sync starts: a third of the app's start-up
 * script that the first screen does not use.
 */
const sync = () => import('@/sync/instance');

export const useSyncStore = defineStore('sync', () => {
  const status = shallowRef<SyncStatus>({ ...INITIAL_STATUS });
  let started = false;

  const state = computed(() => status.value.state);
  const reason = computed(() => status.value.reason);
  const lastSyncedAt = computed(() => status.value.lastSyncedAt);
  const pendingHouseholds = computed(() => status.value.pendingHouseholds);
  const pendingPhotos = computed(() => status.value.pendingPhotos);
  const progress = computed(() => status.value.progress);
  /** whether the team's records are all on this device (lead figures are partial until then) */
  const teamRecords = computed(() => status.value.teamRecords);
  const unsyncedIds = computed(() => new Set(status.value.unsyncedHouseholdIds));
  const reassignedIds = computed(() => new Set(status.value.revokedHouseholdIds));

  /** Start syncing (after the identity is loaded); later calls do nothing. */
  async function start(): Promise<void> {
    if (started) return;
    started = true;
    const engine = (await sync()).syncEngine();
    engine.onStatus((s) => {
      status.value = s;
    });
    await engine.start();
    // Joining a team, or joining again after a revocation (a new device id for the same
    // team), changes what to sync with: sync at once.
    const identity = useIdentityStore();
    watch(
      () => `${identity.teamId}|${identity.identity?.deviceId ?? ''}`,
      () => void engine.syncNow(),
    );
  }

  /** Sync now (the "sync" button); resolves when the run is over. */
  async function syncNow(): Promise<void> {
    return (await sync()).syncEngine().syncNow();
  }

  async function exportRecords(opts: { changesOnly?: boolean } = {}): Promise<ExportResult> {
    return (await sync()).exportRecords(opts);
  }

  async function importRecords(file: Blob): Promise<ImportOutcome> {
    return (await sync()).importRecords(file);
  }

  async function carriedFiles(): Promise<CarriedFile[]> {
    return (await sync()).carriedFiles();
  }

  async function carriedFile(id: string): Promise<CarriedFile | undefined> {
    return (await sync()).carriedFile(id);
  }

  async function forgetCarried(id: string): Promise<void> {
    return (await sync()).forgetCarried(id);
  }

  async function getPhoto(sha256: string): Promise<Blob | undefined> {
    return (await sync()).getPhoto(sha256);
  }

  /** Whether a household has updates the relay has not acknowledged. */
  function isUnsynced(householdId: string): boolean {
    return unsyncedIds.value.has(householdId);
  }

  /** Whether a household was unlinked from this member (kept read-only until it is dropped). */
  function isReassigned(householdId: string): boolean {
    return reassignedIds.value.has(householdId);
  }

  /** Point the app at another relay (development); empty for the page's own origin. */
  async function setRelayUrl(url: string | undefined): Promise<void> {
    await saveRelayUrl(localRecords().db, url);
    await syncNow();
  }

  return {
    status,
    state,
    reason,
    lastSyncedAt,
    pendingHouseholds,
    pendingPhotos,
    progress,
    teamRecords,
    start,
    syncNow,
    isUnsynced,
    isReassigned,
    setRelayUrl,
    exportRecords,
    importRecords,
    carriedFiles,
    carriedFile,
    forgetCarried,
    getPhoto,
  };
});
