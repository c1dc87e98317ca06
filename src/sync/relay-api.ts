import type * as v from 'valibot';
import type { Bundle } from '@/docs/bundle';
import type { DevicePublicKey } from '@/domain/device-key';
import { API, checkBody, errorAnswer, type ApiDevice, type CarriedAnswer, type CancelInviteAnswer, type CreateInviteAnswer, type OpenInvite, type RefreshTokenAnswer, type RevokeDeviceAnswer, type RevokeReason, type DeviceEndAnswer } from '@/domain/api-contract';
import type { Role } from '@/domain/team';
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

/**
 * A relay answer checked against its schema in src/domain/api-contract.ts. One that does not
 * match is the relay's fault, like a 5xx: a `server` error naming the field, never a half-read
 * object further down.
 */
export function parseAnswer<S extends v.GenericSchema>(schema: S, body: unknown, what: string): v.InferOutput<S> {
  const checked = checkBody(schema, body);
  if (checked.ok) return checked.value;
  throw new SyncError('server', `${what}: the answer does not match the API contract at ${checked.path || 'its top level'} (${checked.message})`);
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
    const body = parseAnswer(API.changes.answer, await this.json(res), 'GET /api/changes');
    return { seq: body.seq, changed: body.changed, readable: body.readable, revoked: body.revoked, reset: body.reset === true };
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
  async refreshToken(): Promise<RefreshTokenAnswer> {
    const res = await this.request('/api/token/refresh', { method: 'POST' });
    return parseAnswer(API.refreshToken.answer, await this.json(res), 'POST /api/token/refresh');
  }

  /** The team's devices (`GET /api/devices`, leads only). */
  async devices(): Promise<ApiDevice[]> {
    const res = await this.request('/api/devices');
    return parseAnswer(API.devices.answer, await this.json(res), 'GET /api/devices').devices;
  }

  /** A one-time invite code (`POST /api/invites`, leads only). */
  async createInvite(role: Role, memberId?: string): Promise<CreateInviteAnswer> {
    const res = await this.request('/api/invites', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(memberId ? { role, memberId } : { role }),
    });
    return parseAnswer(API.createInvite.answer, await this.json(res), 'POST /api/invites');
  }

  /** The team's invites still open (`GET /api/invites`, leads only). */
  async invites(): Promise<OpenInvite[]> {
    const res = await this.request('/api/invites');
    return parseAnswer(API.invites.answer, await this.json(res), 'GET /api/invites').invites;
  }

  /** Cancel an open invite (`POST /api/invites/<id>/cancel`, leads only): its code stops working. */
  async cancelInvite(inviteId: string): Promise<CancelInviteAnswer> {
    const res = await this.request(`/api/invites/${encodeURIComponent(inviteId)}/cancel`, { method: 'POST' });
    return parseAnswer(API.cancelInvite.answer, await this.json(res), 'POST /api/invites/…/cancel');
  }

  /** Revoke a device for a reason (`POST /api/devices/<id>/revoke`, ADR 0029): a lead any of the team's, a device itself. */
  async revokeDevice(deviceId: string, reason: RevokeReason): Promise<RevokeDeviceAnswer> {
    const res = await this.request(`/api/devices/${encodeURIComponent(deviceId)}/revoke`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ reason }),
    });
    return parseAnswer(API.revokeDevice.answer, await this.json(res), 'POST /api/devices/…/revoke');
  }

  /** A replaced phone's last upload is done (`POST /api/devices/retire`): the relay refuses it from now on. */
  async retire(): Promise<DeviceEndAnswer> {
    const res = await this.request('/api/devices/retire', { method: 'POST' });
    return parseAnswer(API.retireDevice.answer, await this.json(res), 'POST /api/devices/retire');
  }

  /** A lost phone erased itself (`POST /api/devices/wiped`): the lead sees when. */
  async deviceWiped(): Promise<DeviceEndAnswer> {
    const res = await this.request('/api/devices/wiped', { method: 'POST' });
    return parseAnswer(API.deviceWiped.answer, await this.json(res), 'POST /api/devices/wiped');
  }

  /** Register this device's signing key (`POST /api/devices/key`, once; ADR 0023). */
  async registerKey(publicKey: DevicePublicKey): Promise<void> {
    const res = await this.request('/api/devices/key', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ publicKey }) });
    parseAnswer(API.registerKey.answer, await this.json(res), 'POST /api/devices/key');
  }

  /**
   * Deliver a colleague's signed file (`POST /api/carried`): the relay applies it on the
   * exporter's authority and answers per doc. A refusal is a RelayHttpError with the relay's code.
   */
  async deliverCarried(file: Blob): Promise<CarriedAnswer> {
    // A file of several photos on a thin link takes longer than a JSON request.
    const res = await this.request('/api/carried', { method: 'POST', headers: { 'Content-Type': 'application/gzip' }, body: file }, 10 * 60_000);
    return parseAnswer(API.carried.answer, await this.json(res), 'POST /api/carried');
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

  async request(path: string, init: RequestInit = {}, timeoutMs = this.opts.timeoutMs ?? 30_000): Promise<Response> {
    this.stats.requests++;
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), timeoutMs);
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
    // A proxy's HTML error page has no code: the status alone decides.
    const checked = checkBody(errorAnswer, await res.json().catch(() => undefined));
    const error = checked.ok ? checked.value.error : undefined;
    throw new RelayHttpError(res.status, error?.code, `${path}: ${res.status} ${error?.message ?? ''}`.trimEnd());
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
