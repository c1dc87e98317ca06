import { WRITTEN_AHEAD } from '@/db/doc-persistence';
import { isLocalTeam, loadIdentity, loadSession, saveSession, type Identity, type Session } from '@/db/identity';
import type { LocalRecords } from '@/db/local-records';
import { parseDocName, teamDocName } from '@/docs/schema';
import { clearSince, downloadAll, dropDoc, hasDownloadInProgress, loadLastSynced, loadRevoked, loadSince, saveLastSynced, saveRevoked, saveSince } from './catch-up';
import { SyncError, reasonForClose, type SyncErrorCode } from './errors';
import { PhotoOutbox, type OutboxOptions } from './outbox';
import { RelayApi } from './relay-api';
import { resolveRelay, type RelayEndpoints } from './relay-url';
import { DocSessions, type SessionFailure } from './sessions';
import { SocketClosedError, SyncSocket } from './socket';
import { INITIAL_STATUS, type SyncProgress, type SyncStatus } from './status';
import { IMPORTED, UnsyncedTracker } from './unsynced';
import { MSG_SYNC, SYNC_STEP2, SYNC_UPDATE } from './wire';

type WebSocketCtor = new (url: string, protocols?: string | string[]) => WebSocket;

export interface SyncEngineOptions {
  records: LocalRecords;
  /** the relay; by default the `relayUrl` setting, else the page's origin */
  relay?: RelayEndpoints;
  /** Node tests pass `ws` */
  WebSocket?: WebSocketCtor;
  fetch?: typeof fetch;
  /** docs attaching at once (≤ 90) */
  windowSize?: number;
  /** a doc with no answer for this long is stalled, detached and tried again */
  stallMs?: number;
  /** how often a stalled doc is tried again within one run */
  stallRetries?: number;
  connectTimeoutMs?: number;
  /** an HTTP request with no answer for this long fails */
  httpTimeoutMs?: number;
  /** docs per first-sync bundle piece */
  pieceSize?: number;
  /** ask the change feed this often while the app is visible; 0 = never */
  pollMs?: number;
  /** close the socket after this long without activity */
  idleMs?: number;
  /** wait this long after a local edit before a run (edits come in bursts) */
  pushDelayMs?: number;
  /** backoff after a failed run: base × 2^n with full jitter, capped */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** catch up by bundle instead of by socket when this many docs changed (and most of them) */
  bundleThreshold?: number;
  /** listen to online/offline/visibility events (default: when there is a window) */
  triggers?: boolean;
  /** run the photo outbox (default true) */
  photos?: boolean;
  outbox?: Pick<OutboxOptions, 'chunkSize' | 'retryDelays' | 'onChunk'>;
}

interface Context {
  identity: Identity;
  session: Session;
  relay: RelayEndpoints;
  key: string;
}

const HOT_LIMIT = 50;

/**
 * The client sync engine (docs/adr/0003-client-sync.md). A run:
 *
 *   first sync? download the bundle in pieces (resumable) → ask the change feed what
 *   changed since `since` → attach own unsynced docs first, then the changed ones, in
 *   windows over one socket → wait for each to be acknowledged (or stall → retry) →
 *   flush → save `since` → drop unlinked docs with nothing pending → upload photos.
 *
 * With nothing to do a run is one HTTP request and no socket. Runs start by themselves
 * (start, online, foreground, local edits, polling, backoff after failures) or on demand.
 */
export class SyncEngine {
  status: SyncStatus = { ...INITIAL_STATUS };
  readonly tracker: UnsyncedTracker;
  private readonly o: Required<Omit<SyncEngineOptions, 'relay' | 'WebSocket' | 'fetch' | 'outbox'>> & Pick<SyncEngineOptions, 'relay' | 'WebSocket' | 'fetch' | 'outbox'>;
  private readonly listeners = new Set<(s: SyncStatus) => void>();
  private readonly cleanups: (() => void)[] = [];
  private ctx: Context | undefined;
  private token = '';
  private api: RelayApi | undefined;
  private socket: SyncSocket | undefined;
  private sessions: DocSessions | undefined;
  private outbox: PhotoOutbox | undefined;
  private running: Promise<void> | undefined;
  private rerun = false;
  private phase: 'connecting' | 'syncing' | undefined;
  private progress: SyncProgress | undefined;
  private lastError: SyncError | undefined;
  private succeeded = false;
  private failures = 0;
  private fatalClose: SyncErrorCode | undefined;
  private stalledInRun = false;
  /** the biggest update frame on the current socket: what a 4413 / 4422 close is about */
  private suspect: { doc: string; bytes: number } | undefined;
  /** docs the relay refused as too large or invalid: left out of runs until the app restarts */
  private readonly excluded = new Map<string, 'message_too_large' | 'invalid_update'>();
  private readonly hot = new Map<string, number>();
  private lastActivity = 0;
  private timers: { retry?: ReturnType<typeof setTimeout>; push?: ReturnType<typeof setTimeout>; idle?: ReturnType<typeof setTimeout>; poll?: ReturnType<typeof setInterval> } = {};
  private stopped = true;

  constructor(opts: SyncEngineOptions) {
    this.o = {
      windowSize: 90,
      stallMs: 20_000,
      stallRetries: 2,
      connectTimeoutMs: 15_000,
      httpTimeoutMs: 30_000,
      pieceSize: 200,
      pollMs: 60_000,
      idleMs: 30_000,
      pushDelayMs: 800,
      retryBaseMs: 2_000,
      retryMaxMs: 5 * 60_000,
      bundleThreshold: 300,
      triggers: typeof window !== 'undefined' && typeof document !== 'undefined',
      photos: true,
      ...opts,
    };
    this.o.windowSize = Math.min(90, Math.max(1, this.o.windowSize));
    this.tracker = new UnsyncedTracker(opts.records);
  }

  private get records(): LocalRecords {
    return this.o.records;
  }

  // ---- life cycle ----

  /** Load what is pending, listen for edits and triggers, and sync once. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.tracker.start();
    this.cleanups.push(
      this.tracker.onChange(() => void this.refreshCounts()),
      // The status must not lag a save: a doc is counted the moment it is unsynced in memory.
      this.tracker.onMark(() => this.publish()),
      this.records.docs.onUpdate((name, _u, origin) => {
        if (origin === WRITTEN_AHEAD || origin === IMPORTED) this.localEdit(name);
      }),
    );
    if (this.o.triggers) this.listenToBrowser();
    if (this.o.pollMs > 0) this.timers.poll = setInterval(() => this.poll(), this.o.pollMs);
    this.status.lastSyncedAt = await loadLastSynced(this.records.db);
    await this.refreshCounts();
    void this.syncNow();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of [this.timers.retry, this.timers.push, this.timers.idle]) if (t) clearTimeout(t);
    if (this.timers.poll) clearInterval(this.timers.poll);
    this.timers = {};
    for (const c of this.cleanups.splice(0)) c();
    await this.outbox?.stop();
    await this.running?.catch(() => undefined);
    this.teardownTransport();
    await this.tracker.settled();
    this.tracker.stop();
  }

  onStatus(listener: (s: SyncStatus) => void): () => void {
    this.listeners.add(listener);
    listener({ ...this.status, unsyncedHouseholdIds: [...this.status.unsyncedHouseholdIds], revokedHouseholdIds: [...this.status.revokedHouseholdIds] });
    return () => this.listeners.delete(listener);
  }

  /** Traffic so far, for the settings screen and the tests' budgets. */
  get stats() {
    return {
      http: { ...(this.api?.stats ?? { requests: 0, bytesReceived: 0 }) },
      socket: { ...(this.socket?.stats ?? { connections: 0, framesSent: 0, bytesSent: 0, framesReceived: 0, bytesReceived: 0 }) },
      attaches: this.sessions?.attachCount ?? 0,
    };
  }

  /** The HTTP client for the current team (photos on demand use it). */
  async relayApi(): Promise<RelayApi | undefined> {
    const ctx = await this.context();
    return ctx ? this.api : undefined;
  }

  /** Sync now; resolves when this run (and any run it had to wait for) is over. */
  syncNow(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    // This run covers whatever a pending retry or push was waiting for.
    for (const k of ['retry', 'push'] as const) {
      if (this.timers[k]) clearTimeout(this.timers[k]);
      this.timers[k] = undefined;
    }
    if (this.running) {
      this.rerun = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.rerun = false;
          await this.runOnce();
        } while (this.rerun && !this.stopped && !this.lastError);
      } finally {
        this.running = undefined;
        this.publish();
      }
    })();
    return this.running;
  }

  /** Resolves when no run is going on (without starting one). */
  async whenIdle(): Promise<void> {
    while (this.running) await this.running.catch(() => undefined);
  }

  // ---- one run ----

  private async runOnce(): Promise<void> {
    const ctx = await this.context();
    if (!ctx) {
      this.lastError = new SyncError('not_joined');
      this.publish();
      return;
    }
    if (typeof navigator !== 'undefined' && navigator.onLine === false) {
      this.fail(new SyncError('network', 'the device is offline'), false);
      return;
    }
    this.lastError = undefined;
    this.fatalClose = undefined;
    this.stalledInRun = false;
    this.phase = 'connecting';
    this.publish();
    try {
      await this.runSteps(ctx, true);
      this.failures = 0;
      this.succeeded = true;
      await this.refreshCounts();
      if (this.status.pendingHouseholds === 0 && !this.status.teamUnsynced && this.status.pendingPhotos === 0) {
        const at = new Date().toISOString();
        await saveLastSynced(this.records.db, at);
        this.status.lastSyncedAt = at;
      }
    } catch (err) {
      let e = err instanceof SyncError ? err : new SyncError('server', err instanceof Error ? err.message : String(err), { cause: err });
      // The relay stopped answering a doc, then the network "failed": say the first.
      if (this.stalledInRun && e.code === 'network') e = new SyncError('stalled', e.message, { cause: e });
      this.fail(e, true);
    } finally {
      this.phase = undefined;
      this.progress = undefined;
      this.scheduleIdleClose();
      await this.refreshCounts();
    }
  }

  private async runSteps(ctx: Context, mayRefresh: boolean): Promise<void> {
    try {
      await this.steps(ctx);
    } catch (err) {
      // An expired token is swapped once for a fresh one (the relay accepts it for a long grace).
      if (mayRefresh && err instanceof SyncError && err.code === 'token_expired') {
        await this.refreshToken(ctx);
        await this.runSteps(ctx, false);
        return;
      }
      throw err;
    }
  }

  private async steps(ctx: Context): Promise<void> {
    const { db } = this.records;
    const teamId = ctx.identity.teamId;
    const api = this.api!;
    await this.tracker.reconcile((n) => this.sessions?.isAttached(n) ?? false);

    let since = await loadSince(db, teamId);
    if (since === undefined || (await hasDownloadInProgress(db, teamId))) since = await this.download(ctx);
    let feed = await api.changes(since);
    if (feed.reset) {
      // The relay was restored from a backup: it may lack what it once acknowledged.
      // Everything local goes up again; everything remote comes down again.
      for (const name of await this.teamDocNames(teamId)) this.tracker.markLocal(name);
      await clearSince(db);
      since = await this.download(ctx);
      feed = await api.changes(since);
    } else if (feed.changed.length >= this.o.bundleThreshold && feed.changed.length * 2 > feed.readable) {
      // Back after a long absence: one bundle is cheaper than a handshake per doc.
      since = await this.download(ctx);
      feed = await api.changes(since);
    }
    const revoked = [...new Set([...(await loadRevoked(db, teamId)), ...feed.revoked])];
    if (feed.revoked.length) await saveRevoked(db, revoked);

    const own = (await this.tracker.unsyncedNames(teamId)).filter((n) => !this.excluded.has(n));
    const ownSet = new Set(own);
    const changed = feed.changed.filter((n) => !ownSet.has(n) && !this.excluded.has(n) && parseDocName(n)?.teamId === teamId);
    const failed = new Map<string, SessionFailure>();
    if (own.length + changed.length > 0) {
      this.phase = 'syncing';
      const total = own.length + changed.length;
      let done = 0;
      if (total > this.o.windowSize) this.setProgress({ done, total });
      await this.ensureSocket(ctx);
      // Own edits first: they exist nowhere else.
      const result = await this.syncDocs(ctx, [...own, ...changed], () => {
        done++;
        if (total > this.o.windowSize) this.setProgress({ done, total });
      });
      for (const [n, r] of result) failed.set(n, r);
      // `since` (feed.seq) was read before our uploads. Ask once more so it moves past them:
      // a relay restored from a backup older than them then answers `reset`, and we upload
      // again what it lost, instead of both sides believing it is there.
      if (own.length > 0) this.rerun = true;
    }
    // `since` moves only once every changed doc it covers is on disk.
    await this.records.docs.flushAll();
    await this.tracker.settled();
    if (!changed.some((n) => failed.has(n))) await saveSince(db, teamId, feed.seq);

    await this.dropRevoked(teamId, revoked);
    if (this.o.photos) await this.uploadPhotos();
    if (failed.size > 0) throw this.failureError(failed);
    const refused = [...this.excluded.values()][0];
    if (refused) throw new SyncError(refused, `the relay refused ${[...this.excluded.keys()].join(', ')}`);
  }

  /** First sync (or a restart after a relay restore, or a long absence) by bundle. */
  private async download(ctx: Context): Promise<number> {
    this.phase = 'syncing';
    this.publish();
    const seq = await downloadAll({
      records: this.records,
      tracker: this.tracker,
      api: this.api!,
      teamId: ctx.identity.teamId,
      pieceSize: this.o.pieceSize,
      onProgress: (p) => this.setProgress(p),
    });
    this.progress = undefined;
    return seq;
  }


  /** Attach `names` in windows until each is acknowledged; stalled ones are tried again. */
  private async syncDocs(ctx: Context, names: string[], onDone: () => void): Promise<Map<string, SessionFailure>> {
    const teamDoc = teamDocName(ctx.identity.teamId);
    const failed = new Map<string, SessionFailure>();
    let pending = names;
    for (let attempt = 0; pending.length > 0 && attempt <= this.o.stallRetries; attempt++) {
      if (attempt > 0) {
        await sleep(jitter(Math.min(this.o.retryMaxMs, this.o.retryBaseMs * 2 ** (attempt - 1))));
        try {
          await this.ensureSocket(ctx);
        } catch (err) {
          // Say what went wrong first: the relay stopped answering mid-sync.
          if (this.stalledInRun && err instanceof SyncError && err.retryable) throw new SyncError('stalled', err.message, { cause: err });
          throw err;
        }
      }
      const results = await this.sessions!.sync(pending, {
        keep: (n) => n === teamDoc || this.hot.has(n),
        onDone: (_n, o) => {
          if (o.ok) onDone();
        },
      });
      if (this.fatalClose) throw new SyncError(this.fatalClose);
      const again: string[] = [];
      for (const name of this.excluded.keys()) results.delete(name);
      for (const [name, o] of results) {
        if (o.ok) {
          failed.delete(name);
        } else {
          failed.set(name, o.reason);
          if (o.reason === 'stalled' || o.reason === 'closed') again.push(name);
        }
      }
      // Retries go out on a fresh socket (a stall already closed it; see DocSessions.onStall).
      if (again.length > 0) this.closeSocket();
      pending = again;
    }
    return failed;
  }

  private failureError(failed: Map<string, SessionFailure>): SyncError {
    const reasons = new Set(failed.values());
    const code: SyncErrorCode = reasons.has('stalled') || this.stalledInRun ? 'stalled' : reasons.has('closed') ? 'network' : 'refused';
    return new SyncError(code, `${failed.size} document(s) not in step: ${[...failed].slice(0, 5).map(([n, r]) => `${n} (${r})`).join(', ')}`);
  }

  /** Drop unlinked docs once nothing of theirs is unsynced; keep the others for the next run. */
  private async dropRevoked(teamId: string, revoked: string[]): Promise<void> {
    if (revoked.length === 0) return;
    const keep: string[] = [];
    const unsynced = new Set(await this.tracker.unsyncedNames(teamId));
    for (const name of revoked) {
      if (unsynced.has(name) || this.tracker.isUnsynced(name)) {
        keep.push(name);
        continue;
      }
      this.sessions?.detach(name);
      this.hot.delete(name);
      await dropDoc(this.records, this.tracker, name);
    }
    await saveRevoked(this.records.db, keep);
  }

  private async uploadPhotos(): Promise<void> {
    if (!this.outbox) return;
    const result = await this.outbox.run();
    const transient = result.failed.filter((f) => !f.permanent);
    if (transient.length > 0) throw new SyncError('network', `photo upload: ${transient[0]!.error}`);
  }

  // ---- transport ----

  private async context(): Promise<Context | undefined> {
    const { db } = this.records;
    const [identity, session] = await Promise.all([loadIdentity(db), loadSession(db)]);
    if (!identity || isLocalTeam(identity.teamId) || !session?.token) {
      this.teardownTransport();
      this.ctx = undefined;
      return undefined;
    }
    const relay = this.o.relay ?? (await resolveRelay(db));
    if (!relay) return undefined;
    const key = `${relay.http}|${identity.teamId}|${identity.deviceId}`;
    this.token = session.token;
    if (this.ctx?.key !== key) {
      this.teardownTransport();
      this.api = new RelayApi({ base: relay.http, teamId: identity.teamId, token: () => this.token, timeoutMs: this.o.httpTimeoutMs, ...(this.o.fetch ? { fetch: this.o.fetch } : {}) });
      this.socket = new SyncSocket({ url: relay.ws, ...(this.o.WebSocket ? { WebSocket: this.o.WebSocket } : {}) });
      this.socket.onOutgoing((h) => {
        if (h.type === MSG_SYNC && (h.syncType === SYNC_STEP2 || h.syncType === SYNC_UPDATE) && h.bytes >= (this.suspect?.bytes ?? 0)) this.suspect = { doc: h.doc, bytes: h.bytes };
      });
      this.socket.onClose((code, reason) => {
        const r = reasonForClose(code, reason);
        if (r === 'token_invalid' || r === 'token_expired' || r === 'device_revoked' || r === 'forbidden') this.fatalClose = r;
        // The relay refused one doc's update: leave that doc out (its data stays here), sync the rest.
        if ((r === 'message_too_large' || r === 'invalid_update') && this.suspect) this.excluded.set(this.suspect.doc, r);
        this.suspect = undefined;
        this.publish();
      });
      this.sessions = new DocSessions(this.socket, this.tracker, (name) => this.records.docs.get(name), {
        token: () => this.token,
        windowSize: this.o.windowSize,
        stallMs: this.o.stallMs,
        onStall: () => {
          this.stalledInRun = true;
          this.closeSocket();
          // A run retries its own docs; a live doc that stalled needs a run of its own.
          if (!this.running) this.fail(new SyncError('stalled', 'the relay stopped answering'), true);
        },
      });
      this.outbox = new PhotoOutbox(db, { base: relay.http, token: () => this.token, ...this.o.outbox });
    }
    this.ctx = { identity, session, relay, key };
    return this.ctx;
  }

  private async ensureSocket(ctx: Context): Promise<void> {
    const socket = this.socket!;
    this.lastActivity = Date.now();
    if (socket.connected) return;
    try {
      await socket.open(this.o.connectTimeoutMs);
    } catch (err) {
      if (err instanceof SocketClosedError) {
        const r = reasonForClose(err.code, err.reason);
        throw new SyncError(r ?? 'network', err.message);
      }
      throw new SyncError('network', String(err));
    }
    // The team doc keeps the socket alive (its awareness pings) and brings roster changes live.
    void this.sessions!.attachLive(teamDocName(ctx.identity.teamId), true);
  }

  private closeSocket(): void {
    this.sessions?.dropAll('closed');
    this.socket?.close();
  }

  private teardownTransport(): void {
    this.sessions?.destroy();
    this.socket?.destroy();
    void this.outbox?.stop();
    this.sessions = undefined;
    this.socket = undefined;
    this.api = undefined;
    this.outbox = undefined;
    this.ctx = undefined;
  }

  private async refreshToken(ctx: Context): Promise<void> {
    let fresh: { token: string; expiresAt: string };
    try {
      fresh = await this.api!.refreshToken();
    } catch (err) {
      if (err instanceof SyncError && (err.code === 'token_invalid' || err.code === 'token_expired' || err.code === 'device_revoked')) throw err;
      throw new SyncError('token_expired', 'could not refresh the token', { cause: err });
    }
    await saveSession(this.records.db, { token: fresh.token, expiresAt: fresh.expiresAt });
    this.token = fresh.token;
    ctx.session = { ...fresh };
    this.fatalClose = undefined;
    // The open socket authenticated its docs with the old token; start clean.
    this.closeSocket();
  }

  // ---- triggers ----

  /** A local write or an import: keep it flowing on the open socket, or schedule a run. */
  private localEdit(name: string): void {
    if (!this.ctx || parseDocName(name)?.teamId !== this.ctx.identity.teamId) return;
    this.hot.delete(name);
    this.hot.set(name, Date.now());
    if (this.hot.size > HOT_LIMIT) {
      const oldest = this.hot.keys().next().value as string;
      this.hot.delete(oldest);
      // Keep the socket's doc count bounded: a doc no longer being edited goes once in step.
      if (!this.tracker.isUnsynced(oldest) && !this.running) this.sessions?.detach(oldest);
    }
    this.lastActivity = Date.now();
    const live = this.socket?.connected && this.sessions && !this.running && !this.lastError;
    // On an open socket the update goes up at once (the provider sends it; the ack clears
    // the flag). A run follows anyway, shortly: it moves `since` past this device's own
    // uploads, so a relay later restored from an older backup is noticed (see steps()).
    if (live && !this.sessions!.isAttached(name)) void this.sessions!.attachLive(name).then(() => this.refreshCounts());
    this.schedulePush();
  }

  private schedulePush(): void {
    if (this.stopped || this.lastError?.retryable === false) return;
    if (this.timers.push) clearTimeout(this.timers.push);
    this.timers.push = setTimeout(() => {
      this.timers.push = undefined;
      this.auto();
    }, this.o.pushDelayMs);
  }

  private poll(): void {
    if (this.running) return;
    if (typeof document !== 'undefined' && document.visibilityState === 'hidden') return;
    this.auto();
  }

  /**
   * A run nobody asked for (timers, the browser's events). After a stop that needs a person
   * (revoked, token refused, not joined) only `syncNow` — a tap, or joining — starts one.
   */
  private auto(): void {
    if (this.lastError && !this.lastError.retryable) return;
    void this.syncNow();
  }

  private listenToBrowser(): void {
    const online = () => this.auto();
    const offline = () => {
      this.closeSocket();
      this.fail(new SyncError('network', 'the device is offline'), false);
    };
    const visible = () => {
      if (document.visibilityState === 'visible') this.auto();
    };
    window.addEventListener('online', online);
    window.addEventListener('offline', offline);
    document.addEventListener('visibilitychange', visible);
    this.cleanups.push(() => {
      window.removeEventListener('online', online);
      window.removeEventListener('offline', offline);
      document.removeEventListener('visibilitychange', visible);
    });
  }

  private scheduleIdleClose(): void {
    if (this.timers.idle) clearTimeout(this.timers.idle);
    if (!this.socket?.connected) return;
    this.timers.idle = setTimeout(() => {
      this.timers.idle = undefined;
      const quiet = Date.now() - this.lastActivity >= this.o.idleMs;
      const busy = this.running || this.tracker.isUnsyncedAny(this.sessions?.attachedNames ?? []);
      if (quiet && !busy) this.closeSocket();
      else this.scheduleIdleClose();
    }, this.o.idleMs);
  }

  private fail(err: SyncError, scheduleRetry: boolean): void {
    this.lastError = err;
    if (err.retryable && scheduleRetry && !this.stopped) {
      const delay = jitter(Math.min(this.o.retryMaxMs, this.o.retryBaseMs * 2 ** this.failures));
      this.failures++;
      if (this.timers.retry) clearTimeout(this.timers.retry);
      this.status.retryAt = new Date(Date.now() + delay).toISOString();
      this.timers.retry = setTimeout(() => {
        this.timers.retry = undefined;
        this.auto();
      }, delay);
    }
    this.publish();
  }

  // ---- status ----

  private setProgress(p: SyncProgress): void {
    this.progress = p;
    this.publish();
  }

  private dexieUnsynced: string[] = [];

  private async refreshCounts(): Promise<void> {
    const { db } = this.records;
    const teamId = this.ctx?.identity.teamId ?? (await loadIdentity(db))?.teamId;
    const [unsynced, pendingPhotos, revoked] = await Promise.all([
      db.docs.where('unsynced').equals(1).primaryKeys(),
      db.blobs.where('uploaded').equals(0).count(),
      teamId ? loadRevoked(db, teamId) : Promise.resolve([] as string[]),
    ]);
    this.countsTeam = teamId;
    this.dexieUnsynced = unsynced;
    this.status.pendingPhotos = pendingPhotos;
    this.status.revokedHouseholdIds = revoked.map((n) => parseDocName(n)?.id ?? '').filter(Boolean);
    this.publish();
  }

  private countsTeam: string | undefined;

  /**
   * What is not on the server: Dexie's durable flags, joined with what this session knows in
   * memory (a save counts before its flag write lands; an ack does not count until its
   * flag write lands).
   */
  private pendingDocs(): void {
    const teamId = this.countsTeam;
    const names = new Set([...this.dexieUnsynced, ...this.tracker.unsyncedInMemory()]);
    const mine = [...names].map((n) => parseDocName(n)).filter((p) => p && (!teamId || p.teamId === teamId));
    const households = [...new Set(mine.filter((p) => p!.kind === 'household').map((p) => p!.id!))].sort();
    this.status.pendingHouseholds = households.length;
    this.status.unsyncedHouseholdIds = households;
    this.status.teamUnsynced = mine.some((p) => p!.kind === 'team');
  }

  private publish(): void {
    this.pendingDocs();
    const s = this.status;
    const pending = s.pendingHouseholds > 0 || s.teamUnsynced || s.pendingPhotos > 0;
    const offline = typeof navigator !== 'undefined' && navigator.onLine === false;
    let state: SyncStatus['state'];
    let reason: SyncErrorCode | undefined;
    if (this.lastError && !this.lastError.retryable) {
      state = this.lastError.code === 'not_joined' ? 'offline' : 'error';
      reason = this.lastError.code;
    } else if (this.fatalClose) {
      state = 'error';
      reason = this.fatalClose;
    } else if (this.running && this.phase) {
      state = this.phase;
    } else if (this.lastError) {
      state = this.lastError.code === 'network' ? 'offline' : 'error';
      reason = this.lastError.code;
    } else if (offline) {
      state = 'offline';
      reason = 'network';
    } else if (pending) {
      state = 'syncing';
    } else {
      state = this.succeeded ? 'synced' : 'connecting';
    }
    s.state = state;
    if (reason) s.reason = reason;
    else delete s.reason;
    if (this.progress) s.progress = { ...this.progress };
    else delete s.progress;
    if (!this.timers.retry) delete s.retryAt;
    const snapshot: SyncStatus = { ...s, unsyncedHouseholdIds: [...s.unsyncedHouseholdIds], revokedHouseholdIds: [...s.revokedHouseholdIds] };
    for (const l of this.listeners) l(snapshot);
  }

  private async teamDocNames(teamId: string): Promise<string[]> {
    return (await this.records.docs.storedNames()).filter((n) => parseDocName(n)?.teamId === teamId);
  }
}

function jitter(ms: number): number {
  // Full jitter: a team that lost signal together does not come back in lockstep.
  return Math.round(ms / 2 + Math.random() * (ms / 2));
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
