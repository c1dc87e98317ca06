import crypto from 'node:crypto';
import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import { parseDocName } from '#docs/schema';
import type { DeviceClaims } from '../auth/tokens';
import type { RelayLimits } from '../config';
import { CLOSE, type CloseReason } from '../errors';
import { DeclaredFrames } from '../limits/declared-frames';
import type { Logger } from '../logger';
import { inspectFrame, type Frame } from '../validation/frame';
import type { DeviceSessions, DeviceSocket } from './device-sessions';

type DocState = 'pending' | 'open' | 'denied';

/**
 * One WebSocket, seen before Hocuspocus sees it. Every frame passes `admit` first: size,
 * rate, the bytes allowed before authentication, the number of documents, and a complete
 * parse of the frame (a malformed Yjs update never reaches Yjs). A frame that fails closes
 * this socket only, with a close code from `CLOSE`.
 */
export class SocketSession implements DeviceSocket {
  readonly id = crypto.randomUUID();
  claims?: DeviceClaims;
  closed = false;
  /** parsed frames, so the message hook does not parse again */
  readonly frames = new WeakMap<object, Frame>();

  private readonly docs = new Map<string, DocState>();
  private readonly pendingBytes = new Map<string, number>();
  private pendingTotal = 0;
  private pendingDocs = 0;
  private preAuthBytes = 0;
  private readonly admitted = new WeakSet<object>();
  private verified?: { token: string; claims: DeviceClaims };
  private readonly authTimer: NodeJS.Timeout;

  constructor(
    private readonly ws: WebSocket,
    /** the TCP socket under `ws`, read here for frame headers until the socket authenticates */
    raw: Duplex,
    readonly ip: string,
    private readonly limits: RelayLimits,
    private readonly devices: DeviceSessions,
    private readonly log: Logger,
  ) {
    const deadline = devices.underPressure(ip) ? Math.min(limits.authTimeoutMs, limits.authTimeoutUnderPressureMs) : limits.authTimeoutMs;
    this.authTimer = setTimeout(() => {
      if (!this.claims) this.close(CLOSE.authTimeout);
    }, deadline);
    this.authTimer.unref();
    ws.once('close', () => this.dispose());
    this.guardPreAuth(raw);
    devices.unauthenticatedOpened(ip, this);
  }

  /**
   * Before a token, hold the socket to the pre-auth cap by the lengths its frame headers
   * declare, read off the TCP socket ahead of ws (which would buffer a partial frame up to
   * its server-wide maxPayload first). After authentication the guard goes away.
   */
  private guardPreAuth(raw: Duplex): void {
    const declared = new DeclaredFrames();
    const onData = (chunk: Buffer) => {
      if (this.claims || this.closed) return raw.off('data', onData);
      const total = declared.feed(chunk);
      if (total <= this.limits.maxPreAuthBytes) return;
      raw.off('data', onData);
      this.refuse(CLOSE.preAuthTooLarge, `frames declaring ${total} bytes before authentication`);
      this.ws.pause(); // read no more of it (close() drops the connection shortly)
    };
    raw.prependListener('data', onData);
  }

  get deviceId(): string | undefined {
    return this.claims?.deviceId;
  }

  /** Decide about one incoming frame: true passes it on to Hocuspocus, false drops it. */
  admit(data: unknown, isBinary: boolean | undefined): boolean {
    if (this.closed) return false;
    if (typeof data === 'object' && data !== null && this.admitted.has(data)) return true; // Hocuspocus re-emitting what it queued
    if (!(data instanceof Uint8Array) || isBinary === false) return this.refuse(CLOSE.malformedMessage, 'text frame');
    if (data.length > this.limits.maxMessageBytes) return this.refuse(CLOSE.messageTooLarge, `${data.length} bytes`);
    if (this.claims) {
      if (!this.devices.takeMessage(this.claims.deviceId)) return this.refuse(CLOSE.rateLimited, 'messages');
    } else {
      this.preAuthBytes += data.length;
      if (this.preAuthBytes > this.limits.maxPreAuthBytes) return this.refuse(CLOSE.preAuthTooLarge, `${this.preAuthBytes} bytes before authentication`);
    }
    const started = performance.now();
    const res = inspectFrame(data);
    if (this.claims) this.devices.spend(this.claims.deviceId, performance.now() - started);
    if (!res.ok) return this.refuse(res.invalidUpdate ? CLOSE.invalidUpdate : CLOSE.malformedMessage, res.reason, res.docName);
    const frame = res.frame;
    const parsed = parseDocName(frame.docName);
    if (!parsed) return this.refuse(CLOSE.malformedMessage, 'not a document name', frame.docName);
    const state = this.docs.get(frame.docName);
    if (frame.kind === 'stateless' || state === 'denied') return false;
    if (frame.kind === 'awareness' && parsed.kind === 'household') return false; // awareness is off on household docs
    if (state === undefined) {
      if (this.docs.size >= this.limits.maxDocsPerConnection || this.pendingDocs >= this.limits.maxPendingAuth) return this.refuse(CLOSE.tooManyDocuments, `${this.docs.size} documents`);
      this.docs.set(frame.docName, 'pending');
      this.pendingDocs++;
    } else if (state === 'pending' && frame.kind === 'auth') {
      return false; // a second token for a doc still authenticating: Hocuspocus would queue it forever
    }
    if (this.docs.get(frame.docName) === 'pending' && frame.kind !== 'auth') {
      this.pendingTotal += data.length;
      this.pendingBytes.set(frame.docName, (this.pendingBytes.get(frame.docName) ?? 0) + data.length);
      if (this.pendingTotal > this.limits.maxPendingBytes) return this.refuse(CLOSE.preAuthTooLarge, `${this.pendingTotal} bytes held for documents not yet authenticated`);
    }
    this.admitted.add(data);
    this.frames.set(data, frame);
    return true;
  }

  /** The first authenticated doc binds the socket to its device; later docs must carry the same device. */
  /**
   * The claims of `token` when this socket verified that same token before and it has not
   * expired since: a device sends its token with every doc it attaches (25 on a day's
   * return), and one HMAC check per socket is enough for one string.
   */
  verifiedClaims(token: string): DeviceClaims | undefined {
    const v = this.verified;
    return v && v.token === token && v.claims.exp * 1000 > Date.now() ? v.claims : undefined;
  }

  rememberVerified(token: string, claims: DeviceClaims): void {
    this.verified = { token, claims };
  }

  bind(claims: DeviceClaims): CloseReason | 'mismatch' | undefined {
    if (this.claims) return this.claims.deviceId === claims.deviceId ? undefined : 'mismatch';
    const refused = this.devices.register(claims.deviceId, this);
    if (refused) return refused;
    this.claims = claims;
    clearTimeout(this.authTimer);
    this.devices.unauthenticatedClosed(this.ip, this);
    return undefined;
  }

  docOpened(name: string): void {
    this.settle(name, 'open');
  }

  docDenied(name: string): void {
    this.settle(name, 'denied');
  }

  /** The client detached the doc (or it was closed): it may attach it again. */
  docClosed(name: string): void {
    if (this.docs.get(name) === 'pending') this.settle(name, 'open');
    this.docs.delete(name);
  }

  private settle(name: string, to: DocState): void {
    if (this.docs.get(name) === 'pending') {
      this.pendingDocs--;
      this.pendingTotal -= this.pendingBytes.get(name) ?? 0;
      this.pendingBytes.delete(name);
    }
    if (this.docs.has(name)) this.docs.set(name, to);
  }

  /** Stop reading this socket (the device is over its time budget). */
  pause(): void {
    if (!this.closed) this.ws.pause();
  }

  resume(): void {
    if (!this.closed) this.ws.resume();
  }

  close(r: CloseReason, detail?: string): void {
    if (this.closed) return;
    this.closed = true;
    this.log.info({ socket: this.id, device: this.deviceId, ip: this.ip, code: r.code, reason: r.reason, detail }, 'closing socket');
    if (!this.claims) {
      // It stops counting now, not when (or if) the peer answers the close frame; a peer
      // that never shows a token gets a second to read the reason, then is dropped.
      this.devices.unauthenticatedClosed(this.ip, this);
      setTimeout(() => this.ws.terminate(), 1000).unref();
    }
    try {
      this.ws.close(r.code, r.reason);
    } catch {
      this.ws.terminate();
    }
  }

  private refuse(r: CloseReason, detail: string, docName?: string): false {
    this.log.warn({ socket: this.id, device: this.deviceId, ip: this.ip, doc: docName, code: r.code, reason: r.reason, detail }, 'refused frame');
    this.close(r, detail);
    return false;
  }

  private dispose(): void {
    this.closed = true;
    clearTimeout(this.authTimer);
    if (this.claims) this.devices.unregister(this.claims.deviceId, this);
    else this.devices.unauthenticatedClosed(this.ip, this);
  }
}
