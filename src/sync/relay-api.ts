import type { Bundle } from '@/docs/bundle';
import { readBundle } from './bundle-io';
import { SyncError, reasonForHttp } from './errors';

/** `GET /api/changes` (docs/sync-protocol.md, "Catch-up"). */
export interface ChangeFeed {
  seq: number;
  changed: string[];
  readable: number;
  revoked: string[];
  /** `since` is ahead of the relay (restored from a backup): start over and upload everything */
  reset?: boolean;
}

export interface BundlePiece {
  bundle: Bundle;
  /** `X-Lianhu-Seq`: the team sequence taken before the relay read the docs */
  seq: number;
  /** the last doc name in this piece: ask `after` it next */
  last: string | undefined;
  /** `X-Lianhu-More`: there are docs after this piece */
  more: boolean;
  /** `X-Lianhu-Total`, if the relay sends it: how many docs the whole bundle holds */
  total?: number;
}

export interface RelayApiOptions {
  /** HTTP base of the relay, no trailing slash ('' for same origin) */
  base: string;
  token: () => string;
  teamId: string;
  fetch?: typeof fetch;
  /** per request */
  timeoutMs?: number;
}

/** Counters for the status screen and the tests' budgets. */
export interface HttpStats {
  requests: number;
  bytesReceived: number;
}

/**
 * The relay's HTTP API as the sync engine uses it. Every failure becomes a SyncError with
 * a reason (network, token, forbidden, rate limit, server).
 */
export class RelayApi {
  readonly stats: HttpStats = { requests: 0, bytesReceived: 0 };
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly opts: RelayApiOptions) {
    this.fetchImpl = opts.fetch ?? ((...args) => globalThis.fetch(...args));
  }

  get base(): string {
    return this.opts.base;
  }

  authHeader(): Record<string, string> {
    return { Authorization: `Bearer ${this.opts.token()}` };
  }

  async changes(since: number): Promise<ChangeFeed> {
    const res = await this.request(`/api/changes?since=${since}`);
    const body = (await this.json(res)) as Partial<ChangeFeed>;
    if (typeof body.seq !== 'number' || !Array.isArray(body.changed) || !Array.isArray(body.revoked)) throw new SyncError('server', 'bad change feed');
    return { seq: body.seq, changed: body.changed, readable: body.readable ?? 0, revoked: body.revoked, reset: body.reset === true };
  }

  /** One piece of the first-sync bundle: up to `limit` docs after `after`, decoded and checked. */
  async bundlePiece(after: string | undefined, limit: number): Promise<BundlePiece> {
    const q = new URLSearchParams({ limit: String(limit) });
    if (after) q.set('after', after);
    const res = await this.request(`/api/bundle?${q}`);
    const seq = Number(res.headers.get('X-Lianhu-Seq'));
    // The body is the gzip file itself; a proxy may have inflated it on the way (both are read).
    const body = await res.blob();
    this.stats.bytesReceived += body.size;
    const bundle = await readBundle(body, this.opts.teamId);
    const headerSeq = bundle.header.seq;
    const more = res.headers.has('X-Lianhu-More') ? res.headers.get('X-Lianhu-More') === '1' : bundle.docs.length >= limit;
    const total = Number(res.headers.get('X-Lianhu-Total') ?? NaN);
    return {
      bundle,
      seq: Number.isFinite(seq) && res.headers.has('X-Lianhu-Seq') ? seq : (headerSeq ?? 0),
      last: bundle.docs.at(-1)?.name,
      more,
      ...(Number.isFinite(total) ? { total } : {}),
    };
  }

  /** Swap the token for a fresh one (`POST /api/token/refresh`). */
  async refreshToken(): Promise<{ token: string; expiresAt: string }> {
    const res = await this.request('/api/token/refresh', { method: 'POST' });
    const body = (await this.json(res)) as { token?: unknown; expiresAt?: unknown };
    if (typeof body.token !== 'string' || typeof body.expiresAt !== 'string') throw new SyncError('server', 'bad refresh answer');
    return { token: body.token, expiresAt: body.expiresAt };
  }

  /** A photo by content; undefined when the relay does not have it (404). */
  async file(sha256: string): Promise<Blob | undefined> {
    let res: Response;
    try {
      res = await this.request(`/files/${sha256}`);
    } catch (err) {
      if (err instanceof RelayHttpError && err.status === 404) return undefined;
      throw err;
    }
    const blob = await res.blob();
    this.stats.bytesReceived += blob.size;
    return blob;
  }

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    this.stats.requests++;
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), this.opts.timeoutMs ?? 30_000);
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.opts.base}${path}`, {
        ...init,
        headers: { ...this.authHeader(), ...(init.headers as Record<string, string> | undefined) },
        signal: ctrl.signal,
        cache: 'no-store',
      });
    } catch (err) {
      clearTimeout(timer);
      throw new SyncError('network', `${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    clearTimeout(timer);
    if (res.ok) return res;
    const body = (await res.json().catch(() => undefined)) as { error?: { code?: string; message?: string } } | undefined;
    throw new RelayHttpError(res.status, body?.error?.code, `${path}: ${res.status} ${body?.error?.message ?? ''}`);
  }

  private async json(res: Response): Promise<unknown> {
    const text = await res.text();
    this.stats.bytesReceived += text.length;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new SyncError('server', 'not JSON');
    }
  }
}

/** An HTTP error answer from the relay; `code` is the relay's own error code. */
export class RelayHttpError extends SyncError {
  constructor(
    readonly status: number,
    readonly serverCode: string | undefined,
    message: string,
  ) {
    super(reasonForHttp(status, serverCode), message);
    this.name = 'RelayHttpError';
  }
}
