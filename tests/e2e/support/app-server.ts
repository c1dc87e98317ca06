import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The app as a member's phone meets it: built by Vite and served by the compiled relay, as
 * `npm start` runs them, on a free port, with its data in a temporary directory removed on close.
 */
export interface AppServer {
  url: string;
  dataDir: string;
  /** the built app it serves */
  staticDir: string;
  /** run the relay's admin CLI against this server's data; returns its JSON output */
  admin(args: string[]): unknown;
  close(): Promise<void>;
}

const ROOT = process.cwd();

/**
 * Build the PWA and the relay once per run (the tests must exercise what ships), into
 * directories of their own: other suites may be reading `dist/` meanwhile. A test that
 * changes the build (a new release) works on its own copy (`copyOfBuild`).
 */
export const E2E_DIST = join(ROOT, '.e2e-tmp/dist');
const E2E_RELAY = join(ROOT, '.e2e-tmp/dist-server');
/** Set by the e2e project's global setup (build-app.ts) once it has built, for the test files it starts. */
const BUILT = 'LIANHU_E2E_BUILT';

/** Build unless this run has built already (the global setup does, before any test file). */
export function buildApp(): void {
  if (process.env[BUILT] === E2E_DIST) return;
  buildAppNow();
}

export function buildAppNow(): void {
  // Vitest sets NODE_ENV=test, which would make Vite build without production flags (and without the service worker registration).
  const env = { ...process.env, NODE_ENV: 'production' };
  const app = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn', '--outDir', E2E_DIST, '--emptyOutDir'], { cwd: ROOT, env, stdio: 'inherit' });
  if (app.status !== 0) throw new Error(`vite build failed (${app.status})`);
  const relay = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'vite.relay.config.ts', '--logLevel', 'warn', '--outDir', E2E_RELAY, '--emptyOutDir'], { cwd: ROOT, env, stdio: 'inherit' });
  if (relay.status !== 0) throw new Error(`relay build failed (${relay.status})`);
  process.env[BUILT] = E2E_DIST;
}

/** A copy of the built app that a test may change; removed with the server that serves it. */
export function copyOfBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lianhu-e2e-dist-'));
  cpSync(E2E_DIST, dir, { recursive: true });
  return dir;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

async function waitHealthy(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`relay exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`relay not healthy after ${timeoutMs} ms`);
}

/** `staticDir`: the app to serve, the shared build unless a test's own copy (removed on close). */
export async function startAppServer({ staticDir = E2E_DIST } = {}): Promise<AppServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lianhu-e2e-data-'));
  const port = await freePort();
  const env = { ...process.env, HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir, STATIC_DIR: staticDir, LOG_LEVEL: 'warn' };
  // Own process group, so closing stops the relay and anything it started, and nothing else.
  const child = spawn(process.execPath, [join(E2E_RELAY, 'index.js')], { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'], detached: true });
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url, child, 30_000);
  return {
    url,
    dataDir,
    staticDir,
    admin(args) {
      const r = spawnSync(process.execPath, [join(E2E_RELAY, 'admin.js'), ...args], { cwd: ROOT, env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`admin ${args.join(' ')} failed: ${r.stderr}`);
      return JSON.parse(r.stdout) as unknown;
    },
    async close() {
      if (child.exitCode === null && child.pid) {
        const exited = new Promise((r) => child.once('exit', r));
        process.kill(-child.pid, 'SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
      }
      rmSync(dataDir, { recursive: true, force: true });
      if (staticDir !== E2E_DIST) rmSync(staticDir, { recursive: true, force: true });
    },
  };
}
