import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The PWA the benchmarks run: built by Vite into its own directory (other suites read
 * `dist/` and `.e2e-tmp/dist` meanwhile), again whenever its sources are newer.
 */
export const BENCH_DIST = join(process.cwd(), '.bench/dist');

const SOURCES = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json', 'tsconfig.app.json'];

function newest(p: string): number {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(p).map((f) => newest(join(p, f))));
}

/** Why the build is out of date, or undefined when it is current. */
export function staleBuild(): string | undefined {
  const built = join(BENCH_DIST, 'sw.js');
  if (!existsSync(built)) return 'no build yet';
  const at = statSync(built).mtimeMs;
  const changed = SOURCES.find((s) => newest(join(process.cwd(), s)) > at);
  return changed ? `${changed} changed since the last build` : undefined;
}

export function buildApp(): void {
  // Production flags and the service worker registration need NODE_ENV=production.
  const r = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn', '--outDir', BENCH_DIST, '--emptyOutDir'], {
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (r.status !== 0) throw new Error(`vite build failed (${r.status})`);
}
