import * as Y from 'yjs';
import { writeTables, type LianhuDb } from '@/db/database';
import { deleteRequestRows, type PreparedDocs } from '@/db/projector';
import type { LocalRecords } from '@/db/local-records';
import type { BundleDoc } from '@/docs/bundle';
import { householdDocName, parseDocName } from '@/docs/schema';
import type { RelayApi } from './relay-api';
import type { SyncProgress } from './status';
import { FROM_RELAY, type UnsyncedTracker } from './unsynced';

/**
 * Catch-up state in Dexie `settings`, and the two ways docs come down besides the socket:
 * the first-sync bundle (resumable, piece by piece) and dropping docs unlinked from us.
 */

const SINCE = 'sync.since';
const DOWNLOAD = 'sync.download';
const REVOKED = 'sync.revoked';
const LAST_SYNCED = 'sync.lastSyncedAt';

/** Where the change feed stands, for one team. */
export async function loadSince(db: LianhuDb, teamId: string): Promise<number | undefined> {
  const v = (await db.settings.get(SINCE))?.value as { teamId: string; seq: number } | undefined;
  return v && v.teamId === teamId ? v.seq : undefined;
}

/** Call only once the docs the sequence covers are durable (flush first). */
export async function saveSince(db: LianhuDb, teamId: string, seq: number): Promise<void> {
  await db.settings.put({ key: SINCE, value: { teamId, seq } });
}

export async function clearSince(db: LianhuDb): Promise<void> {
  await db.settings.delete(SINCE);
}

export async function loadRevoked(db: LianhuDb, teamId: string): Promise<string[]> {
  const v = (await db.settings.get(REVOKED))?.value as string[] | undefined;
  return (v ?? []).filter((n) => parseDocName(n)?.teamId === teamId);
}

export async function saveRevoked(db: LianhuDb, names: string[]): Promise<void> {
  await db.settings.put({ key: REVOKED, value: [...new Set(names)].sort() });
}

export async function loadLastSynced(db: LianhuDb): Promise<string | undefined> {
  return (await db.settings.get(LAST_SYNCED))?.value as string | undefined;
}

export async function saveLastSynced(db: LianhuDb, at: string): Promise<void> {
  await db.settings.put({ key: LAST_SYNCED, value: at });
}

/** A bundle download in progress: enough to resume it after a reload. */
interface Download {
  teamId: string;
  /** the sequence of the first piece: the change feed continues from it */
  seq?: number;
  /** last doc stored */
  after?: string;
  done: number;
  total: number;
}

export interface DownloadDeps {
  records: LocalRecords;
  tracker: UnsyncedTracker;
  api: RelayApi;
  teamId: string;
  pieceSize: number;
  onProgress: (p: SyncProgress) => void;
}

export async function hasDownloadInProgress(db: LianhuDb, teamId: string): Promise<boolean> {
  const d = (await db.settings.get(DOWNLOAD))?.value as Download | undefined;
  return d?.teamId === teamId;
}

/**
 * Download every doc this device may read as a bundle, in pieces of `pieceSize` docs, and
 * apply them to the local docs. Each piece's docs, their rows and the download's position are
 * written in one transaction, so a lost connection or a reload resumes after the last stored
 * doc. Work overlaps: while IndexedDB writes piece i, the relay builds piece i+1, which is
 * worked out (Yjs, rows) as soon as it arrives. Returns the sequence the change feed continues from;
 * saves it as `since`.
 */
export async function downloadAll(d: DownloadDeps): Promise<number> {
  const { db } = d.records;
  let state = (await db.settings.get(DOWNLOAD))?.value as Download | undefined;
  if (state?.teamId !== d.teamId) state = { teamId: d.teamId, done: 0, total: 0 };
  // A resumed download shows where it stands, not zero.
  if (state.total > 0) d.onProgress({ done: state.done, total: state.total });
  let next = d.api.bundlePiece(state.after, d.pieceSize);
  let writing: Promise<void> = Promise.resolve();
  let prepared: PreparedDocs | undefined;
  try {
    for (;;) {
      const piece = await next;
      if (state.seq === undefined) {
        state.seq = piece.seq;
        // The relay does not say how big the whole bundle is; the change feed does.
        state.total = piece.total ?? (await d.api.changes(0)).readable;
      }
      // A piece with no docs cannot move `after` forward: stop rather than loop.
      const more = piece.more && !!piece.last;
      if (more) {
        const after = piece.last;
        // Asked for the moment the piece before this one is written (usually at once: the
        // relay is the slower side). Never more than one piece on its way while one is
        // written, so a download cut off after a piece has stored at most the next one.
        next = writing.then(() => d.api.bundlePiece(after, d.pieceSize));
        next.catch(() => undefined); // awaited on the next turn; a failure here must not go unhandled if we stop first
      }
      prepared = await d.records.projector.prepareReceived(piece.bundle.docs);
      await writing;
      state.done += piece.bundle.docs.length;
      state.total = Math.max(state.total, state.done);
      if (piece.last) state.after = piece.last;
      const position: Download = { ...state };
      const progress = { done: state.done, total: piece.more ? state.total : state.done };
      const seq = state.seq;
      // With the last piece the download is over: `since` is saved with its docs (every piece before is on disk).
      const also = more ? (tx: LianhuDb) => tx.settings.put({ key: DOWNLOAD, value: position }) : (tx: LianhuDb) => Promise.all([saveSince(tx, d.teamId, seq), tx.settings.delete(DOWNLOAD)]);
      writing = commitRelayDocs(d.records, d.tracker, prepared, also).then(() => d.onProgress(progress));
      prepared = undefined;
      writing.catch(() => undefined); // awaited on the next turn or below
      if (!more) break;
    }
    await writing;
  } finally {
    prepared?.release();
    // Leave no write running behind a failure: the next run starts from what is on disk.
    await writing.catch(() => undefined);
  }
  return state.seq;
}

/**
 * Apply docs from the relay. What the relay sent is on the relay: the docs' updates, their
 * rows and their confirmed versions are written in one transaction (unless a doc also holds
 * local updates, which stay unsynced). Returns the docs whose update did not apply.
 */
export async function applyRelayDocs(records: LocalRecords, tracker: UnsyncedTracker, docs: BundleDoc[]): Promise<string[]> {
  return commitRelayDocs(records, tracker, await records.projector.prepareReceived(docs));
}

/**
 * Write docs prepared by `Projector.prepareReceived`: the open ones are applied to their live
 * doc, then everything — updates, rows, confirmed versions and what `also` writes — in one
 * transaction. Returns the docs whose update did not apply (the socket handshake brings them).
 */
async function commitRelayDocs(records: LocalRecords, tracker: UnsyncedTracker, prepared: PreparedDocs, also?: (db: LianhuDb) => Promise<unknown>): Promise<string[]> {
  const applied: string[] = [];
  const failed = [...prepared.failed];
  try {
    const opened = await records.docs.getMany(prepared.live.map((d) => d.name));
    prepared.live.forEach((d, i) => {
      try {
        // Bundles carry Yjs v2 updates.
        Y.applyUpdateV2(opened[i]!, d.update, FROM_RELAY);
        applied.push(d.name);
      } catch {
        failed.push(d.name);
      }
    });
  } catch (err) {
    prepared.release();
    throw err;
  }
  await records.projector.persist(applied, (name) => !tracker.isUnsynced(name), { prepared, also });
  return failed;
}

/**
 * Remove a doc unlinked from this member: its local copy and every row derived from it.
 * Call only when nothing of it is unsynced.
 */
export async function dropDoc(records: LocalRecords, tracker: UnsyncedTracker, name: string): Promise<void> {
  const parsed = parseDocName(name);
  await records.projector.settled();
  await records.docs.close(name);
  tracker.forget(name);
  const { db } = records;
  const id = parsed?.id;
  // The doc's updates and its rows go together.
  // (Its rows packed under a merge group's root go when the root is projected again, below.)
  await db.transaction('rw', writeTables(db), async () => {
    await db.updates.where('doc').equals(name).delete();
    if (id) {
      await db.households.delete(id);
      await db.records.delete(id);
      await deleteRequestRows(db, id);
    }
    await db.docs.delete(name);
  });
  // A household merged into another one this device keeps: show the group without it.
  const root = id ? records.teamContext.mergeRoots.get(id) : undefined;
  if (parsed && root && root !== id && (await db.docs.get(householdDocName(parsed.teamId, root)))) {
    records.projector.schedule(householdDocName(parsed.teamId, root));
  }
}
