import { HocuspocusProviderWebsocket, WebSocketStatus } from '@hocuspocus/provider';
import { frameSize, readFrameHead, type FrameHead } from './wire';

/** What the socket has carried, for the status screen and the tests' budgets. */
export interface SocketStats {
  connections: number;
  framesSent: number;
  bytesSent: number;
  framesReceived: number;
  bytesReceived: number;
}

type WebSocketCtor = new (url: string, protocols?: string | string[]) => WebSocket;

export interface SyncSocketOptions {
  url: string;
  /** the WebSocket class (Node tests pass `ws`); the browser's by default */
  WebSocket?: WebSocketCtor;
  /** close the socket when nothing arrived for this long (the team doc's awareness pings every 15 s) */
  messageReconnectTimeout?: number;
}

type FrameListener = (head: FrameHead) => void;
type CloseListener = (code: number, reason: string) => void;

/**
 * The one WebSocket every attached doc shares (`HocuspocusProviderWebsocket`). Reconnecting
 * is the engine's job, with its own backoff and jitter: the library's retry restarts from a
 * 1 s delay after every close, which would hammer a relay that keeps refusing us, so every
 * close here stops it and is reported instead.
 *
 * Frames are observed where the provider hands them to the socket (in order, synchronously
 * with the doc state they were made from), which is what acknowledgement tracking needs.
 */
export class SyncSocket {
  readonly ws: HocuspocusProviderWebsocket;
  readonly stats: SocketStats = { connections: 0, framesSent: 0, bytesSent: 0, framesReceived: 0, bytesReceived: 0 };
  private readonly outgoing = new Set<FrameListener>();
  private readonly incoming = new Set<FrameListener>();
  private readonly closes = new Set<CloseListener>();
  private readonly opens = new Set<() => void>();

  constructor(opts: SyncSocketOptions) {
    const Base: WebSocketCtor = opts.WebSocket ?? globalThis.WebSocket;
    const stats = this.stats;
    class CountingWebSocket extends Base {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols);
        stats.connections++;
        this.addEventListener('message', (e: MessageEvent) => {
          stats.framesReceived++;
          stats.bytesReceived += frameSize(e.data);
        });
      }
      override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
        stats.framesSent++;
        stats.bytesSent += frameSize(data);
        super.send(data);
      }
    }
    this.ws = new HocuspocusProviderWebsocket({
      url: opts.url,
      WebSocketPolyfill: CountingWebSocket,
      autoConnect: false,
      messageReconnectTimeout: opts.messageReconnectTimeout ?? 30_000,
      // One attempt per connect(); the engine decides when to try again.
      maxAttempts: 1,
      onClose: ({ event }) => {
        // Runs before the library's own close handler: stop its reconnect loop.
        this.ws.shouldConnect = false;
        this.dropQueue();
        for (const l of this.closes) l(event.code, event.reason ?? '');
      },
      onStatus: ({ status }) => {
        if (status === WebSocketStatus.Connected) for (const l of this.opens) l();
      },
    });
    const send = this.ws.send.bind(this.ws);
    this.ws.send = (message: unknown) => {
      const head = readFrameHead(message);
      if (head) for (const l of this.outgoing) l(head);
      send(message);
    };
    this.ws.on('message', (event: MessageEvent) => {
      const head = readFrameHead(event.data);
      if (head) for (const l of this.incoming) l(head);
    });
  }

  get connected(): boolean {
    return this.ws.status === WebSocketStatus.Connected && this.ws.webSocket?.readyState === 1;
  }

  onOutgoing(l: FrameListener): () => void {
    this.outgoing.add(l);
    return () => this.outgoing.delete(l);
  }

  onIncoming(l: FrameListener): () => void {
    this.incoming.add(l);
    return () => this.incoming.delete(l);
  }

  onClose(l: CloseListener): () => void {
    this.closes.add(l);
    return () => this.closes.delete(l);
  }

  /**
   * Open the socket and wait until it is open. Rejects with the close code when the relay
   * refuses it or nothing answers within `timeoutMs`.
   */
  open(timeoutMs: number): Promise<void> {
    if (this.connected) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      let done = false;
      const finish = (err?: Error) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        offOpen();
        offClose();
        if (err) reject(err);
        else resolve();
      };
      const onOpen = () => finish();
      this.opens.add(onOpen);
      const offOpen = () => this.opens.delete(onOpen);
      const offClose = this.onClose((code, reason) => finish(new SocketClosedError(code, reason)));
      const timer = setTimeout(() => {
        this.close();
        finish(new SocketClosedError(0, 'connect-timeout'));
      }, timeoutMs);
      this.dropQueue();
      // `connect()` returns the retry promise, which settles only on a first message.
      this.ws.connect().catch(() => undefined);
    });
  }

  /**
   * Close the socket now. A relay that froze never answers the close handshake, and until
   * it does the library still calls the socket connected and will not open another; so
   * the socket is let go at once (its late close event goes nowhere) and the state reset.
   */
  close(): void {
    this.ws.disconnect();
    if (this.ws.webSocket || this.ws.status !== WebSocketStatus.Disconnected) {
      this.ws.onClose({ event: { code: 1000, reason: 'closed-by-client' } as CloseEvent });
    }
    this.dropQueue();
  }

  /**
   * Frames the provider queued while the socket was down belong to sessions that died with
   * it. Sent on the next socket they would arrive before that doc's authentication (the
   * relay then drops the real token as a duplicate) and their acks would be counted
   * against the new session.
   */
  private dropQueue(): void {
    (this.ws as unknown as { messageQueue: unknown[] }).messageQueue = [];
  }

  destroy(): void {
    this.outgoing.clear();
    this.incoming.clear();
    this.closes.clear();
    this.opens.clear();
    this.ws.destroy();
  }
}

export class SocketClosedError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
  ) {
    super(`socket closed: ${code} ${reason}`);
    this.name = 'SocketClosedError';
  }
}
