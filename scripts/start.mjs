// `npm start`: build the PWA when dist/ is missing or older than its sources, then run the
// relay (one process: the PWA, /api, /files and the /sync WebSocket on HOST:PORT).
// SKIP_BUILD=1 starts with whatever dist/ holds.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const SOURCES = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json', 'tsconfig.app.json'];

/** Newest modification time under `p` (files and directories, node_modules excluded). */
function newest(p) {
  let stat;
  try {
    stat = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let max = stat.mtimeMs;
  for (const entry of fs.readdirSync(p)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    max = Math.max(max, newest(path.join(p, entry)));
  }
  return max;
}

function needsBuild() {
  const built = path.join(dist, 'index.html');
  if (!fs.existsSync(built)) return 'dist/ has no index.html';
  const builtAt = fs.statSync(built).mtimeMs;
  const changed = SOURCES.find((s) => newest(path.join(root, s)) > builtAt);
  return changed ? `${changed} changed since the last build` : undefined;
}

const usesDefaultDist = !process.env.STATIC_DIR || path.resolve(process.env.STATIC_DIR) === dist;
const reason = process.env.SKIP_BUILD === '1' || !usesDefaultDist ? undefined : needsBuild();
if (reason) {
  console.log(JSON.stringify({ msg: 'building the PWA', reason }));
  const r = spawnSync('npx', ['vite', 'build'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], shell: process.platform === 'win32' });
  if (r.status !== 0) {
    console.error(JSON.stringify({ msg: 'vite build failed', status: r.status }));
    process.exit(r.status ?? 1);
  }
}

process.chdir(root);
const { register } = await import('tsx/esm/api');
register();
await import(pathToFileURL(path.join(root, 'sync-server/src/index.ts')).href);
