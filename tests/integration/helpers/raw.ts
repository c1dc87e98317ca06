// A raw WebSocket speaking the Hocuspocus 3 framing by hand, for frames no provider would send.
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
