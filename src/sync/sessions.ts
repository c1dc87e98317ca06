import { HocuspocusProvider } from '@hocuspocus/provider';
import type * as Y from 'yjs';
import type { SyncSocket } from './socket';
import type { UnsyncedTracker } from './unsynced';
import { MSG_SYNC, MSG_SYNC_STATUS, SYNC_STEP2, SYNC_UPDATE, type FrameHead } from './wire';

/** How a doc's sync ended: in step with the relay, or why not. */
export type SessionOutcome = { ok: true } | { ok: false; reason: SessionFailure };

/**
 * - `stalled`: no frame for the doc within the stall timeout (the relay or the link hung)
 * - `refused`: the relay answered SyncStatus(false): it did not store our update (read-only)
 * - `forbidden`: the relay refused to open the doc for this device
 * - `invalid`: the relay refused the doc's update as breaking the stored layout (`invalid-record`,
 *   e.g. a record from an altered file); the phone's to correct (the file shows it flagged)
 * - `closed`: the socket closed before the doc was in step
 */
export type SessionFailure = 'stalled' | 'refused' | 'forbidden' | 'invalid' | 'closed';

export interface SessionsOptions {
  token: () => string;
  /** docs attached and not yet in step at once (≤ 90: the relay refuses > 100 pending) */
  windowSize: number;
  /** a doc with no frame for this long is stalled */
  stallMs: number;
  /**
   * Called when docs stalled. The socket should be replaced: acknowledgements still owed to
   * a stalled session could otherwise arrive after the doc is attached again, and be
   * counted for frames the relay has not seen yet.
   */
  onStall?: (names: string[]) => void;
}

interface Pending {
  kind: 'step2' | 'update';
  /** the doc's local sequence when the frame was made: what its acknowledgement covers */
  seq: number;
}

/**
 * One attached doc. Acknowledgements are followed frame by frame: the relay answers every
 * sync-step-2 and update frame with one SyncStatus, in order, per doc. A step-2 carries the
 * whole local state the relay lacks, so its ack covers every local update made before it;
 * after that, each update frame's ack covers the update it carried. The doc counts as in
 * step with the relay only when the covered sequence reaches the doc's local sequence AND
 * the provider agrees (handshake done, `unsyncedChanges` back to 0).
 */
class DocSession {
  readonly provider: HocuspocusProvider;
  private readonly sent: Pending[] = [];
  private step2Acked = false;
  private covered = 0;
  lastProgress = Date.now();
  /** set once the session can no longer reach step (it is then detached) */
  failed: SessionFailure | undefined;
  private waiters: ((o: SessionOutcome) => void)[] = [];
  private confirmTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly name: string,
    readonly doc: Y.Doc,
    socket: SyncSocket,
    private readonly tracker: UnsyncedTracker,
    token: () => string,
    awareness: boolean,
  ) {
    this.provider = new HocuspocusProvider({
      name,
      document: doc,
      websocketProvider: socket.ws,
      token,
      // Awareness only where it keeps the socket alive (the team doc); `undefined` makes one.
      ...(awareness ? {} : { awareness: null }),
    });
    this.provider.on('authenticationFailed', ({ reason }: { reason: string }) => this.fail(reason === 'invalid-record' ? 'invalid' : 'forbidden'));
    this.provider.on('synced', () => this.check());
    this.provider.on('unsyncedChanges', () => this.check());
  }

  attach(): void {
    this.lastProgress = Date.now();
    this.provider.attach();
  }

  /**
   * Handshake done and nothing in flight, yet not in step: the doc was marked unsynced
   * without a frame going out (a start-up reconcile). Only a new handshake can settle it.
   */
  get idleBehind(): boolean {
    return this.step2Acked && this.sent.length === 0 && this.covered < this.tracker.localSeq(this.name);
  }

  get inStep(): boolean {
    return (
      this.step2Acked &&
      this.provider.isSynced &&
      this.provider.unsyncedChanges === 0 &&
      this.sent.length === 0 &&
      this.covered >= this.tracker.localSeq(this.name)
    );
  }

  outgoing(head: FrameHead): void {
    if (head.type !== MSG_SYNC) return;
    // Waiting for an answer starts now, not at the last frame of a quiet live doc.
    if (this.sent.length === 0) this.lastProgress = Date.now();
    if (head.syncType === SYNC_STEP2) this.sent.push({ kind: 'step2', seq: this.tracker.localSeq(this.name) });
    else if (head.syncType === SYNC_UPDATE) this.sent.push({ kind: 'update', seq: this.tracker.localSeq(this.name) });
  }

  incoming(head: FrameHead): void {
    this.lastProgress = Date.now();
    if (head.type === MSG_SYNC_STATUS) {
      const frame = this.sent.shift();
      if (!head.applied) {
        this.fail('refused');
        return;
      }
      if (frame?.kind === 'step2') {
        this.step2Acked = true;
        this.covered = Math.max(this.covered, frame.seq);
      } else if (frame && this.step2Acked) {
        // Every update since the step-2 went out in order and is acknowledged in order.
        this.covered = Math.max(this.covered, frame.seq);
      }
      this.check();
    } else if (head.type === MSG_SYNC && this.inStep && !this.tracker.isUnsynced(this.name)) {
      // A remote update landed while we are in step: the new state is the relay's.
      this.scheduleConfirm();
    }
  }

  /** Resolves when the doc is in step (or the session failed). */
  done(): Promise<SessionOutcome> {
    if (this.failed) return Promise.resolve({ ok: false, reason: this.failed });
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.check();
    });
  }

  /** In step: record it in Dexie first, then tell whoever waits. */
  private check(): void {
    if (this.failed || !this.inStep) return;
    void this.tracker.acknowledge(this.name, this.covered, this.doc).then(() => {
      if (!this.failed && this.inStep) this.settle({ ok: true });
    });
  }

  /** told of a failure before anyone waiting on the session (DocSessions notes refusals) */
  onFail: ((reason: SessionFailure) => void) | undefined;

  fail(reason: SessionFailure): void {
    if (this.failed) return;
    this.failed = reason;
    this.onFail?.(reason);
    this.settle({ ok: false, reason });
  }

  private settle(o: SessionOutcome): void {
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r(o);
  }

  private scheduleConfirm(): void {
    if (this.confirmTimer) return;
    this.confirmTimer = setTimeout(() => {
      this.confirmTimer = undefined;
      if (this.inStep) void this.tracker.confirmServerState(this.name, this.doc);
    }, 300);
  }

  destroy(): void {
    if (this.confirmTimer) clearTimeout(this.confirmTimer);
    this.fail('closed');
    this.provider.destroy();
  }
}

/**
 * The docs attached to the shared socket. `sync` attaches a list in a sliding window and
 * resolves once each is in step with the relay or failed; `keep` docs stay attached (live)
 * afterwards, the rest are detached as soon as they are done.
 */
export class DocSessions {
  private readonly sessions = new Map<string, DocSession>();
  private readonly unsubscribe: (() => void)[];
  private stallTimer: ReturnType<typeof setInterval> | undefined;
  /** per-doc attach count, for tests and the status screen */
  attachCount = 0;
  /**
   * Docs the relay dropped on this socket (permission denied: forbidden or invalid-record).
   * It does not answer them again on this socket: attaching one again would only wait for
   * the stall timeout, holding up the run's other docs. A new socket starts afresh.
   */
  private readonly dropped = new Map<string, 'forbidden' | 'invalid'>();

  constructor(
    private readonly socket: SyncSocket,
    private readonly tracker: UnsyncedTracker,
    private readonly openDoc: (name: string) => Promise<Y.Doc>,
    private readonly opts: SessionsOptions,
  ) {
    this.unsubscribe = [
      socket.onOutgoing((h) => this.sessions.get(h.doc)?.outgoing(h)),
      socket.onIncoming((h) => this.sessions.get(h.doc)?.incoming(h)),
      socket.onClose(() => this.dropAll('closed')),
    ];
  }

  get attachedNames(): string[] {
    return [...this.sessions.keys()];
  }

  isAttached(name: string): boolean {
    return this.sessions.has(name);
  }

  /** How the relay dropped this doc on this socket, if it did. */
  droppedAs(name: string): 'forbidden' | 'invalid' | undefined {
    return this.dropped.get(name);
  }

  /** Attach one doc and keep it attached (the team doc, docs being edited now). */
  async attachLive(name: string, awareness = false): Promise<SessionOutcome> {
    const gone = this.dropped.get(name);
    if (gone) return { ok: false, reason: gone };
    const existing = this.sessions.get(name);
    if (existing && !existing.failed && !existing.idleBehind) return existing.done();
    if (existing) this.detach(name);
    if (!this.socket.connected) return { ok: false, reason: 'closed' };
    return (await this.attach(name, awareness)).done();
  }

  /**
   * Bring `names` in step with the relay, at most `windowSize` attaching at once. Docs
   * already attached are waited for, not attached again. `onDone` runs as each finishes.
   */
  sync(names: string[], opts: { keep?: (name: string) => boolean; onDone?: (name: string, o: SessionOutcome) => void } = {}): Promise<Map<string, SessionOutcome>> {
    const queue = [...new Set(names)];
    const results = new Map<string, SessionOutcome>();
    let active = 0;
    return new Promise((resolve) => {
      const pump = () => {
        if (queue.length === 0 && active === 0) {
          resolve(results);
          return;
        }
        while (active < this.opts.windowSize && queue.length > 0) {
          const name = queue.shift()!;
          active++;
          void this.run(name, opts.keep?.(name) ?? false).then((o) => {
            active--;
            results.set(name, o);
            opts.onDone?.(name, o);
            pump();
          });
        }
      };
      pump();
    });
  }

  private async run(name: string, keep: boolean): Promise<SessionOutcome> {
    const gone = this.dropped.get(name);
    if (gone) return { ok: false, reason: gone };
    let session = this.sessions.get(name);
    // Nothing owed by the relay for this session, so it can be replaced on the same socket.
    if (session?.idleBehind) this.detach(name);
    session = this.sessions.get(name);
    const reused = !!session && !session.failed;
    if (!reused) {
      if (session) this.detach(name);
      if (!this.socket.connected) return { ok: false, reason: 'closed' };
      try {
        session = await this.attach(name, false);
      } catch {
        return { ok: false, reason: 'closed' };
      }
    }
    const outcome = await session!.done();
    if (!keep && !reused && this.sessions.get(name) === session) this.detach(name);
    else if (!outcome.ok) this.detach(name);
    return outcome;
  }

  private async attach(name: string, awareness: boolean): Promise<DocSession> {
    const doc = await this.openDoc(name);
    const existing = this.sessions.get(name);
    if (existing) return existing;
    const session = new DocSession(name, doc, this.socket, this.tracker, this.opts.token, awareness);
    this.sessions.set(name, session);
    // Recorded the moment it fails, before anyone waiting on it can try the doc again.
    session.onFail = (reason) => {
      if (reason === 'forbidden' || reason === 'invalid') this.dropped.set(name, reason);
    };
    this.attachCount++;
    this.ensureStallTimer();
    session.attach();
    return session;
  }

  detach(name: string): void {
    const s = this.sessions.get(name);
    if (!s) return;
    this.sessions.delete(name);
    s.destroy();
  }

  /** Detach everything (the socket is about to close or closed). */
  dropAll(reason: SessionFailure = 'closed'): void {
    // The relay's refusals hold for the connection they were made on, which is going.
    this.dropped.clear();
    for (const s of this.sessions.values()) s.fail(reason);
    for (const name of [...this.sessions.keys()]) this.detach(name);
  }

  private ensureStallTimer(): void {
    if (this.stallTimer) return;
    this.stallTimer = setInterval(() => {
      if (this.sessions.size === 0) {
        clearInterval(this.stallTimer);
        this.stallTimer = undefined;
        return;
      }
      const now = Date.now();
      const stalled: string[] = [];
      for (const s of [...this.sessions.values()]) {
        if (!s.failed && !s.inStep && now - s.lastProgress > this.opts.stallMs) {
          s.fail('stalled');
          this.detach(s.name);
          stalled.push(s.name);
        }
      }
      if (stalled.length > 0) this.opts.onStall?.(stalled);
    }, Math.min(1000, Math.max(50, this.opts.stallMs / 4)));
  }

  destroy(): void {
    this.dropAll();
    if (this.stallTimer) clearInterval(this.stallTimer);
    for (const u of this.unsubscribe) u();
  }
}
