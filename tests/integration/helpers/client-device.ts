// A phone in a test: its own IndexedDB databases (fake-indexeddb), its LocalRecords, and the
// app's real sync engine talking to a real relay over HTTP and a real WebSocket.
import WebSocket from 'ws';
import { saveIdentity, saveSession } from '@/db/identity';
import { LocalRecords } from '@/db/local-records';
import { householdDocName, teamDocName } from '@/docs/schema';
import { SyncEngine, type SyncEngineOptions } from '@/sync/engine';
import { endpointsFor } from '@/sync/relay-url';
import type { SyncStatus } from '@/sync/status';
import type { Joined } from './relay';
import { waitFor } from './relay';

export interface RequestLog {
  method: string;
  path: string;
  status: number;
  bytes: number;
}

export interface ClientDevice {
  name: string;
  joined: Joined;
  records: LocalRecords;
  engine: SyncEngine;
  requests: RequestLog[];
  statuses: SyncStatus[];
  teamDoc: string;
  household(id: string): string;
  /** cut or restore this device's network (HTTP fails, sockets drop and cannot open) */
  setOnline(online: boolean): void;
  /** stop syncing and close the local databases (the phone is switched off) */
  close(): Promise<void>;
}

let seq = 0;

/**
 * Create (or reopen, with the same `name`) a device for a member who joined through the API.
 * `start: false` leaves the engine stopped (the phone is out of signal).
 */
export async function clientDevice(relayUrl: string, joined: Joined, name = `dev${++seq}`, opts: Partial<SyncEngineOptions> & { start?: boolean; memberName?: string } = {}): Promise<ClientDevice> {
  const records = new LocalRecords({ dbName: `lianhu-${name}`, docPrefix: `lianhu-doc-${name}:` });
  await saveIdentity(records.db, {
    memberId: joined.memberId,
    memberName: opts.memberName ?? name,
    deviceId: joined.deviceId,
    deviceName: `${name}-phone`,
    teamId: joined.teamId,
    teamName: joined.teamName ?? '',
    role: joined.role,
    createdAt: new Date().toISOString(),
  });
  await saveSession(records.db, { token: joined.token, expiresAt: joined.expiresAt });
  await records.start(joined.teamId);
  const requests: RequestLog[] = [];
  const net = { online: true, sockets: new Set<WebSocket>() };
  const countingFetch: typeof fetch = async (input, init) => {
    if (!net.online) throw new TypeError('fetch failed (test network is down)');
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const res = await fetch(input, init);
    const len = Number(res.headers.get('content-length') ?? NaN);
    requests.push({ method: init?.method ?? 'GET', path: url.pathname + url.search, status: res.status, bytes: Number.isFinite(len) ? len : -1 });
    return res;
  };
  const engine = new SyncEngine({
    records,
    relay: endpointsFor(relayUrl),
    WebSocket: class extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        // No network: aim at a port nothing listens on, so the connection fails as it would.
        super(net.online ? url : 'ws://127.0.0.1:9/sync', protocols);
        net.sockets.add(this);
        this.once('close', () => net.sockets.delete(this));
        // Node's ws emits 'error' (an uncaught exception without a listener) when a socket still
        // connecting is closed; a browser's WebSocket just fails the connection. The engine
        // learns of failures from 'close', as in the browser.
        this.on('error', () => undefined);
      }
    } as unknown as SyncEngineOptions['WebSocket'],
    fetch: countingFetch,
    triggers: false,
    pollMs: 0,
    idleMs: 60_000,
    pushDelayMs: 50,
    retryBaseMs: 200,
    ...opts,
  });
  const statuses: SyncStatus[] = [];
  engine.onStatus((s) => statuses.push(s));
  if (opts.start !== false) await engine.start();
  return {
    name,
    joined,
    records,
    engine,
    requests,
    statuses,
    teamDoc: teamDocName(joined.teamId),
    household: (id) => householdDocName(joined.teamId, id),
    setOnline(online) {
      net.online = online;
      if (!online) for (const ws of net.sockets) ws.terminate();
    },
    async close() {
      await engine.stop();
      await records.close();
    },
  };
}

/** Run a sync and wait until it (and anything it triggered) is over. */
export async function syncOnce(d: ClientDevice): Promise<SyncStatus> {
  await d.engine.whenIdle();
  await d.engine.syncNow();
  await d.engine.whenIdle();
  return d.engine.status;
}

export async function waitForStatus(d: ClientDevice, pred: (s: SyncStatus) => boolean, timeoutMs = 15_000, what = 'status'): Promise<SyncStatus> {
  await waitFor(() => pred(d.engine.status), timeoutMs, `${d.name}: ${what} (now ${JSON.stringify(d.engine.status)})`);
  return d.engine.status;
}
