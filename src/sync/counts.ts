import type { LocalRecords } from '@/db/local-records';
import { parseDocName } from '@/docs/schema';
import { hasDownloadInProgress, loadRevoked, loadSince } from './catch-up';
import type { UnsyncedTracker } from './unsynced';

export interface Counts {
  unsyncedHouseholdIds: string[];
  teamUnsynced: boolean;
  pendingPhotos: number;
  revokedHouseholdIds: string[];
  /** the first download for this team finished (durable: `since` saved, no download half done) */
  teamDownloaded: boolean;
  /** `refresh()` has read Dexie at least once (before that the zeros above are not facts) */
  known: boolean;
}

/**
 * What is not on the server, and whether the team's records are here: Dexie's durable
 * flags read on `refresh()`, joined at `current()` with what this session knows in memory
 * (a save counts before its flag write lands; an ack does not count until its flag write
 * lands).
 */
export class PendingCounts {
  private teamId: string | undefined;
  private dexieUnsynced: string[] = [];
  private pendingPhotos = 0;
  private revoked: string[] = [];
  private teamDownloaded = false;
  private known = false;

  constructor(
    private readonly records: LocalRecords,
    private readonly tracker: UnsyncedTracker,
  ) {}

  async refresh(teamId: string | undefined): Promise<void> {
    const { db } = this.records;
    const [unsynced, pendingPhotos, revoked, since, downloading] = await Promise.all([
      db.docs.where('unsynced').equals(1).primaryKeys(),
      db.blobs.where('uploaded').equals(0).count(),
      teamId ? loadRevoked(db, teamId) : Promise.resolve([] as string[]),
      teamId ? loadSince(db, teamId) : Promise.resolve(undefined),
      teamId ? hasDownloadInProgress(db, teamId) : Promise.resolve(false),
    ]);
    this.teamId = teamId;
    this.dexieUnsynced = unsynced;
    this.pendingPhotos = pendingPhotos;
    this.revoked = revoked;
    this.teamDownloaded = since !== undefined && !downloading;
    this.known = true;
  }

  current(): Counts {
    const teamId = this.teamId;
    const names = new Set([...this.dexieUnsynced, ...this.tracker.unsyncedInMemory()]);
    const mine = [...names].map((n) => parseDocName(n)).filter((p) => p && (!teamId || p.teamId === teamId));
    return {
      unsyncedHouseholdIds: [...new Set(mine.filter((p) => p!.kind === 'household').map((p) => p!.id!))].sort(),
      teamUnsynced: mine.some((p) => p!.kind === 'team'),
      pendingPhotos: this.pendingPhotos,
      revokedHouseholdIds: this.revoked.map((n) => parseDocName(n)?.id ?? '').filter(Boolean),
      teamDownloaded: this.teamDownloaded,
      known: this.known,
    };
  }
}
