// One process of simulated devices for the relay-under-load benchmark (relay-load.bench.ts).
// Each device is what a phone's sync engine does on reconnect (src/sync/engine.ts), over the
// real protocol: ask the change feed what changed since its position, open one socket,
// attach the team doc (awareness on: the keep-alive) and then its own unsynced docs and the
// changed ones (awareness off), and wait until every doc is in step and acknowledged.
// Docs come from a file the parent wrote: each device starts from its member's local copies.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import WebSocket from 'ws';
import * as Y from 'yjs';

export interface WorkerDevice {
  index: number;
  teamId: string;
  token: string;
  since: number;
  member: number;
  /** this device's place in the ramp, 0–1 */
  startAt: number;
  /** loopback source address: 500 phones do not share one address (the relay caps sockets per address before authentication) */
  localAddress: string;
  /** which of the job's relays this device talks to (its team's, as a proxy hashing on the team would pick) */
  relay: number;
}

export interface WorkerJob {
  /** the relays' base URLs (one, or several sharing PostgreSQL and Redis) */
  relayUrls: string[];
  /** JSON file: per member index, the docs the phone holds ({ name suffix, base64 state, own edit? }) */
  docsFile: string;
  devices: WorkerDevice[];
  /** give up on a device after this long */
  timeoutMs: number;
  /** devices start spread evenly over this long (0: all at once) */
  rampMs: number;
  /**
   * detach each household doc once it is in step, keeping only the team doc attached (the
   * app: a household edited more than a minute ago is not "hot", src/sync/hot.ts); otherwise
   * every doc stays attached until the parent has measured (every doc edited just now)
   */
  detach?: boolean;
}

export interface DeviceResult {
  index: number;
  ok: boolean;
  ms: number;
  changed: number;
  attached: number;
  /** failed runs before the one that caught up */
  retries: number;
  /** why the first failed run failed */
  error?: string;
}

interface MemberDocs {
  team: string;
  docs: { suffix: string; state: string; own: boolean }[];
}

const WINDOW = 90;

function changes(url: string, token: string, since: number, localAddress: string): Promise<{ changed: string[] }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${url}/api/changes?since=${since}`, { headers: { Authorization: `Bearer ${token}` }, localAddress }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body) as { changed: string[] }) : reject(new Error(`changes: ${res.statusCode} ${body}`))));
    });
    req.on('error', reject);
  });
}

/** A phone's socket: from its own address, compressing every frame it sends as browsers do (no threshold). */
function socketClass(localAddress: string) {
  return class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { localAddress, perMessageDeflate: { threshold: 0 } });
      this.on('error', () => undefined);
    }
  };
}

interface Attempt {
  changed: number;
  attached: number;
  release: () => void;
}

/** One sync run of a device: the change feed, one socket, every doc in step — or a throw. */
async function attempt(job: WorkerJob, d: WorkerDevice, local: Map<string, Y.Doc>, own: Set<string>, teamDoc: Y.Doc, deadline: number): Promise<Attempt> {
  const teamName = `${d.teamId}/team`;
  const relayUrl = job.relayUrls[d.relay]!;
  const providers: HocuspocusProvider[] = [];
  let socket: HocuspocusProviderWebsocket | undefined;
  const release = () => {
    for (const p of providers) p.destroy();
    socket?.destroy();
  };
  try {
    const feed = await changes(relayUrl, d.token, d.since, d.localAddress);
    const names = [...own, ...feed.changed.filter((n) => !own.has(n) && n !== teamName)];
    // As the app's socket (src/sync/socket.ts): one attempt, closed after 30 s without a frame.
    socket = new HocuspocusProviderWebsocket({ url: `${relayUrl.replace(/^http/, 'ws')}/sync`, WebSocketPolyfill: socketClass(d.localAddress), maxAttempts: 1, messageReconnectTimeout: 30_000 });
    const attach = (name: string, doc: Y.Doc, awareness: boolean) => {
      const p = new HocuspocusProvider({ websocketProvider: socket!, name, document: doc, token: d.token, ...(awareness ? {} : { awareness: null }) });
      p.attach();
      providers.push(p);
      return p;
    };
    const closed = new Promise<never>((_, reject) =>
      socket!.on('close', ({ event }: { event: { code: number; reason: string } }) => reject(new Error(`socket closed ${event.code} ${String(event.reason)}`))),
    );
    closed.catch(() => undefined);
    attach(teamName, teamDoc, true);
    // In step: handshake done and every update acknowledged (as the app's DocSession, by events).
    const inStep = (p: HocuspocusProvider) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (p.isSynced && p.unsyncedChanges === 0) resolve();
        };
        p.on('synced', check);
        p.on('unsyncedChanges', check);
        p.on('authenticationFailed', ({ reason }: { reason: string }) => reject(new Error(`refused ${p.configuration.name}: ${reason}`)));
        check();
      });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`not in step after ${job.timeoutMs / 1000} s`)), Math.max(0, deadline - Date.now()))));
    try {
      for (let i = 0; i < names.length; i += WINDOW) {
        const window = names.slice(i, i + WINDOW).map((n) => attach(n, local.get(n) ?? new Y.Doc(), false));
        await Promise.race([Promise.all(window.map(inStep)), timeout, closed]);
        if (job.detach) for (const p of window) p.destroy();
      }
    } finally {
      clearTimeout(timer);
    }
    return { changed: feed.changed.length, attached: names.length, release };
  } catch (err) {
    release();
    throw err;
  }
}

/**
 * A device catching up: runs until every doc is in step, trying again after a failed run
 * as the app's engine does (2 s × 2ⁿ with full jitter), until the job's time limit.
 */
async function runDevice(job: WorkerJob, d: WorkerDevice, local: Map<string, Y.Doc>, own: Set<string>, teamDoc: Y.Doc): Promise<DeviceResult> {
  await new Promise((r) => setTimeout(r, d.startAt * job.rampMs));
  const t0 = performance.now();
  const deadline = Date.now() + job.timeoutMs;
  const errors: string[] = [];
  for (let n = 0; ; n++) {
    try {
      const a = await attempt(job, d, local, own, teamDoc, deadline);
      // Stay connected until the parent has read the relay's memory with every device on.
      held.push(a.release);
      finished++;
      return { index: d.index, ok: true, ms: performance.now() - t0, changed: a.changed, attached: a.attached, retries: n, ...(errors.length ? { error: errors[0] } : {}) };
    } catch (err) {
      errors.push(err instanceof Error ? err.message : String(err));
      const wait = Math.min(300_000, 2000 * 2 ** n);
      if (Date.now() + wait / 2 >= deadline || errors.at(-1)!.startsWith('refused')) {
        return { index: d.index, ok: false, ms: performance.now() - t0, changed: 0, attached: 0, retries: n, error: errors.at(-1) };
      }
      await new Promise((r) => setTimeout(r, wait / 2 + Math.random() * (wait / 2)));
    }
  }
}

const held: (() => void)[] = [];
let finished = 0;
let job: WorkerJob | undefined;
let prepared: { d: WorkerDevice; local: Map<string, Y.Doc>; own: Set<string>; teamDoc: Y.Doc }[] = [];

/** Every device's local copies, made before the start so that what is timed is only sync. */
function prepare(j: WorkerJob): void {
  const members = JSON.parse(readFileSync(j.docsFile, 'utf8')) as MemberDocs[];
  prepared = j.devices.map((d) => {
    const m = members[d.member]!;
    const local = new Map<string, Y.Doc>();
    const own = new Set<string>();
    for (const doc of m.docs) {
      const name = `${d.teamId}/household/${doc.suffix}`;
      const y = new Y.Doc();
      Y.applyUpdate(y, Buffer.from(doc.state, 'base64'));
      local.set(name, y);
      if (doc.own) own.add(name);
    }
    const teamDoc = new Y.Doc();
    Y.applyUpdate(teamDoc, Buffer.from(m.team, 'base64'));
    return { d, local, own, teamDoc };
  });
}

// A socket that fails to open rejects inside the provider; the device's own wait reports it.
process.on('unhandledRejection', () => undefined);

process.on('message', (msg: { job?: WorkerJob; go?: true; stop?: true }) => {
  if (msg.job) {
    job = msg.job;
    prepare(job);
    process.send!({ ready: true });
  } else if (msg.go) {
    const progress = setInterval(() => process.send!({ progress: finished }), 5000);
    void Promise.all(prepared.map((p) => runDevice(job!, p.d, p.local, p.own, p.teamDoc))).then((results) => {
      clearInterval(progress);
      process.send!({ results });
    });
  } else if (msg.stop) {
    for (const release of held.splice(0)) release();
    setTimeout(() => process.exit(0), 200);
  }
});
