import { mkdirSync, writeFileSync } from 'node:fs';

/** One figure in `.bench/results.json`. */
export interface BenchResult {
  name: string;
  unit: string;
  median: number;
  min: number;
  max: number;
  /** the budget from issue 6, in the same unit; null where only reported */
  budget: number | null;
  runs: number;
  /** optional context: sizes, ratios, what was measured */
  note?: string;
}

export interface BenchContext {
  smoke: boolean;
  /** repeat count for timed runs (fewer at smoke size) */
  runs: number;
}

export type Bench = (ctx: BenchContext) => Promise<BenchResult[]>;

export function summarize(name: string, unit: string, samples: number[], budget: number | null, note?: string): BenchResult {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { name, unit, median: round(median), min: round(sorted[0]!), max: round(sorted.at(-1)!), budget, runs: samples.length, ...(note ? { note } : {}) };
}

/** The median of samples, rounded like the table's figures. */
export function median(samples: number[]): number {
  return summarize('', '', samples, null).median;
}

/** The p-th percentile (0–100) of samples, nearest rank. */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const round = (n: number) => Math.round(n * 100) / 100;

export function printTable(results: BenchResult[]): void {
  const rows = results.map((r) => [
    r.name,
    `${r.median} ${r.unit}`,
    `${r.min}–${r.max}`,
    r.budget === null ? '—' : `${r.budget} ${r.unit}`,
    r.budget === null ? '' : r.median <= r.budget ? 'ok' : 'OVER',
    String(r.runs),
  ]);
  const head = ['benchmark', 'median', 'min–max', 'budget', '', 'runs'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => [...r[i]!].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  for (const r of results) if (r.note) console.log(`  · ${r.name}: ${r.note}`);
}

export function writeResults(results: BenchResult[]): void {
  mkdirSync('.bench', { recursive: true });
  writeFileSync('.bench/results.json', `${JSON.stringify(results, null, 2)}\n`);
}
