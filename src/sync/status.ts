import type { SyncErrorCode } from './errors';

/**
 * - `offline`: no network, or the relay cannot be reached (`reason` says which)
 * - `connecting`: asking the relay what changed / opening the socket
 * - `syncing`: documents or photos are moving, or local edits wait to go up
 * - `synced`: the relay holds everything this device has, and this device holds the whole
 *   team's records (its first sync finished) — said only when both are true
 * - `error`: sync stopped for a reason a person must see (`reason`); all data is kept
 * - `starting`: the engine has not read this device's durable state yet (just after a
 *   reload): nothing is claimed, neither "offline" nor "never synced" nor "all on the server"
 */
export type SyncState = 'starting' | 'offline' | 'connecting' | 'syncing' | 'synced' | 'error';

export interface SyncProgress {
  done: number;
  total: number;
}

/**
 * Whether this device holds the team's records (every doc it may read, with its rows).
 * `complete: false` from joining until the first download and its rows are on disk; a
 * catch-up by bundle after a relay restore makes it incomplete again. `done`/`total` are
 * known while a download runs (after a reload, once the resumed download answers).
 */
export interface TeamRecords {
  complete: boolean;
  done?: number;
  total?: number;
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
  /** whether the team's records are all on this device (lead figures are partial until then) */
  teamRecords: TeamRecords;
  /** the one line a compact bar shows: what is (not) on the server, or that records are still coming */
  headline: SyncHeadline;
  /** when the next automatic attempt is due after a failure (ISO) */
  retryAt?: string;
}

/**
 * - `team_download`: the team's records are not all here yet (with `teamRecords.done/total`)
 * - `pending_households` / `pending_photos`: this device holds work the relay has not got
 * - `pending_team`: only the team doc (roster, assignments) waits to go up — no household does
 * - `all_on_server`: nothing waits to go up and the first sync is finished
 * - `not_joined`: the device works alone
 * - `starting`: what is pending and whether the records are here is not read yet
 */
export type SyncHeadline = 'starting' | 'team_download' | 'pending_households' | 'pending_team' | 'pending_photos' | 'all_on_server' | 'not_joined';

/** Before the engine's first report: claims nothing (see `starting`). */
export const INITIAL_STATUS: SyncStatus = {
  state: 'starting',
  pendingHouseholds: 0,
  pendingPhotos: 0,
  unsyncedHouseholdIds: [],
  teamUnsynced: false,
  revokedHouseholdIds: [],
  teamRecords: { complete: false },
  headline: 'starting',
};

/** Everything the state depends on, as the engine knows it at one moment. */
export interface SyncFacts {
  /** the last run's error, if it ended with one (`retryable` false: a person must act) */
  lastError?: { code: SyncErrorCode; retryable: boolean };
  /** the relay closed the socket for a reason that needs a person (token, revoked, forbidden) */
  fatalClose?: SyncErrorCode;
  /** the phase of the run going on now, if any */
  phase?: 'connecting' | 'syncing';
  /** the browser says it has no network */
  browserOffline: boolean;
  pendingHouseholds: number;
  teamUnsynced: boolean;
  pendingPhotos: number;
  /** a run finished without error since the engine started */
  succeeded: boolean;
  /** the team's records are all on this device (first download and its rows done) */
  teamComplete: boolean;
  /** the pending counts and the download flag have been read from disk (false just after a reload) */
  countsKnown: boolean;
}

/**
 * The state, its reason and the headline, from the facts: the ONE place that decides what
 * the member is told (tests/unit/sync/status.test.ts holds it as a table). Precedence: a
 * stop that needs a person, then the run going on, then a failure that will be retried,
 * then the browser being offline, then what is pending, then synced — and never "synced"
 * or "all on the server" before the team's records are all here.
 */
export function deriveSyncStatus(f: SyncFacts): { state: SyncState; reason?: SyncErrorCode; headline: SyncHeadline } {
  // Until the durable state is read, the zeros above are not facts: claim nothing but what
  // the browser itself says about the network.
  if (!f.countsKnown) return f.browserOffline ? { state: 'offline', reason: 'network', headline: 'starting' } : { state: 'starting', headline: 'starting' };
  const pending = f.pendingHouseholds > 0 || f.teamUnsynced || f.pendingPhotos > 0;
  const headline: SyncHeadline =
    f.lastError?.code === 'not_joined'
      ? 'not_joined'
      : f.pendingHouseholds > 0
        ? 'pending_households'
        : f.teamUnsynced
          ? 'pending_team'
          : f.pendingPhotos > 0
            ? 'pending_photos'
            : f.teamComplete
              ? 'all_on_server'
              : 'team_download';
  if (f.lastError && !f.lastError.retryable) {
    return { state: f.lastError.code === 'not_joined' ? 'offline' : 'error', reason: f.lastError.code, headline };
  }
  if (f.fatalClose) return { state: 'error', reason: f.fatalClose, headline };
  if (f.phase) return { state: f.phase, headline };
  if (f.lastError) return { state: f.lastError.code === 'network' ? 'offline' : 'error', reason: f.lastError.code, headline };
  if (f.browserOffline) return { state: 'offline', reason: 'network', headline };
  if (pending || !f.teamComplete) return { state: f.succeeded || pending ? 'syncing' : 'connecting', headline };
  return { state: f.succeeded ? 'synced' : 'connecting', headline };
}
