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
  /** `angle`: 0, or the degrees a slanted label is turned by (negative: its end up-right of its start) */
  xLabels: { x: number; y: number; text: string; rotated: boolean; angle: number }[];
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

/** Roughly how wide a label is in px at 12px: CJK characters are square, others a little over half (measured on the print fonts, rounded up). */
export function textWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u2e80-\uffff]/.test(ch) ? 12 : 7.2;
  return w;
}

/** The height of a 12 px label's line box, CJK fonts included: two slanted neighbours must be this far apart. */
const LINE = 17;
const SLANT = 40;

/** `text` cut to about `max` px with an ellipsis (the chart's data table and its label name it in full). */
function fitText(text: string, max: number): string {
  if (textWidth(text) <= max) return text;
  let out = '';
  for (const ch of text) {
    if (textWidth(`${out}${ch}…`) > max) break;
    out += ch;
  }
  return `${out}…`;
}

/**
 * How the category labels go under the axis: level when the longest fits its band; slanted
 * by 40° when neighbours then stay a line apart; upright (90°) when the bands are narrower
 * still; and only every k-th label when even upright ones would touch. The chart grows
 * taller by what slanted labels need (the plot keeps its height), cutting a label only past
 * 160 px; the plot moves right to keep the first label inside the chart.
 */
function xAxis(c: ChartInput): { angle: number; texts: string[]; left: number; below: number } {
  const n = Math.max(1, c.labels.length);
  const band = (c.width - 46) / n;
  if (!c.labels.some((l) => textWidth(l) > band - 4)) return { angle: 0, texts: c.labels, left: 40, below: 24 };
  const angle = band * Math.sin((SLANT * Math.PI) / 180) >= LINE ? -SLANT : -90;
  const rad = (Math.abs(angle) * Math.PI) / 180;
  const every = Math.max(1, Math.ceil(LINE / (band * Math.sin(rad))));
  const texts = c.labels.map((l, i) => (i % every === 0 ? fitText(l, 160) : ''));
  const longest = Math.max(0, ...texts.map(textWidth));
  const below = Math.ceil(10 + longest * Math.sin(rad) + LINE * Math.cos(rad) + 4);
  // The first label reaches left of its tick by its width × cos(angle).
  const left = Math.max(40, Math.ceil(textWidth(texts[0] ?? '') * Math.cos(rad) + LINE * Math.sin(rad) * 0.5 - band / 2 + 2));
  return { angle, texts, left, below };
}

/** Values written on the chart, less any that would cover the one before (a narrow line chart's neighbours at 100 %): the data table has every value. */
function apart(values: ChartLayout['values']): ChartLayout['values'] {
  const kept: ChartLayout['values'] = [];
  for (const v of values) {
    const last = kept.at(-1);
    const w = (t: string) => t.length * 6.8;
    if (last && Math.abs(v.y - last.y) < 13 && v.x - last.x < (w(v.text) + w(last.text)) / 2 + 2) continue;
    kept.push(v);
  }
  return kept;
}

export function chartLayout(c: ChartInput): ChartLayout {
  const n = c.labels.length;
  const axis = xAxis(c);
  const rotated = axis.angle !== 0;
  // Room above the plot for the value written over its highest point.
  const height = c.height + Math.max(0, axis.below - 24);
  const plot = { left: axis.left, top: 24, right: c.width - 6, bottom: height - axis.below };
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

  // An upright label sits on its tick: its glyphs lie left of the baseline, so it moves right by half a line.
  const xLabels = axis.texts
    .map((text, i) => ({ x: xOf(i) + (axis.angle === -90 ? 4 : 0), y: plot.bottom + (rotated ? 10 : 16), text, rotated, angle: axis.angle }))
    .filter((l) => l.text);
  return { width: c.width, height, plot, grid, bars, lines, points, values: apart(values), xLabels };
}
