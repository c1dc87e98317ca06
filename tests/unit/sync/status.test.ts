import { describe, expect, it } from 'vitest';
import { deriveSyncStatus, type SyncFacts, type SyncHeadline, type SyncState } from '@/sync/status';
import type { SyncErrorCode } from '@/sync/errors';

/** A device in step with its team: everything here, nothing pending, a run finished. */
const calm: SyncFacts = { browserOffline: false, pendingHouseholds: 0, teamUnsynced: false, pendingPhotos: 0, succeeded: true, teamComplete: true, countsKnown: true };

const err = (code: SyncErrorCode, retryable = true) => ({ code, retryable });

/** [what the device is in, its facts (over `calm`), state, reason, headline] */
const TABLE: [string, Partial<SyncFacts>, SyncState, SyncErrorCode | undefined, SyncHeadline][] = [
  ['in step with the team', {}, 'synced', undefined, 'all_on_server'],
  ['just started, no run finished yet', { succeeded: false }, 'connecting', undefined, 'all_on_server'],
  ['a run is asking the change feed', { phase: 'connecting' }, 'connecting', undefined, 'all_on_server'],
  ['a run is moving docs', { phase: 'syncing' }, 'syncing', undefined, 'all_on_server'],
  ['a save waits to go up', { pendingHouseholds: 2 }, 'syncing', undefined, 'pending_households'],
  // Only the team doc is pending (a lead assigned a household): never "0 households not uploaded".
  ['a roster change waits to go up', { teamUnsynced: true }, 'syncing', undefined, 'pending_team'],
  ['a lead offline after assigning a household', { browserOffline: true, teamUnsynced: true }, 'offline', 'network', 'pending_team'],
  ['households and the roster pending: households lead', { pendingHouseholds: 1, teamUnsynced: true }, 'syncing', undefined, 'pending_households'],
  ['the roster before photos', { teamUnsynced: true, pendingPhotos: 2 }, 'syncing', undefined, 'pending_team'],
  // Just after a reload, before the durable state is read: claim nothing.
  ['reopened, durable state not read yet', { countsKnown: false, succeeded: false }, 'starting', undefined, 'starting'],
  ['reopened, not read yet, a first sync was never finished', { countsKnown: false, succeeded: false, teamComplete: false }, 'starting', undefined, 'starting'],
  ['reopened, not read yet, browser offline', { countsKnown: false, succeeded: false, browserOffline: true }, 'offline', 'network', 'starting'],
  ['a photo waits to go up', { pendingPhotos: 1 }, 'syncing', undefined, 'pending_photos'],
  ['households before photos in the headline', { pendingHouseholds: 1, pendingPhotos: 3 }, 'syncing', undefined, 'pending_households'],
  ['browser offline, nothing pending', { browserOffline: true }, 'offline', 'network', 'all_on_server'],
  ['browser offline with a save pending', { browserOffline: true, pendingHouseholds: 1 }, 'offline', 'network', 'pending_households'],
  ['relay unreachable: retried later', { lastError: err('network') }, 'offline', 'network', 'all_on_server'],
  ['relay stalled: retried later', { lastError: err('stalled') }, 'error', 'stalled', 'all_on_server'],
  ['a run going on hides the last retryable failure', { lastError: err('network'), phase: 'syncing' }, 'syncing', undefined, 'all_on_server'],
  ['device revoked: a person must act, even mid-run', { lastError: err('device_revoked', false), phase: 'syncing' }, 'error', 'device_revoked', 'all_on_server'],
  ['the relay closed with a refused token', { fatalClose: 'token_invalid', phase: 'syncing' }, 'error', 'token_invalid', 'all_on_server'],
  ['not joined: works alone', { lastError: err('not_joined', false), teamComplete: false, succeeded: false }, 'offline', 'not_joined', 'not_joined'],
  // The first sync: never "synced", never "all on the server" before the team's records are here.
  ['first sync: downloading the team', { phase: 'syncing', teamComplete: false, succeeded: false }, 'syncing', undefined, 'team_download'],
  ['first sync: cut off mid-download', { lastError: err('network'), teamComplete: false, succeeded: false }, 'offline', 'network', 'team_download'],
  ['first sync: browser offline before it began', { browserOffline: true, teamComplete: false, succeeded: false }, 'offline', 'network', 'team_download'],
  ['first sync: between runs, nothing pending', { teamComplete: false, succeeded: false }, 'connecting', undefined, 'team_download'],
  ['a run finished but the rows are still being written', { teamComplete: false }, 'syncing', undefined, 'team_download'],
  ['first sync with own saves pending: those come first', { teamComplete: false, pendingHouseholds: 1, succeeded: false }, 'syncing', undefined, 'pending_households'],
];

describe('deriveSyncStatus', () => {
  it.each(TABLE)('%s', (_what, facts, state, reason, headline) => {
    const got = deriveSyncStatus({ ...calm, ...facts });
    expect(got).toEqual({ state, headline, ...(reason ? { reason } : {}) });
  });

  it('never says synced or all on the server before the first sync finished', () => {
    for (const [, facts] of TABLE) {
      const got = deriveSyncStatus({ ...calm, ...facts, teamComplete: false });
      expect(got.state).not.toBe('synced');
      expect(got.headline).not.toBe('all_on_server');
    }
  });
});
