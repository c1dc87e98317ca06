/**
 * `npm run bench` — builds the PWA when its sources changed (into .bench/dist), runs every
 * benchmark on generated data (tests/bench/generate.ts, seeded), prints one table and
 * writes .bench/results.json. `npm run bench -- --smoke` runs the same code on a small team,
 * quickly (CI does this so the benchmarks cannot rot); `--only=<name>` runs the benchmarks
 * whose name contains it; `--build` rebuilds the app first. Benchmarks report; they never
 * fail the run on a budget. A benchmark that crashes sets a non-zero exit code.
 */

import { buildApp, staleBuild } from './support/app';
import { stopOnSignals } from './support/children';
import { printTable, writeResults } from './harness';
type Harness = typeof import('./harness');

stopOnSignals();

const smoke = process.argv.includes('--smoke');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);

const benches: [string, () => Promise<Parameters<Harness['printTable']>[0]>][] = [];
const ctx = { smoke, runs: smoke ? 3 : 7 };
const lazy = (name: string, load: () => Promise<import('./harness').Bench>) => benches.push([name, async () => (await load())(ctx)]);
lazy('app-shell', async () => (await import('./app-shell.bench')).appShell);
lazy('field', async () => (await import('./field.bench')).field);
lazy('duplicates', async () => (await import('./duplicates.bench')).duplicates);
lazy('lead-sync', async () => (await import('./lead-sync.bench')).leadSync);
lazy('relay-load', async () => (await import('./relay-load.bench')).relayLoad);
lazy('relay-cluster', async () => (await import('./relay-load.bench')).relayCluster);

async function main() {
  const reason = process.argv.includes('--build') ? 'asked for' : staleBuild();
  if (reason) {
    console.log(`building the PWA into .bench/dist (${reason})…`);
    buildApp();
  }
  const results: Parameters<Harness['printTable']>[0] = [];
  for (const [name, run] of benches) {
    if (only && !name.includes(only)) continue;
    const t0 = performance.now();
    try {
      results.push(...(await run()));
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

await main();
