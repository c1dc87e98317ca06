import { backoffDelay } from './backoff';

export interface TriggerOptions {
  /** ask the change feed this often while the app is visible; 0 = never */
  pollMs: number;
  /** close the socket after this long without activity */
  idleMs: number;
  /** wait this long after a local edit before a run (edits come in bursts) */
  pushDelayMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** listen to online/offline/visibility events */
  browser: boolean;
}

/** What the triggers ask of the engine. */
export interface TriggerHooks {
  /** start a run nobody asked for (the engine decides whether it may) */
  auto(): void;
  /** the browser lost the network */
  offline(): void;
  running(): boolean;
  /** whether the socket is open, and whether anything on it still waits for an ack */
  socketOpen(): boolean;
  socketBusy(): boolean;
  closeSocket(): void;
}

/**
 * When runs start by themselves: the browser's online/offline/visibility events, polling
 * while visible, a short delay after local edits, backoff after a failure — and when the
 * idle socket closes. Timers only; what a run does is the engine's.
 */
export class SyncTriggers {
  private timers: { retry?: ReturnType<typeof setTimeout>; push?: ReturnType<typeof setTimeout>; idle?: ReturnType<typeof setTimeout>; poll?: ReturnType<typeof setInterval> } = {};
  private readonly cleanups: (() => void)[] = [];
  private lastActivity = 0;

  constructor(
    private readonly o: TriggerOptions,
    private readonly hooks: TriggerHooks,
  ) {}

  start(): void {
    if (this.o.browser) this.listenToBrowser();
    if (this.o.pollMs > 0) this.timers.poll = setInterval(() => this.poll(), this.o.pollMs);
  }

  stop(): void {
    for (const t of [this.timers.retry, this.timers.push, this.timers.idle]) if (t) clearTimeout(t);
    if (this.timers.poll) clearInterval(this.timers.poll);
    this.timers = {};
    for (const c of this.cleanups.splice(0)) c();
  }

  /** A run is starting now: it covers whatever a pending retry or push was waiting for. */
  cancelPending(): void {
    for (const k of ['retry', 'push'] as const) {
      if (this.timers[k]) clearTimeout(this.timers[k]);
      this.timers[k] = undefined;
    }
  }

  /** Something went over the socket (or is about to): the idle close waits. */
  touch(): void {
    this.lastActivity = Date.now();
  }

  /** A local edit: run shortly, once the burst is over. */
  schedulePush(): void {
    if (this.timers.push) clearTimeout(this.timers.push);
    this.timers.push = setTimeout(() => {
      this.timers.push = undefined;
      this.hooks.auto();
    }, this.o.pushDelayMs);
  }

  /** Try again after the `failures`-th failure in a row; returns when (ms since epoch). */
  scheduleRetry(failures: number): number {
    const delay = backoffDelay(this.o.retryBaseMs, this.o.retryMaxMs, failures);
    if (this.timers.retry) clearTimeout(this.timers.retry);
    this.timers.retry = setTimeout(() => {
      this.timers.retry = undefined;
      this.hooks.auto();
    }, delay);
    return Date.now() + delay;
  }

  get retryPending(): boolean {
    return this.timers.retry !== undefined;
  }

  /** Close the socket once it has been quiet for `idleMs` with nothing waiting on it. */
  scheduleIdleClose(): void {
    if (this.timers.idle) clearTimeout(this.timers.idle);
    if (!this.hooks.socketOpen()) return;
    this.timers.idle = setTimeout(() => {
      this.timers.idle = undefined;
      const quiet = Date.now() - this.lastActivity >= this.o.idleMs;
      const busy = this.hooks.running() || this.hooks.socketBusy();
      if (quiet && !busy) this.hooks.closeSocket();
      else this.scheduleIdleClose();
    }, this.o.idleMs);
  }

  private poll(): void {
    if (this.hooks.running()) return;
    if (typeof document !== 'undefined' && document.visibilityState === 'hidden') return;
    this.hooks.auto();
  }

  private listenToBrowser(): void {
    const online = () => this.hooks.auto();
    const offline = () => this.hooks.offline();
    const visible = () => {
      if (document.visibilityState === 'visible') this.hooks.auto();
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
}
