import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Bench } from './harness';
import { BENCH_DIST } from './support/app';

/** Gzip size of what the service worker precaches: every JS, CSS and HTML file it lists. */
export const appShell: Bench = async () => {
  const sw = readFileSync(join(BENCH_DIST, 'sw.js'), 'utf8');
  const listed = [...sw.matchAll(/url:"([^"]+)"/g)].map((m) => m[1]!).filter((u) => /\.(js|css|html)$/.test(u));
  const files = listed.length ? listed : walk(BENCH_DIST).filter((f) => /\.(js|css)$/.test(f) && !/sw\.js$|workbox-/.test(f));
  let jsCss = 0;
  let html = 0;
  let largest = { file: '', gz: 0 };
  for (const f of files) {
    const gz = gzipSync(readFileSync(f.startsWith(BENCH_DIST) ? f : join(BENCH_DIST, f))).length;
    if (f.endsWith('.html')) html += gz;
    else jsCss += gz;
    if (gz > largest.gz) largest = { file: f, gz };
  }
  const kb = (n: number) => Math.round((n / 1024) * 10) / 10;
  return [
    {
      name: 'precached app shell (gzip JS+CSS)',
      unit: 'KB',
      median: kb(jsCss),
      min: kb(jsCss),
      max: kb(jsCss),
      budget: 250,
      runs: 1,
      note: `${files.length} precached files, HTML ${kb(html)} KB, largest ${largest.file} ${kb(largest.gz)} KB`,
    },
  ];
};

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
