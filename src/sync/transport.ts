import { isLocalTeam, loadIdentity, loadSession, saveSession, type Identity, type Session } from '@/db/identity';
import type { LocalRecords } from '@/db/local-records';
import { teamDocName } from '@/docs/schema';
import { SyncError, reasonForClose, type SyncErrorCode } from './errors';
import { PhotoOutbox, type OutboxOptions } from './outbox';
import { RelayApi } from './relay-api';
import { resolveRelay, type RelayEndpoints } from './relay-url';
import { DocSessions } from './sessions';
import { SocketClosedError, SyncSocket } from './socket';
import type { UnsyncedTracker } from './unsynced';
import { MSG_SYNC, SYNC_STEP2, SYNC_UPDATE } from './wire';

export type WebSocketCtor = new (url: string, protocols?: string | string[]) => WebSocket;

/** Who this device is to the relay, and where the relay is. */
export interface SyncContext {
  identity: Identity;
  session: Session;
  relay: RelayEndpoints;
  key: string;
}

export interface TransportOptions {
  records: LocalRecords;
  tracker: UnsyncedTracker;
  relay?: RelayEndpoints;
  WebSocket?: WebSocketCtor;
  fetch?: typeof fetch;
  windowSize: number;
  stallMs: number;
  connectTimeoutMs: number;
  httpTimeoutMs: number;
  outbox?: Pick<OutboxOptions, 'chunkSize' | 'retryDelays' | 'onChunk'>;
  /** something the status shows changed (a close, a refusal) */
  onChange: () => void;
  /** the socket is about to be used (the idle close counts from here) */
  onActivity: () => void;
  /** a doc stopped being answered (close the socket: see DocSessions.onStall) */
  onStall: () => void;
}

/**
 * The connection to the relay for the current team and device: the HTTP client, the one
 * socket, the doc sessions on it and the photo outbox — built again when the team, the
 * device or the relay changes. It also remembers what the relay's closes said: a close that
 * needs a person (`fatalClose`) and docs the relay refused as too large or invalid
 * (`excluded`, left out of runs until the app restarts; their data stays here).
 */
export class RelayTransport {
  api: RelayApi | undefined;
  socket: SyncSocket | undefined;
  sessions: DocSessions | undefined;
  outbox: PhotoOutbox | undefined;
  fatalClose: SyncErrorCode | undefined;
  /** the relay closed the socket because the lead revoked this phone as replaced */
  replacedClose = false;
  readonly excluded = new Map<string, 'message_too_large' | 'invalid_update'>();
  private ctx: SyncContext | undefined;
  private token = '';
  /** the biggest update frame on the current socket: what a 4413 / 4422 close is about */
  private suspect: { doc: string; bytes: number } | undefined;

  constructor(private readonly o: TransportOptions) {}

  /** The team and relay to sync with, or undefined when the device works alone. */
  async context(): Promise<SyncContext | undefined> {
    const { db } = this.o.records;
    const [identity, session] = await Promise.all([loadIdentity(db), loadSession(db)]);
    if (!identity || isLocalTeam(identity.teamId) || !session?.token) {
      this.teardown();
      return undefined;
    }
    const relay = this.o.relay ?? (await resolveRelay(db));
    if (!relay) return undefined;
    const key = `${relay.http}|${identity.teamId}|${identity.deviceId}`;
    this.token = session.token;
    if (this.ctx?.key !== key) this.build(relay, identity.teamId);
    this.ctx = { identity, session, relay, key };
    return this.ctx;
  }

  /** The context of the last `context()` call (without reading storage). */
  get current(): SyncContext | undefined {
    return this.ctx;
  }

  private build(relay: RelayEndpoints, teamId: string): void {
    this.teardown();
    const o = this.o;
    this.api = new RelayApi({ base: relay.http, teamId, token: () => this.token, timeoutMs: o.httpTimeoutMs, ...(o.fetch ? { fetch: o.fetch } : {}) });
    // `team` is for a proxy in front of several relays (deploy/haproxy.cfg hashes on it, so a
    // team's sockets meet on one relay); the relay itself ignores the query.
    this.socket = new SyncSocket({ url: `${relay.ws}?team=${encodeURIComponent(teamId)}`, ...(o.WebSocket ? { WebSocket: o.WebSocket } : {}) });
    this.socket.onOutgoing((h) => {
      if (h.type === MSG_SYNC && (h.syncType === SYNC_STEP2 || h.syncType === SYNC_UPDATE) && h.bytes >= (this.suspect?.bytes ?? 0)) this.suspect = { doc: h.doc, bytes: h.bytes };
    });
    this.socket.onClose((code, reason) => {
      const r = reasonForClose(code, reason);
      if (r === 'token_invalid' || r === 'token_expired' || r === 'device_revoked' || r === 'device_lost' || r === 'forbidden') this.fatalClose = r;
      // Replaced while connected: the next run makes the last upload on a new socket (ADR 0029).
      if (r === 'device_replaced') this.replacedClose = true;
      // The relay refused one doc's update: leave that doc out (its data stays here), sync the rest.
      if ((r === 'message_too_large' || r === 'invalid_update') && this.suspect) this.excluded.set(this.suspect.doc, r);
      this.suspect = undefined;
      o.onChange();
    });
    this.sessions = new DocSessions(this.socket, o.tracker, (name) => o.records.docs.get(name), {
      token: () => this.token,
      windowSize: o.windowSize,
      stallMs: o.stallMs,
      onStall: () => o.onStall(),
    });
    this.outbox = new PhotoOutbox(o.records.db, { base: relay.http, token: () => this.token, ...o.outbox });
  }

  /** Open the socket if it is closed; the team doc goes live on it. */
  async ensureSocket(ctx: SyncContext): Promise<void> {
    const socket = this.socket!;
    this.o.onActivity();
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

  /** Close the socket (its docs are detached); the transport stays usable. */
  close(): void {
    this.sessions?.dropAll('closed');
    this.socket?.close();
  }

  /** Forget the transport (another team, device or relay, or the engine stopping). */
  teardown(): void {
    this.sessions?.destroy();
    this.socket?.destroy();
    void this.outbox?.stop();
    this.sessions = undefined;
    this.socket = undefined;
    this.api = undefined;
    this.outbox = undefined;
    this.ctx = undefined;
  }

  /** Swap an expired token for a fresh one (the relay accepts it for a long grace). */
  async refreshToken(ctx: SyncContext): Promise<void> {
    let fresh: { token: string; expiresAt: string };
    try {
      fresh = await this.api!.refreshToken();
    } catch (err) {
      if (err instanceof SyncError && (err.code === 'token_invalid' || err.code === 'token_expired' || err.code === 'device_revoked' || err.code === 'device_lost')) throw err;
      throw new SyncError('token_expired', 'could not refresh the token', { cause: err });
    }
    await saveSession(this.o.records.db, { token: fresh.token, expiresAt: fresh.expiresAt });
    this.token = fresh.token;
    ctx.session = { ...fresh };
    this.fatalClose = undefined;
    // The open socket authenticated its docs with the old token; start clean.
    this.close();
  }

  /** Traffic so far. */
  get stats() {
    return {
      http: { ...(this.api?.stats ?? { requests: 0, bytesReceived: 0 }) },
      socket: { ...(this.socket?.stats ?? { connections: 0, framesSent: 0, bytesSent: 0, framesReceived: 0, bytesReceived: 0 }) },
      attaches: this.sessions?.attachCount ?? 0,
    };
  }
}
