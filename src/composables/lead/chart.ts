/**
 * The lead's charts as plain SVG shapes (ADR 0004): bars, stacked bars or a line over a
 * dozen categories at most. The layout is pure so it is tested without a browser; the
 * component only draws what it returns.
 */

/** One series of a lead chart (LeadChart.vue). */
export interface ChartSeries {
  label: string;
  color: string;
  values: (number | null)[];
}

export type ChartType = 'bars' | 'stacked' | 'line';

/** Colours that stay apart in print and for common colour blindness (blue / orange / green / purple). */
export const CHART_COLORS = {
  visits: '#1a5fb4',
  open: '#c64600',
  in_progress: '#e5a50a',
  resolved: '#26a269',
  explained: '#813d9c',
  satisfied: '#26a269',
  basically_satisfied: '#e5a50a',
  dissatisfied: '#c01c28',
  score: '#1a5fb4',
} as const;

export interface ChartInput {
  type: ChartType;
  labels: string[];
  series: ChartSeries[];
  /** values are 0–1 shares, shown as percentages */
  percent: boolean;
  width: number;
  height: number;
}

export interface ChartLayout {
  width: number;
  height: number;
  plot: { left: number; top: number; right: number; bottom: number };
  grid: { y: number; label: string }[];
  bars: { x: number; y: number; w: number; h: number; color: string }[];
  lines: { d: string; color: string }[];
  points: { cx: number; cy: number; color: string }[];
  values: { x: number; y: number; text: string }[];
  xLabels: { x: number; y: number; text: string; rotated: boolean }[];
}

/** A round axis maximum at or above `max` with a step of 1, 2 or 5 × 10ⁿ, and about four steps. */
export function niceScale(max: number): { max: number; step: number } {
  if (!(max > 0)) return { max: 4, step: 1 };
  const rough = max / 4;
  const mag = 10 ** Math.floor(Math.log10(rough));
  // Counts: whole steps only.
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * mag).find((x) => x >= rough)!);
  return { max: Math.ceil(max / step) * step, step };
}

export function formatValue(v: number | null | undefined, percent: boolean): string {
  if (v === null || v === undefined) return '–';
  return percent ? `${Math.round(v * 100)}%` : String(Math.round(v * 10) / 10);
}

/** Roughly how wide a label is in px at 12px: CJK characters are square, others about half. */
function textWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u2e80-\uffff]/.test(ch) ? 12 : 6.6;
  return w;
}

export function chartLayout(c: ChartInput): ChartLayout {
  const n = c.labels.length;
  const band0 = (c.width - 44) / Math.max(1, n);
  const rotated = c.labels.some((l) => textWidth(l) > band0 - 4);
  const longest = Math.max(0, ...c.labels.map(textWidth));
  const plot = { left: 40, top: 18, right: c.width - 6, bottom: c.height - (rotated ? Math.min(70, 14 + longest * 0.64) : 24) };
  const band = (plot.right - plot.left) / Math.max(1, n);
  const xOf = (i: number) => plot.left + band * (i + 0.5);

  const totals = c.labels.map((_, i) => c.series.reduce((a, s) => a + (s.values[i] ?? 0), 0));
  const peak = c.type === 'stacked' ? Math.max(0, ...totals) : Math.max(0, ...c.series.flatMap((s) => s.values.map((v) => v ?? 0)));
  const scale = c.percent ? { max: 1, step: 0.25 } : niceScale(peak);
  const yOf = (v: number) => plot.bottom - (v / scale.max) * (plot.bottom - plot.top);

  const grid: ChartLayout['grid'] = [];
  for (let v = 0; v <= scale.max + 1e-9; v += scale.step) grid.push({ y: yOf(v), label: formatValue(v, c.percent) });

  const bars: ChartLayout['bars'] = [];
  const lines: ChartLayout['lines'] = [];
  const points: ChartLayout['points'] = [];
  const values: ChartLayout['values'] = [];
  const barW = Math.min(band * 0.62, 48);

  if (c.type === 'line') {
    for (const s of c.series) {
      let d = '';
      let open = false;
      s.values.forEach((v, i) => {
        if (v === null || v === undefined) {
          open = false;
          return;
        }
        const x = xOf(i);
        const y = yOf(v);
        d += `${open ? 'L' : 'M'}${x.toFixed(1)} ${y.toFixed(1)}`;
        open = true;
        points.push({ cx: x, cy: y, color: s.color });
        values.push({ x, y: y - 7, text: formatValue(v, c.percent) });
      });
      if (d) lines.push({ d, color: s.color });
    }
  } else {
    c.labels.forEach((_, i) => {
      const x = xOf(i) - barW / 2;
      let base = 0;
      for (const s of c.type === 'stacked' ? c.series : c.series.slice(0, 1)) {
        const v = s.values[i] ?? 0;
        if (v > 0) bars.push({ x, y: yOf(base + v), w: barW, h: yOf(base) - yOf(base + v), color: s.color });
        base += v;
      }
      if (base > 0) values.push({ x: xOf(i), y: yOf(base) - 3, text: formatValue(base, c.percent) });
    });
  }

  const xLabels = c.labels.map((text, i) => ({ x: xOf(i), y: plot.bottom + (rotated ? 10 : 16), text, rotated }));
  return { width: c.width, height: c.height, plot, grid, bars, lines, points, values, xLabels };
}
