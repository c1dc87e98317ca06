import type { LocalRecords } from '@/db/local-records';
import { parseDocName, teamDocName } from '@/docs/schema';
import { backoffDelay, sleep } from './backoff';
import { clearSince, downloadAll, dropDoc, hasDownloadInProgress, loadRevoked, loadSince, saveRevoked, saveSince } from './catch-up';
import { deliverCarriedFiles } from './carried-files';
import { ensureRegisteredKey } from './device-key';
import { SyncError, type SyncErrorCode } from './errors';
import type { HotDocs } from './hot';
import type { SessionFailure } from './sessions';
import type { SyncProgress } from './status';
import type { RelayTransport, SyncContext } from './transport';
import type { UnsyncedTracker } from './unsynced';

export interface RunOptions {
  /** docs attaching at once (≤ 90) */
  windowSize: number;
  /** how often a stalled doc is tried again within one run */
  stallRetries: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** docs per first-sync bundle piece */
  pieceSize: number;
  /** catch up by bundle instead of by socket when this many docs changed (and most of them) */
  bundleThreshold: number;
  /** run the photo outbox */
  photos: boolean;
}

export interface RunDeps {
  records: LocalRecords;
  tracker: UnsyncedTracker;
  transport: RelayTransport;
  options: RunOptions;
  /** docs edited lately: kept attached after the run */
  hot: HotDocs;
  setPhase(phase: 'connecting' | 'syncing'): void;
  setProgress(p: SyncProgress | undefined): void;
  /** a bundle download starts (true) or its docs and rows are all on disk (false) */
  setDownloading(downloading: boolean): void;
}

/**
 * One sync run (docs/adr/0003-client-sync.md):
 *
 *   first sync? download the bundle in pieces (resumable) → ask the change feed what
 *   changed since `since` → attach own unsynced docs first, then the changed ones, in
 *   windows over one socket → wait for each to be acknowledged (or stall → retry) →
 *   flush → save `since` → drop unlinked docs with nothing pending → upload photos.
 *
 * With nothing to do a run is one HTTP request and no socket.
 */
export class SyncRun {
  /** a doc stalled during this run (a later network failure is reported as the stall) */
  stalled = false;
  /** this run uploaded: ask the change feed once more so `since` moves past our own updates */
  rerun = false;

  constructor(
    private readonly d: RunDeps,
    private readonly ctx: SyncContext,
  ) {}

  /** Run the steps; an expired token is swapped once for a fresh one and the steps run again. */
  async execute(mayRefresh = true): Promise<void> {
    try {
      await this.steps();
    } catch (err) {
      if (mayRefresh && err instanceof SyncError && err.code === 'token_expired') {
        await this.d.transport.refreshToken(this.ctx);
        await this.execute(false);
        return;
      }
      if (err instanceof SyncError && err.code === 'device_replaced') {
        await this.lastUpload();
        throw new SyncError('device_revoked', 'this phone was replaced: its last upload is done');
      }
      throw err;
    }
  }

  /**
   * The lead revoked this phone as replaced (ADR 0029): what it holds goes up once — its own
   * unsynced docs, its photos, the files it carries — and then it tells the relay it is done
   * and stops for good. Nothing new is read. Anything that fails throws (retryable), and the
   * next run tries again: the relay keeps accepting until the phone says it is done.
   */
  private async lastUpload(): Promise<void> {
    const { records, tracker, transport, options: o } = this.d;
    const teamId = this.ctx.identity.teamId;
    const api = transport.api!;
    const excluded = transport.excluded;
    const own = (await tracker.unsyncedNames(teamId)).filter((n) => !excluded.has(n));
    if (own.length > 0) {
      this.d.setPhase('syncing');
      await transport.ensureSocket(this.ctx);
      const failed = await this.syncDocs(own, () => undefined);
      await records.docs.flushAll();
      await tracker.settled();
      if (failed.size > 0) throw this.failureError(failed);
    }
    if (o.photos) await this.uploadPhotos();
    await deliverCarriedFiles(records.db, teamId, api);
    await api.retire();
    transport.close();
  }

  private async steps(): Promise<void> {
    const { records, tracker, transport, options: o } = this.d;
    const { db } = records;
    const teamId = this.ctx.identity.teamId;
    const api = transport.api!;
    let since = await loadSince(db, teamId);
    if (since === undefined || (await hasDownloadInProgress(db, teamId))) since = await this.download();
    let feed = await api.changes(since);
    if (feed.reset) {
      // The relay was restored from a backup: it may lack what it once acknowledged.
      // Everything local goes up again; everything remote comes down again.
      for (const name of await this.teamDocNames(teamId)) tracker.markLocal(name);
      await clearSince(db);
      since = await this.download();
      feed = await api.changes(since);
    } else if (feed.changed.length >= o.bundleThreshold && feed.changed.length * 2 > feed.readable) {
      // Back after a long absence: one bundle is cheaper than a handshake per doc.
      since = await this.download();
      feed = await api.changes(since);
    }
    const revoked = [...new Set([...(await loadRevoked(db, teamId)), ...feed.revoked])];
    if (feed.revoked.length) await saveRevoked(db, revoked);

    // The safety net for lost "unsynced" marks runs once the relay has answered: a phone
    // whose browser says "online" with no signal tries a run after every save, and the scan
    // must not compete with the member's next save for nothing.
    await tracker.reconcile((n) => transport.sessions?.isAttached(n) ?? false);
    const excluded = transport.excluded;
    const own = (await tracker.unsyncedNames(teamId)).filter((n) => !excluded.has(n));
    const ownSet = new Set(own);
    const changed = feed.changed.filter((n) => !ownSet.has(n) && !excluded.has(n) && parseDocName(n)?.teamId === teamId);
    const failed = new Map<string, SessionFailure>();
    if (own.length + changed.length > 0) {
      this.d.setPhase('syncing');
      const total = own.length + changed.length;
      let done = 0;
      if (total > o.windowSize) this.d.setProgress({ done, total });
      await transport.ensureSocket(this.ctx);
      // Own edits first: they exist nowhere else.
      const result = await this.syncDocs([...own, ...changed], () => {
        done++;
        if (total > o.windowSize) this.d.setProgress({ done, total });
      });
      for (const [n, r] of result) failed.set(n, r);
      // `since` (feed.seq) was read before our uploads. Ask once more so it moves past them:
      // a relay restored from a backup older than them then answers `reset`, and we upload
      // again what it lost, instead of both sides believing it is there.
      if (own.length > 0) this.rerun = true;
    }
    // `since` moves only once every changed doc it covers is on disk.
    await records.docs.flushAll();
    await tracker.settled();
    if (!changed.some((n) => failed.has(n))) await saveSince(db, teamId, feed.seq);

    await this.dropRevoked(teamId, revoked);
    if (o.photos) await this.uploadPhotos();
    await this.keyAndCarried(teamId);
    if (failed.size > 0) throw this.failureError(failed);
    const refused = [...excluded.values()][0];
    if (refused) throw new SyncError(refused, `the relay refused ${[...excluded.keys()].join(', ')}`);
  }

  /** First sync (or a restart after a relay restore, or a long absence) by bundle. */
  private async download(): Promise<number> {
    const { records } = this.d;
    this.d.setPhase('syncing');
    this.d.setDownloading(true);
    try {
      const seq = await downloadAll({
        records,
        tracker: this.d.tracker,
        api: this.d.transport.api!,
        teamId: this.ctx.identity.teamId,
        pieceSize: this.d.options.pieceSize,
        onProgress: (p) => this.d.setProgress(p),
      });
      // The team's records are here when their rows are too: the lists and figures read rows.
      await records.projector.settled();
      return seq;
    } finally {
      this.d.setProgress(undefined);
      this.d.setDownloading(false);
    }
  }

  /** Attach `names` in windows until each is acknowledged; stalled ones are tried again. */
  private async syncDocs(names: string[], onDone: () => void): Promise<Map<string, SessionFailure>> {
    const { transport, options: o, hot } = this.d;
    const teamDoc = teamDocName(this.ctx.identity.teamId);
    const failed = new Map<string, SessionFailure>();
    let pending = names;
    for (let attempt = 0; pending.length > 0 && attempt <= o.stallRetries; attempt++) {
      if (attempt > 0) {
        await sleep(backoffDelay(o.retryBaseMs, o.retryMaxMs, attempt - 1));
        try {
          await transport.ensureSocket(this.ctx);
        } catch (err) {
          // Say what went wrong first: the relay stopped answering mid-sync.
          if (this.stalled && err instanceof SyncError && err.retryable) throw new SyncError('stalled', err.message, { cause: err });
          throw err;
        }
      }
      const results = await transport.sessions!.sync(pending, {
        keep: (n) => n === teamDoc || hot.has(n),
        onDone: (_n, r) => {
          if (r.ok) onDone();
        },
      });
      if (transport.fatalClose) throw new SyncError(transport.fatalClose);
      const again: string[] = [];
      for (const name of transport.excluded.keys()) results.delete(name);
      for (const [name, r] of results) {
        if (r.ok) {
          failed.delete(name);
        } else {
          failed.set(name, r.reason);
          if (r.reason === 'stalled' || r.reason === 'closed') again.push(name);
        }
      }
      // Retries go out on a fresh socket (a stall already closed it; see DocSessions.onStall).
      if (again.length > 0) transport.close();
      pending = again;
    }
    return failed;
  }

  private failureError(failed: Map<string, SessionFailure>): SyncError {
    const reasons = new Set(failed.values());
    // Records of the wrong form are the phone's to correct (the file shows them flagged); any
    // other refusal is about who may upload, and says so.
    const onlyInvalid = [...reasons].every((r) => r === 'invalid');
    const code: SyncErrorCode = reasons.has('stalled') || this.stalled ? 'stalled' : reasons.has('closed') ? 'network' : onlyInvalid ? 'invalid_record' : 'refused';
    return new SyncError(code, `${failed.size} document(s) not in step: ${[...failed].slice(0, 5).map(([n, r]) => `${n} (${r})`).join(', ')}`);
  }

  /** Drop unlinked docs once nothing of theirs is unsynced; keep the others for the next run. */
  private async dropRevoked(teamId: string, revoked: string[]): Promise<void> {
    if (revoked.length === 0) return;
    const { records, tracker, transport, hot } = this.d;
    const keep: string[] = [];
    const unsynced = new Set(await tracker.unsyncedNames(teamId));
    for (const name of revoked) {
      if (unsynced.has(name) || tracker.isUnsynced(name)) {
        keep.push(name);
        continue;
      }
      transport.sessions?.detach(name);
      hot.delete(name);
      await dropDoc(records, tracker, name);
    }
    await saveRevoked(records.db, keep);
  }

  private async uploadPhotos(): Promise<void> {
    const outbox = this.d.transport.outbox;
    if (!outbox) return;
    const result = await outbox.run();
    const transient = result.failed.filter((f) => !f.permanent);
    if (transient.length > 0) throw new SyncError('network', `photo upload: ${transient[0]!.error}`);
  }

  /**
   * A phone that joined before signing keys registers one; then the colleagues' signed files
   * this phone carries go up (ADR 0023). Neither changes this phone's own sync status: a
   * failure here is kept with the file (or tried again next run), never thrown.
   */
  private async keyAndCarried(teamId: string): Promise<void> {
    const { db } = this.d.records;
    const api = this.d.transport.api!;
    const deviceId = this.ctx.identity.deviceId;
    try {
      await ensureRegisteredKey(db, deviceId, (key) => api.registerKey(key));
    } catch (err) {
      console.warn('signing key not registered yet', err);
    }
    await deliverCarriedFiles(db, teamId, api);
  }

  private async teamDocNames(teamId: string): Promise<string[]> {
    return (await this.d.records.docs.storedNames()).filter((n) => parseDocName(n)?.teamId === teamId);
  }
}
