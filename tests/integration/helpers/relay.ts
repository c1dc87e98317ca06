// Test helpers: a real relay (in this process on port 0, or as a child process), devices
// that join through the HTTP API, and Hocuspocus providers over real WebSockets.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import { afterEach } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import type { Role } from '@/domain/team';
import { testConfig, type RelayConfig, type RelayLimits } from '../../../sync-server/src/config';
import { startRelay, type Relay } from '../../../sync-server/src/server';
import { backendEnv, testDatabaseUrl } from './backend';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export function tmpDir(prefix = 'lianhu-relay-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface TestRelay {
  relay: Relay;
  url: string;
  wsUrl: string;
  dataDir: string;
  /** stop and start again on the same data dir */
  restart(): Promise<TestRelay>;
  close(): Promise<void>;
}

export async function startTestRelay(opts: { dataDir?: string; limits?: Partial<RelayLimits>; config?: Partial<Omit<RelayConfig, 'limits'>> } & { ownsDir?: boolean } = {}): Promise<TestRelay> {
  const ownsDir = opts.ownsDir ?? opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? tmpDir();
  const databaseUrl = testDatabaseUrl(dataDir);
  const config = testConfig(dataDir, { ...(databaseUrl ? { databaseUrl } : {}), ...opts.config, limits: opts.limits });
  const relay = await startRelay(config);
  const t: TestRelay = {
    relay,
    url: relay.url,
    wsUrl: `${relay.url.replace(/^http/, 'ws')}/sync`,
    dataDir,
    async restart() {
      await relay.close();
      return startTestRelay({ ...opts, dataDir, ownsDir });
    },
    async close() {
      await relay.close();
      // A data dir the helper made goes with the relay; one the test passed in is the test's.
      if (ownsDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return t;
}

export interface Joined {
  token: string;
  expiresAt: string;
  teamId: string;
  teamName: string;
  memberId: string;
  role: Role;
  deviceId: string;
}

/** Create a team straight in the relay's registry (what `admin team create` does). */
export function createTeam(t: TestRelay, name = '测试班组'): Promise<{ teamId: string; inviteCode: string }> {
  return t.relay.services.registry.createTeam(name, 14);
}

export async function invite(t: TestRelay, teamId: string, role: Role = 'member', memberId?: string): Promise<string> {
  return (await t.relay.services.registry.createInvite({ teamId, role, createdBy: 'test', ttlDays: 14, ...(memberId ? { memberId } : {}) })).code;
}

// Tests assert on the JSON's shape; typing each answer would only restate the assertions.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function api(url: string, method: string, route: string, opts: { token?: string; body?: unknown } = {}): Promise<{ status: number; json: any; headers: Headers }> {
  const res = await fetch(`${url}${route}`, {
    method,
    headers: {
      ...(opts.token ? { Authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, json, headers: res.headers };
}

export async function join(url: string, code: string, memberName: string, deviceName = 'phone', memberId?: string): Promise<Joined> {
  const r = await api(url, 'POST', '/api/invites/redeem', { body: { code, memberName, deviceName, ...(memberId ? { memberId } : {}) } });
  if (r.status !== 201) throw new Error(`redeem failed: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json as Joined;
}

/** An invite code made by a lead through the API (for a relay in another process). */
export async function inviteByApi(url: string, lead: Joined, role: Role = 'member'): Promise<string> {
  const r = await api(url, 'POST', '/api/invites', { token: lead.token, body: { role } });
  if (r.status !== 201) throw new Error(`invite failed: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json.code as string;
}

/** A team with a lead and `members` members, all joined through the API. */
export async function teamWith(t: TestRelay, members: string[], name?: string): Promise<{ teamId: string; lead: Joined; members: Joined[] }> {
  const { teamId, inviteCode } = await createTeam(t, name);
  const lead = await join(t.url, inviteCode, '王书记', 'lead-laptop');
  const joined: Joined[] = [];
  for (const m of members) joined.push(await join(t.url, await invite(t, teamId), m, `${m}-phone`));
  return { teamId, lead, members: joined };
}

export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface CloseInfo {
  code: number;
  reason: string;
}

/**
 * ws emits 'error' when a socket is closed while still connecting (the provider does that
 * when it gives up on an attempt); a browser WebSocket does not throw there, so neither do we.
 */
class QuietWebSocket extends WebSocket {
  constructor(url: string, protocols?: string | string[]) {
    super(url, protocols);
    this.on('error', () => undefined);
  }
}

/** A device's single shared socket and the docs it attaches to it. */
export class Device {
  readonly socket: HocuspocusProviderWebsocket;
  readonly providers = new Map<string, HocuspocusProvider>();
  readonly closes: CloseInfo[] = [];
  readonly denied = new Map<string, string>();

  constructor(
    wsUrl: string,
    private token: string,
  ) {
    this.socket = new HocuspocusProviderWebsocket({ url: wsUrl, WebSocketPolyfill: QuietWebSocket, maxAttempts: 0, delay: 50, minDelay: 50, maxDelay: 300 });
    this.socket.on('close', ({ event }: { event: CloseInfo }) => this.closes.push({ code: event.code, reason: String(event.reason) }));
  }

  /** Attach a doc (awareness off, as the app does for household docs). */
  attach(name: string, doc = new Y.Doc()): HocuspocusProvider {
    const p = new HocuspocusProvider({
      websocketProvider: this.socket,
      name,
      document: doc,
      token: () => this.token,
      awareness: null,
      onAuthenticationFailed: ({ reason }) => this.denied.set(name, reason),
    });
    // With a shared socket the provider attaches only when asked.
    p.attach();
    this.providers.set(name, p);
    return p;
  }

  setToken(token: string): void {
    this.token = token;
  }

  /** Resolves when the relay acknowledged everything this provider sent (unsyncedChanges 0 after the first sync). */
  async saved(p: HocuspocusProvider, timeoutMs = 10_000): Promise<void> {
    await waitFor(() => p.isSynced && p.unsyncedChanges === 0, timeoutMs, `saved ${p.configuration.name}`);
  }

  destroy(): void {
    for (const p of this.providers.values()) p.destroy();
    this.providers.clear();
    this.socket.destroy();
  }
}

/** A relay in a child process (`node --import tsx sync-server/src/index.ts`), for kill -9. */
export interface ChildRelay {
  proc: ChildProcess;
  url: string;
  wsUrl: string;
  log: () => string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function spawnRelay(dataDir: string, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<ChildRelay> {
  const proc = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(ROOT, 'sync-server/src/index.ts')], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', STATIC_DIR: path.join(dataDir, 'no-dist'), ...backendEnv(dataDir), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    // A relay that never says it listens is killed, not left running after the test.
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`relay did not start:\n${out}`));
    }, 20_000);
    const check = () => {
      const m = /"port":(\d+).*"msg":"listening"/.exec(out);
      if (m) {
        clearTimeout(timer);
        proc.stdout!.off('data', check);
        resolve(Number(m[1]));
      }
    };
    proc.stdout!.on('data', check);
    proc.once('exit', (code) => reject(new Error(`relay exited with ${code}:\n${out}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    proc,
    url,
    wsUrl: `ws://127.0.0.1:${port}/sync`,
    log: () => out,
    kill: (signal = 'SIGKILL') =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill(signal);
      }),
  };
}

/**
 * A relay process for each test of a file, on a fresh DATA_DIR; after each test it is killed
 * and its directory removed. `startWithTeam` first makes a team with the admin CLI (whose
 * invite code makes the first lead), as an operator does before the relay starts.
 */
export function relayProcessPerTest() {
  let relay: ChildRelay | undefined;
  let dataDir: string | undefined;
  afterEach(async () => {
    await relay?.kill();
    relay = undefined;
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    dataDir = undefined;
  });
  return {
    async start(env: Record<string, string> = {}): Promise<{ relay: ChildRelay; dataDir: string }> {
      const dir = (dataDir = tmpDir());
      relay = await spawnRelay(dir, env);
      return { relay, dataDir: dir };
    },
    async startWithTeam(env: Record<string, string> = {}, teamName = '一班'): Promise<{ relay: ChildRelay; dataDir: string; teamId: string; inviteCode: string }> {
      const dir = (dataDir = tmpDir());
      const { teamId, inviteCode } = adminCli(dir, 'team', 'create', teamName) as { teamId: string; inviteCode: string };
      relay = await spawnRelay(dir, env);
      return { relay, dataDir: dir, teamId, inviteCode };
    },
    /** The relay again on the same DATA_DIR and port (killed first if the test has not killed it). */
    async restart(env: Record<string, string> = {}): Promise<ChildRelay> {
      if (!relay || !dataDir) throw new Error('no relay to restart');
      await relay.kill();
      relay = await spawnRelay(dataDir, { ...env, PORT: new URL(relay.url).port });
      return relay;
    },
  };
}

/** Run the admin CLI on `dataDir` (as an administrator would, beside a running relay): its exit status and output. */
export function adminRun(dataDir: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const out = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'sync-server/src/admin.ts'), ...args], { cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir, ...backendEnv(dataDir) }, encoding: 'utf8' });
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

/** `adminRun`, which must succeed, and its JSON. */
export function adminCli(dataDir: string, ...args: string[]): unknown {
  const out = adminRun(dataDir, ...args);
  if (out.status !== 0) throw new Error(`admin ${args.join(' ')} failed: ${out.stderr}`);
  return JSON.parse(out.stdout);
}

/** The resident memory of a process, from /proc (Linux), in bytes. */
export function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) * 1024;
}
