import type { SyncErrorCode } from './errors';

/**
 * - `offline`: no network, or the relay cannot be reached (`reason` says which)
 * - `connecting`: asking the relay what changed / opening the socket
 * - `syncing`: documents or photos are moving, or local edits wait to go up
 * - `synced`: the relay holds everything this device has — said only when it is true
 * - `error`: sync stopped for a reason a person must see (`reason`); all data is kept
 */
export type SyncState = 'offline' | 'connecting' | 'syncing' | 'synced' | 'error';

export interface SyncProgress {
  done: number;
  total: number;
}

/** What the member sees about sync; every field is derived from durable state or the last run. */
export interface SyncStatus {
  state: SyncState;
  reason?: SyncErrorCode;
  /** when a run last finished with everything acknowledged (ISO) */
  lastSyncedAt?: string;
  /** households with updates the relay has not acknowledged */
  pendingHouseholds: number;
  /** photos not yet on the relay */
  pendingPhotos: number;
  /** ids of the households counted in `pendingHouseholds` */
  unsyncedHouseholdIds: string[];
  /** whether the team doc (roster, assignments) has unacknowledged updates */
  teamUnsynced: boolean;
  /** households unlinked from this member, kept until their last updates are on the relay */
  revokedHouseholdIds: string[];
  /** a long first sync (or catch-up by bundle): docs stored of all to fetch */
  progress?: SyncProgress;
  /** when the next automatic attempt is due after a failure (ISO) */
  retryAt?: string;
}

export const INITIAL_STATUS: SyncStatus = {
  state: 'offline',
  pendingHouseholds: 0,
  pendingPhotos: 0,
  unsyncedHouseholdIds: [],
  teamUnsynced: false,
  revokedHouseholdIds: [],
};
