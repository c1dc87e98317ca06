import net from 'node:net';

/**
 * The phone's network link, as a TCP proxy between Chromium and the relay: it counts every
 * byte on the wire both ways (HTTP heads and bodies, WebSocket frames as sent, i.e. after
 * permessage-deflate) and can shape the link (round-trip time, bandwidth shared by every
 * connection, one more round trip to open a connection).
 *
 * Why a proxy and not CDP: CDP reports WebSocket frames decompressed (not what went over
 * the wire), and its network emulation is what Playwright's `setOffline` also drives, so a
 * throttled link would be reset the moment an offline phone comes back. Here the phone goes
 * offline through Playwright and the link's quality lives in the proxy; bandwidth is shared
 * by all connections, as on a real link.
 */

/** What a byte was for, from the request that carried it (or that it answers). */
export type TrafficKind = 'sync' | 'api' | 'files' | 'health' | 'app';

export interface Traffic {
  up: number;
  down: number;
  byKind: Record<TrafficKind, { up: number; down: number }>;
  /** HTTP requests started (a WebSocket upgrade counts as one) */
  requests: number;
}

export interface LinkConditions {
  /** round-trip time added to every exchange, ms */
  rttMs: number;
  /** bandwidth of each direction, bytes per second (shared by every connection) */
  bytesPerSecond: number;
}

/** A 2G/3G-like link: 100 ms round trip, 1.6 Mbit/s each way. */
export const SLOW_LINK: LinkConditions = { rttMs: 100, bytesPerSecond: 200_000 };

const KINDS: TrafficKind[] = ['sync', 'api', 'files', 'health', 'app'];
const PAUSE_ABOVE = 256 * 1024;

function emptyTraffic(): Traffic {
  return { up: 0, down: 0, requests: 0, byKind: Object.fromEntries(KINDS.map((k) => [k, { up: 0, down: 0 }])) as Traffic['byKind'] };
}

function kindOf(path: string, upgrade: boolean): TrafficKind {
  if (path.startsWith('/sync') && upgrade) return 'sync';
  if (path.startsWith('/api/')) return 'api';
  if (path.startsWith('/files/')) return 'files';
  if (path.startsWith('/healthz')) return 'health';
  return 'app';
}

/** One direction of the link: the time it is busy sending until, shared by all connections. */
class Direction {
  busyUntil = 0;
  constructor(readonly link: Link) {}

  /** When a chunk of `bytes` handed over now arrives at the other end. */
  arrival(bytes: number, notBefore: number): number {
    const c = this.link.conditions;
    const now = performance.now();
    if (!c) return now;
    const start = Math.max(now, this.busyUntil, notBefore);
    this.busyUntil = start + (bytes / c.bytesPerSecond) * 1000;
    return this.busyUntil + c.rttMs / 2;
  }
}

/** A FIFO of chunks for one socket, released at their arrival times. */
class Queue {
  private readonly items: { at: number; chunk: Buffer; kind: TrafficKind }[] = [];
  private timer: NodeJS.Timeout | undefined;
  queued = 0;

  constructor(
    private readonly to: net.Socket,
    private readonly from: net.Socket,
    private readonly count: (kind: TrafficKind, bytes: number) => void,
  ) {}

  push(at: number, chunk: Buffer, kind: TrafficKind): void {
    if (at <= performance.now() && this.items.length === 0) {
      this.write(chunk, kind);
      return;
    }
    this.items.push({ at, chunk, kind });
    this.queued += chunk.length;
    if (this.queued > PAUSE_ABOVE) this.from.pause();
    this.pump();
  }

  private pump(): void {
    if (this.timer) return;
    const now = performance.now();
    while (this.items.length && this.items[0]!.at <= now) {
      const item = this.items.shift()!;
      this.queued -= item.chunk.length;
      this.write(item.chunk, item.kind);
    }
    if (this.queued <= PAUSE_ABOVE && this.from.isPaused()) this.from.resume();
    if (this.items.length) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, Math.max(1, Math.ceil(this.items[0]!.at - now)));
    }
  }

  private write(chunk: Buffer, kind: TrafficKind): void {
    if (this.to.destroyed) return;
    this.count(kind, chunk.length);
    this.to.write(chunk);
  }

  /** Close the far end once everything queued is written. */
  endAfter(): void {
    const check = () => {
      if (this.items.length === 0) this.to.end();
      else setTimeout(check, 5);
    };
    check();
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.items.length = 0;
  }
}

/**
 * Follows the client's side of one connection to tell which request each byte belongs to:
 * request heads are parsed, bodies skipped by Content-Length, and an upgraded connection is
 * WebSocket to the end. Browsers do not pipeline, so a response belongs to the last request.
 */
class RequestTracker {
  kind: TrafficKind = 'app';
  private head = Buffer.alloc(0);
  private bodyLeft = 0;
  private mode: 'head' | 'body' | 'tunnel' = 'head';

  constructor(private readonly onRequest: () => void) {}

  /** Split a chunk from the client into runs of bytes with their kind. */
  split(chunk: Buffer): { kind: TrafficKind; bytes: number }[] {
    const out: { kind: TrafficKind; bytes: number }[] = [];
    let rest = chunk;
    while (rest.length) {
      if (this.mode === 'tunnel') {
        out.push({ kind: this.kind, bytes: rest.length });
        break;
      }
      if (this.mode === 'body') {
        const n = Math.min(this.bodyLeft, rest.length);
        out.push({ kind: this.kind, bytes: n });
        this.bodyLeft -= n;
        rest = rest.subarray(n);
        if (this.bodyLeft === 0) this.mode = 'head';
        continue;
      }
      const before = this.head.length;
      this.head = Buffer.concat([this.head, rest]);
      const end = this.head.indexOf('\r\n\r\n');
      if (end < 0) {
        out.push({ kind: this.kind, bytes: rest.length });
        break;
      }
      const used = end + 4 - before;
      const text = this.head.subarray(0, end).toString('latin1');
      this.head = Buffer.alloc(0);
      const [line = '', ...headers] = text.split('\r\n');
      const path = line.split(' ')[1] ?? '/';
      const header = (name: string) => headers.find((h) => h.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1).trim() ?? '';
      const upgrade = header('upgrade').toLowerCase() === 'websocket';
      this.kind = kindOf(path, upgrade);
      this.onRequest();
      out.push({ kind: this.kind, bytes: used });
      rest = rest.subarray(used);
      if (upgrade) this.mode = 'tunnel';
      else if (header('transfer-encoding').toLowerCase().includes('chunked')) this.mode = 'tunnel'; // not parsed: the rest of the connection counts as this request
      else {
        this.bodyLeft = Number(header('content-length')) || 0;
        this.mode = this.bodyLeft > 0 ? 'body' : 'head';
      }
    }
    return out;
  }
}

export class Link {
  conditions: LinkConditions | undefined;
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private readonly up = new Direction(this);
  private readonly down = new Direction(this);
  private readonly total = emptyTraffic();
  url = '';

  constructor(private readonly target: { host: string; port: number }) {
    this.server = net.createServer((client) => this.accept(client));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const addr = this.server.address() as net.AddressInfo;
    this.url = `http://127.0.0.1:${addr.port}`;
    return this;
  }

  /** Shape the link from now on (undefined: loopback, as fast as it goes). */
  shape(conditions: LinkConditions | undefined): void {
    this.conditions = conditions;
  }

  /** Every byte so far; subtract two snapshots with `diff`. */
  snapshot(): Traffic {
    return structuredClone(this.total);
  }

  private accept(client: net.Socket): void {
    client.setNoDelay(true);
    const upstream = net.connect(this.target.port, this.target.host);
    upstream.setNoDelay(true);
    this.sockets.add(client).add(upstream);
    const openedAt = performance.now();
    // Opening a TCP connection costs a round trip before the first byte goes out.
    const notBefore = this.conditions ? openedAt + this.conditions.rttMs : 0;
    const tracker = new RequestTracker(() => this.total.requests++);
    const count = (dir: 'up' | 'down') => (kind: TrafficKind, bytes: number) => {
      this.total[dir] += bytes;
      this.total.byKind[kind][dir] += bytes;
    };
    const toServer = new Queue(upstream, client, count('up'));
    const toClient = new Queue(client, upstream, count('down'));
    client.on('data', (chunk: Buffer) => {
      for (const run of tracker.split(chunk)) {
        const part = chunk.subarray(0, run.bytes);
        chunk = chunk.subarray(run.bytes);
        toServer.push(this.up.arrival(part.length, notBefore), part, run.kind);
      }
    });
    upstream.on('data', (chunk: Buffer) => toClient.push(this.down.arrival(chunk.length, 0), chunk, tracker.kind));
    const close = () => {
      toServer.clear();
      toClient.clear();
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('end', () => toServer.endAfter());
    upstream.on('end', () => toClient.endAfter());
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', () => upstream.destroyed || upstream.end());
    upstream.on('close', () => client.destroyed || client.end());
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Bytes between two snapshots. */
export function diff(after: Traffic, before: Traffic): Traffic {
  const out = emptyTraffic();
  out.up = after.up - before.up;
  out.down = after.down - before.down;
  out.requests = after.requests - before.requests;
  for (const k of KINDS) out.byKind[k] = { up: after.byKind[k].up - before.byKind[k].up, down: after.byKind[k].down - before.byKind[k].down };
  return out;
}

/** Sum of the kinds given, both directions kept apart. */
export function only(t: Traffic, kinds: TrafficKind[]): { up: number; down: number } {
  return kinds.reduce((a, k) => ({ up: a.up + t.byKind[k].up, down: a.down + t.byKind[k].down }), { up: 0, down: 0 });
}
