import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appShell } from './app-shell.bench';
import { printTable, writeResults, type Bench, type BenchResult } from './harness';

/**
 * `npm run bench` — builds what it needs, runs every benchmark on generated data
 * (tests/bench/generate.ts, seeded), prints one table and writes .bench/results.json.
 * `npm run bench -- --smoke` runs the same code on a small team, quickly (CI does this so
 * the benchmarks cannot rot). Benchmarks report; they never fail the run on a budget.
 */

const smoke = process.argv.includes('--smoke');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);

const benches: [string, Bench][] = [['app-shell', appShell]];

async function main() {
  if (!existsSync('dist/sw.js') || process.argv.includes('--build')) {
    console.log('building the PWA…');
    execSync('npx vite build', { stdio: 'inherit' });
  }
  const results: BenchResult[] = [];
  for (const [name, bench] of benches) {
    if (only && !name.includes(only)) continue;
    const t0 = performance.now();
    try {
      results.push(...(await bench({ smoke, runs: smoke ? 3 : 7 })));
      console.log(`✓ ${name} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (err) {
      // A broken benchmark is reported, not hidden; the others still run.
      console.error(`✗ ${name}: ${err instanceof Error ? err.stack : String(err)}`);
      process.exitCode = 1;
    }
  }
  console.log('');
  printTable(results);
  writeResults(results);
  console.log(`\nwrote .bench/results.json (${smoke ? 'smoke size' : 'full size'})`);
}

void main();
