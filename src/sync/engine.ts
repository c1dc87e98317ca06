import { WRITTEN_AHEAD } from '@/db/doc-persistence';
import { loadIdentity } from '@/db/identity';
import type { LocalRecords } from '@/db/local-records';
import { parseDocName } from '@/docs/schema';
import { loadLastSynced, saveLastSynced } from './catch-up';
import { loadRevokedDevice, saveRevokedDevice } from './revoked-device';
import { PendingCounts } from './counts';
import { SyncError } from './errors';
import type { OutboxOptions } from './outbox';
import type { RelayApi } from './relay-api';
import type { RelayEndpoints } from './relay-url';
import { HotDocs } from './hot';
import { SyncRun } from './run';
import { deriveSyncStatus, INITIAL_STATUS, type SyncProgress, type SyncStatus } from './status';
import { RelayTransport, type WebSocketCtor } from './transport';
import { SyncTriggers } from './triggers';
import { IMPORTED, UnsyncedTracker } from './unsynced';

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
  /** a household edited within this long stays attached after a run (see HotDocs) */
  hotMs?: number;
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
  /**
   * Revoked as lost (ADR 0029): erase every local record, key and draft. By default
   * `eraseDevice` (src/trust/wipe.ts); the engine stops first and tells the relay after.
   */
  erase?: (records: LocalRecords) => Promise<void>;
  /** after the erasure: whether the relay heard of it, and how to tell it later if not */
  onWiped?: (w: WipeOutcome) => void;
}

export interface WipeOutcome {
  at: string;
  /** the relay recorded the erasure */
  confirmed: boolean;
  /** to tell the relay later (its answer failed): the relay's address and this device's token */
  retry?: { http: string; token: string };
}

const HOT_LIMIT = 50;
/** a cold doc still waiting for its ack (or in a run's hands) is looked at again after this */
const COOL_RETRY_MS = 5_000;

/**
 * The client sync engine (docs/adr/0003-client-sync.md): its life cycle, one run at a time,
 * and the status it publishes. The parts have modules of their own: what a run does
 * (`run.ts`), the connection to the relay (`transport.ts`), when runs start by themselves
 * (`triggers.ts`), what is not on the server (`counts.ts`) and how the status is decided
 * (`status.ts`, one pure function).
 */
export class SyncEngine {
  status: SyncStatus = { ...INITIAL_STATUS };
  readonly tracker: UnsyncedTracker;
  private readonly o: Required<Omit<SyncEngineOptions, 'relay' | 'WebSocket' | 'fetch' | 'outbox' | 'erase' | 'onWiped'>> & Pick<SyncEngineOptions, 'relay' | 'WebSocket' | 'fetch' | 'outbox' | 'erase' | 'onWiped'>;
  private readonly transport: RelayTransport;
  private readonly triggers: SyncTriggers;
  private readonly counts: PendingCounts;
  private readonly listeners = new Set<(s: SyncStatus) => void>();
  private readonly cleanups: (() => void)[] = [];
  private running: Promise<void> | undefined;
  private run: SyncRun | undefined;
  private rerun = false;
  private phase: 'connecting' | 'syncing' | undefined;
  private progress: SyncProgress | undefined;
  /** a bundle download is under way in this run (its docs or rows are not all on disk) */
  private downloading = false;
  /** where the last download stood, kept while the team's records are incomplete */
  private downloadProgress: SyncProgress | undefined;
  private lastError: SyncError | undefined;
  private succeeded = false;
  private failures = 0;
  private readonly hot: HotDocs;
  private coolTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = true;
  /** this device id was revoked by the relay (remembered: a revoked device stays revoked) */
  private revokedDevice: string | undefined;

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
      hotMs: 60_000,
      retryBaseMs: 2_000,
      retryMaxMs: 5 * 60_000,
      bundleThreshold: 300,
      triggers: typeof window !== 'undefined' && typeof document !== 'undefined',
      photos: true,
      ...opts,
    };
    this.o.windowSize = Math.min(90, Math.max(1, this.o.windowSize));
    this.hot = new HotDocs({ hotMs: this.o.hotMs, limit: HOT_LIMIT });
    this.tracker = new UnsyncedTracker(opts.records);
    this.counts = new PendingCounts(opts.records, this.tracker);
    this.transport = new RelayTransport({
      records: opts.records,
      tracker: this.tracker,
      relay: this.o.relay,
      WebSocket: this.o.WebSocket,
      fetch: this.o.fetch,
      windowSize: this.o.windowSize,
      stallMs: this.o.stallMs,
      connectTimeoutMs: this.o.connectTimeoutMs,
      httpTimeoutMs: this.o.httpTimeoutMs,
      outbox: this.o.outbox,
      onChange: () => {
        if (this.transport.fatalClose === 'device_revoked') void this.rememberRevoked();
        if (this.transport.fatalClose === 'device_lost') void this.wipe();
        if (this.transport.replacedClose) {
          this.transport.replacedClose = false;
          // The relay closed the socket to say so: the last upload goes on a new one.
          queueMicrotask(() => void this.syncNow());
        }
        this.publish();
      },
      onActivity: () => this.triggers.touch(),
      onStall: () => {
        if (this.run) this.run.stalled = true;
        this.transport.close();
        // A run retries its own docs; a live doc that stalled needs a run of its own.
        if (!this.running) this.fail(new SyncError('stalled', 'the relay stopped answering'), true);
      },
    });
    this.triggers = new SyncTriggers(
      { pollMs: this.o.pollMs, idleMs: this.o.idleMs, pushDelayMs: this.o.pushDelayMs, retryBaseMs: this.o.retryBaseMs, retryMaxMs: this.o.retryMaxMs, browser: this.o.triggers },
      {
        auto: () => this.auto(),
        offline: () => {
          this.transport.close();
          this.fail(new SyncError('network', 'the device is offline'), false);
        },
        running: () => !!this.running,
        socketOpen: () => !!this.transport.socket?.connected,
        socketBusy: () => this.tracker.isUnsyncedAny(this.transport.sessions?.attachedNames ?? []),
        closeSocket: () => this.transport.close(),
      },
    );
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
    this.triggers.start();
    this.status.lastSyncedAt = await loadLastSynced(this.records.db);
    this.revokedDevice = await loadRevokedDevice(this.records.db);
    await this.refreshCounts();
    void this.syncNow();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.triggers.stop();
    if (this.coolTimer) clearTimeout(this.coolTimer);
    this.coolTimer = undefined;
    for (const c of this.cleanups.splice(0)) c();
    await this.transport.outbox?.stop();
    await this.running?.catch(() => undefined);
    this.transport.teardown();
    await this.tracker.settled();
    this.tracker.stop();
  }

  onStatus(listener: (s: SyncStatus) => void): () => void {
    this.listeners.add(listener);
    listener(this.snapshot());
    return () => this.listeners.delete(listener);
  }

  /** Traffic so far, for the settings screen and the tests' budgets. */
  get stats() {
    return this.transport.stats;
  }

  /** The docs attached to the open socket now (the team doc, households being worked on). */
  get attachedDocs(): string[] {
    return this.transport.sessions?.attachedNames ?? [];
  }

  /** The HTTP client for the current team (photos on demand use it). */
  async relayApi(): Promise<RelayApi | undefined> {
    const ctx = await this.transport.context();
    return ctx ? this.transport.api : undefined;
  }

  /** Sync now; resolves when this run (and any run it had to wait for) is over. */
  syncNow(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.triggers.cancelPending();
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
    // Nothing received is derived before the start's team is open (LocalRecords.start).
    await this.records.ready;
    const ctx = await this.transport.context();
    if (!ctx) {
      this.lastError = new SyncError('not_joined');
      this.publish();
      return;
    }
    // Revoked is for good: say so at once, with or without a network, and ask nothing of the
    // relay. Joining again gives the device a new id, and this no longer applies.
    if (this.revokedDevice === ctx.identity.deviceId) {
      this.lastError = new SyncError('device_revoked', 'this device was revoked earlier');
      this.publish();
      return;
    }
    if (typeof navigator !== 'undefined' && navigator.onLine === false) {
      this.fail(new SyncError('network', 'the device is offline'), false);
      return;
    }
    this.lastError = undefined;
    this.transport.fatalClose = undefined;
    this.phase = 'connecting';
    this.publish();
    this.run = new SyncRun(
      {
        records: this.records,
        tracker: this.tracker,
        transport: this.transport,
        options: this.o,
        hot: this.hot,
        setPhase: (p) => {
          this.phase = p;
          this.publish();
        },
        setProgress: (p) => this.setProgress(p),
        setDownloading: (d) => {
          this.downloading = d;
          // Finished (or stopped): read the durable position again, so "complete" follows at once.
          if (d) this.publish();
          else void this.refreshCounts();
        },
      },
      ctx,
    );
    try {
      await this.run.execute();
      if (this.run.rerun) this.rerun = true;
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
      if (this.run.stalled && e.code === 'network') e = new SyncError('stalled', e.message, { cause: e });
      this.fail(e, true);
    } finally {
      this.run = undefined;
      this.phase = undefined;
      this.progress = undefined;
      this.triggers.scheduleIdleClose();
      await this.refreshCounts();
    }
  }

  // ---- triggers ----

  /** A local write or an import: keep it flowing on the open socket, or schedule a run. */
  private localEdit(name: string): void {
    const ctx = this.transport.current;
    if (!ctx || parseDocName(name)?.teamId !== ctx.identity.teamId) return;
    const { sessions, socket } = this.transport;
    // The relay dropped this doc on the open socket as breaking the stored layout, and will
    // not answer it there again: an edit (the correction) goes up on a fresh socket.
    if (sessions?.droppedAs(name) === 'invalid') this.transport.close();
    // Keep the socket's doc count bounded: a doc no longer being edited goes once in step.
    for (const oldest of this.hot.touch(name)) if (!this.tracker.isUnsynced(oldest) && !this.running) sessions?.detach(oldest);
    this.scheduleCoolDown();
    this.triggers.touch();
    const live = socket?.connected && sessions && !this.running && !this.lastError;
    // On an open socket the update goes up at once (the provider sends it; the ack clears
    // the flag). A run follows anyway, shortly: it moves `since` past this device's own
    // uploads, so a relay later restored from an older backup is noticed (see SyncRun).
    if (live && !sessions.isAttached(name)) void sessions.attachLive(name).then(() => this.refreshCounts());
    if (this.stopped || this.lastError?.retryable === false) return;
    this.triggers.schedulePush();
  }

  /** Detach households once they are `hotMs` past their last edit (HotDocs says why). */
  private scheduleCoolDown(delayMs = this.hot.nextColdIn()): void {
    if (this.coolTimer) clearTimeout(this.coolTimer);
    this.coolTimer = undefined;
    if (delayMs === undefined || this.stopped) return;
    this.coolTimer = setTimeout(() => {
      this.coolTimer = undefined;
      this.coolDown();
    }, delayMs);
  }

  private coolDown(): void {
    let waiting = false;
    for (const name of this.hot.cold()) {
      // Still owed an ack, or a run is deciding what stays attached: look again shortly.
      if (this.running || this.tracker.isUnsynced(name)) {
        waiting = true;
        continue;
      }
      this.hot.delete(name);
      this.transport.sessions?.detach(name);
    }
    this.scheduleCoolDown(waiting ? COOL_RETRY_MS : this.hot.nextColdIn());
  }

  /**
   * A run nobody asked for (timers, the browser's events). After a stop that needs a person
   * (revoked, token refused, not joined) only `syncNow` — a tap, or joining — starts one.
   */
  private auto(): void {
    if (this.lastError && !this.lastError.retryable) return;
    void this.syncNow();
  }

  private fail(err: SyncError, scheduleRetry: boolean): void {
    this.lastError = err;
    if (err.code === 'device_revoked') void this.rememberRevoked();
    if (err.code === 'device_lost') void this.wipe();
    if (err.retryable && scheduleRetry && !this.stopped) {
      this.status.retryAt = new Date(this.triggers.scheduleRetry(this.failures)).toISOString();
      this.failures++;
    }
    this.publish();
  }

  /**
   * Revoked as lost (ADR 0029): stop, erase everything on this phone, then tell the relay (the
   * lead sees when). The erasure comes first: a relay that cannot be told must not keep the
   * records here. Once only, whichever of the socket and HTTP said so first.
   */
  private wiping: Promise<void> | undefined;
  wipe(): Promise<void> {
    this.wiping ??= (async () => {
      const api = this.transport.api;
      const relay = this.transport.current?.relay;
      const token = this.transport.current?.session.token;
      this.lastError = new SyncError('device_lost', 'this phone was revoked as lost');
      this.publish();
      // Not awaited from inside a run: `stop` waits for the run, which is what called us.
      await Promise.resolve();
      await this.stop();
      const erase = this.o.erase ?? (async (records: LocalRecords) => (await import('@/trust/wipe')).eraseDevice(records));
      await erase(this.records);
      const at = new Date().toISOString();
      let confirmed = false;
      try {
        if (api) {
          await api.deviceWiped();
          confirmed = true;
        }
      } catch (err) {
        console.warn('could not tell the relay the phone was erased', err);
      }
      this.o.onWiped?.({ at, confirmed, ...(!confirmed && relay && token ? { retry: { http: relay.http, token } } : {}) });
    })();
    return this.wiping;
  }

  /** Keep "revoked" across reloads and offline starts (the relay said so once; it is final). */
  private async rememberRevoked(): Promise<void> {
    const deviceId = this.transport.current?.identity.deviceId;
    if (!deviceId || this.revokedDevice === deviceId) return;
    this.revokedDevice = deviceId;
    await saveRevokedDevice(this.records.db, deviceId);
  }

  // ---- status ----

  private setProgress(p: SyncProgress | undefined): void {
    this.progress = p;
    if (p && this.downloading) this.downloadProgress = p;
    this.publish();
  }

  private async refreshCounts(): Promise<void> {
    const teamId = this.transport.current?.identity.teamId ?? (await loadIdentity(this.records.db))?.teamId;
    await this.counts.refresh(teamId);
    this.publish();
  }

  private snapshot(): SyncStatus {
    const s = this.status;
    return { ...s, unsyncedHouseholdIds: [...s.unsyncedHouseholdIds], revokedHouseholdIds: [...s.revokedHouseholdIds], teamRecords: { ...s.teamRecords } };
  }

  private publish(): void {
    const s = this.status;
    const c = this.counts.current();
    s.pendingHouseholds = c.unsyncedHouseholdIds.length;
    s.unsyncedHouseholdIds = c.unsyncedHouseholdIds;
    s.teamUnsynced = c.teamUnsynced;
    s.pendingPhotos = c.pendingPhotos;
    s.revokedHouseholdIds = c.revokedHouseholdIds;
    const teamComplete = c.teamDownloaded && !this.downloading;
    if (teamComplete) this.downloadProgress = undefined;
    s.teamRecords = teamComplete ? { complete: true } : { complete: false, ...this.downloadProgress };
    const derived = deriveSyncStatus({
      lastError: this.lastError,
      fatalClose: this.transport.fatalClose,
      phase: this.running ? this.phase : undefined,
      browserOffline: typeof navigator !== 'undefined' && navigator.onLine === false,
      pendingHouseholds: s.pendingHouseholds,
      teamUnsynced: s.teamUnsynced,
      pendingPhotos: s.pendingPhotos,
      succeeded: this.succeeded,
      teamComplete,
      countsKnown: c.known,
    });
    s.state = derived.state;
    s.headline = derived.headline;
    if (derived.reason) s.reason = derived.reason;
    else delete s.reason;
    if (this.progress) s.progress = { ...this.progress };
    else delete s.progress;
    if (!this.triggers.retryPending) delete s.retryAt;
    const snapshot = this.snapshot();
    for (const l of this.listeners) l(snapshot);
  }
}
