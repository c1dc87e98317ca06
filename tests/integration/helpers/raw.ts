// A raw WebSocket speaking the Hocuspocus 3 framing by hand, for frames no provider would send.
import crypto from 'node:crypto';
import net from 'node:net';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';

export const T = { Sync: 0, Awareness: 1, Auth: 2, QueryAwareness: 3, Stateless: 5, BroadcastStateless: 6, Close: 7, SyncStatus: 8 } as const;

export function frame(docName: string, write: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarString(e, docName);
  write(e);
  return encoding.toUint8Array(e);
}

export const authFrame = (docName: string, token: string) =>
  frame(docName, (e) => {
    encoding.writeVarUint(e, T.Auth);
    encoding.writeVarUint(e, 0);
    encoding.writeVarString(e, token);
  });

/** A sync message: step 0 (state vector), 1 (step 2) or 2 (update) with `payload`. */
export const syncFrame = (docName: string, step: 0 | 1 | 2, payload: Uint8Array) =>
  frame(docName, (e) => {
    encoding.writeVarUint(e, T.Sync);
    encoding.writeVarUint(e, step);
    encoding.writeVarUint8Array(e, payload);
  });

export interface ServerMessage {
  docName: string;
  type: number;
  /** Auth: 1 permission denied, 2 authenticated */
  authType?: number;
  reason?: string;
  /** SyncStatus: whether the update was saved */
  saved?: boolean;
  /** Sync: the step */
  step?: number;
}

export function parseServerMessage(data: Uint8Array): ServerMessage {
  const d = decoding.createDecoder(data);
  const docName = decoding.readVarString(d);
  const type = decoding.readVarUint(d);
  const m: ServerMessage = { docName, type };
  if (type === T.Auth) {
    m.authType = decoding.readVarUint(d);
    m.reason = decoding.readVarString(d);
  } else if (type === T.SyncStatus) {
    m.saved = decoding.readVarUint(d) === 1;
  } else if (type === T.Sync) {
    m.step = decoding.readVarUint(d);
  }
  return m;
}

export class RawClient {
  readonly ws: WebSocket;
  readonly received: ServerMessage[] = [];
  closed?: { code: number; reason: string };
  private readonly opened: Promise<void>;
  readonly closedP: Promise<{ code: number; reason: string }>;

  constructor(wsUrl: string, opts: WebSocket.ClientOptions = {}) {
    this.ws = new WebSocket(wsUrl, opts);
    this.ws.binaryType = 'nodebuffer';
    this.ws.on('message', (data: Buffer) => {
      try {
        this.received.push(parseServerMessage(new Uint8Array(data)));
      } catch {
        // not for us to judge
      }
    });
    this.ws.on('error', () => undefined);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.closedP = new Promise((resolve) =>
      this.ws.once('close', (code: number, reason: Buffer) => {
        this.closed = { code, reason: reason.toString() };
        resolve(this.closed);
      }),
    );
  }

  open(): Promise<void> {
    return this.opened;
  }

  send(data: Uint8Array | string): void {
    this.ws.send(data);
  }

  /** Send the token for `docName` and wait for the answer. */
  async auth(docName: string, token: string, timeoutMs = 5000): Promise<ServerMessage> {
    await this.open();
    const before = this.received.length;
    this.send(authFrame(docName, token));
    return this.waitFor((m) => m.docName === docName && m.type === T.Auth, timeoutMs, before);
  }

  async waitFor(pred: (m: ServerMessage) => boolean, timeoutMs = 5000, from = 0): Promise<ServerMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.received.slice(from).find(pred);
      if (m) return m;
      if (this.closed) throw new Error(`socket closed ${this.closed.code} ${this.closed.reason}`);
      if (Date.now() > deadline) throw new Error('timed out waiting for a server message');
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async waitClosed(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    return Promise.race([this.closedP, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('socket not closed')), timeoutMs))]);
  }

  close(): void {
    this.ws.terminate();
  }
}

/**
 * A TCP connection that has done the WebSocket upgrade by hand and nothing else, so a test
 * can write frame bytes no WebSocket client would (a header declaring megabytes, then part
 * of them). `ended` settles when the relay closes the connection.
 */
export async function rawUpgrade(wsUrl: string, headers: Record<string, string> = {}): Promise<{ socket: net.Socket; ended: Promise<void>; received: () => Buffer }> {
  const u = new URL(wsUrl);
  const socket = net.connect(Number(u.port), u.hostname);
  socket.on('error', () => undefined);
  let buf = Buffer.alloc(0);
  socket.on('data', (b: Buffer) => (buf = Buffer.concat([buf, b])));
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.write(`GET ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`);
  const deadline = Date.now() + 5000;
  while (!buf.includes('\r\n\r\n')) {
    if (Date.now() > deadline) throw new Error('no upgrade answer');
    await new Promise((r) => setTimeout(r, 5));
  }
  if (!buf.toString('latin1').startsWith('HTTP/1.1 101')) throw new Error(`upgrade refused: ${buf.toString('latin1').split('\r\n')[0]}`);
  const start = buf.indexOf('\r\n\r\n') + 4;
  return { socket, ended, received: () => buf.subarray(start) };
}

/** The header of a masked binary frame (client to server) declaring `length` payload bytes. */
export function binaryFrameHeader(length: number): Buffer {
  const h = Buffer.alloc(14);
  h[0] = 0x82; // FIN, binary
  h[1] = 0x80 | 127; // masked, 64-bit length
  h.writeBigUInt64BE(BigInt(length), 2);
  crypto.randomBytes(4).copy(h, 10);
  return h;
}

/** The close code in a close frame the server sent (unmasked), if `bytes` hold one. */
export function closeCodeIn(bytes: Buffer): number | undefined {
  for (let i = 0; i + 4 <= bytes.length; i++) {
    if (bytes[i] === 0x88 && (bytes[i + 1]! & 0x7f) >= 2 && (bytes[i + 1]! & 0x7f) < 126) return bytes.readUInt16BE(i + 2);
  }
  return undefined;
}
