import { describe, expect, it } from 'vitest';
import { chartLayout, niceScale, textWidth } from '@/composables/lead/chart';

const base = { width: 400, height: 220, percent: false };

describe('chart layout', () => {
  it('rounds the axis up to 1, 2 or 5 steps, whole numbers for counts', () => {
    expect(niceScale(0)).toEqual({ max: 4, step: 1 });
    expect(niceScale(3)).toEqual({ max: 3, step: 1 });
    expect(niceScale(37)).toEqual({ max: 40, step: 10 });
    expect(niceScale(180)).toEqual({ max: 200, step: 50 });
  });

  it('stacks the series of a category on top of each other and labels the total', () => {
    const l = chartLayout({ ...base, type: 'stacked', labels: ['就医', '就业'], series: [{ label: 'a', color: 'red', values: [2, 1] }, { label: 'b', color: 'blue', values: [3, 0] }] });
    const [a0, b0, a1] = l.bars;
    expect(l.bars).toHaveLength(3);
    expect(b0!.y + b0!.h).toBeCloseTo(a0!.y);
    expect(a0!.h / a1!.h).toBeCloseTo(2);
    expect(l.values.map((v) => v.text)).toEqual(['5', '1']);
    expect(l.grid.at(-1)!.label).toBe('6');
  });

  it('breaks a line where a month has no value and shows percentages', () => {
    const l = chartLayout({ ...base, type: 'line', percent: true, labels: ['1', '2', '3', '4'], series: [{ label: 's', color: 'g', values: [0.5, null, 1, 0.75] }] });
    expect(l.lines).toHaveLength(1);
    expect(l.lines[0]!.d.match(/M/g)).toHaveLength(2);
    expect(l.values.map((v) => v.text)).toEqual(['50%', '100%', '75%']);
    expect(l.grid.map((g) => g.label)).toEqual(['0%', '25%', '50%', '75%', '100%']);
  });

  it('turns long category names on a narrow phone chart', () => {
    const labels = ['就医', '就业', '就学', '养老', '低保申请', '住房', '环保', '其他'];
    expect(chartLayout({ ...base, width: 300, type: 'bars', labels, series: [{ label: 's', color: 'g', values: labels.map(() => 1) }] }).xLabels[0]!.rotated).toBe(true);
    expect(chartLayout({ ...base, width: 900, type: 'bars', labels, series: [{ label: 's', color: 'g', values: labels.map(() => 1) }] }).xLabels[0]!.rotated).toBe(false);
  });

  it('keeps a long English category whole and inside the chart on a phone, growing the chart instead of the plot shrinking', () => {
    const labels = ['Medical care', 'Jobs', 'Schooling', 'Elderly care', 'Minimum allowance', 'Housing', 'Environment', 'Other'];
    const l = chartLayout({ ...base, width: 300, height: 200, type: 'stacked', labels, series: [{ label: 's', color: 'g', values: labels.map(() => 1) }] });
    expect(l.xLabels.map((x) => x.text)).toEqual(labels);
    expect(l.xLabels[0]!.angle).toBe(-40);
    expect(l.height).toBeGreaterThan(200);
    expect(l.plot.bottom - l.plot.top).toBe(200 - 24 - 24);
    // the first slanted label reaches left by its width × cos 40°, and stays right of the chart's edge
    expect(l.xLabels[0]!.x - textWidth('Medical care') * Math.cos((40 * Math.PI) / 180)).toBeGreaterThan(0);
    // the longest reaches down by its width × sin 40° and a line, and stays above the chart's bottom
    expect(l.plot.bottom + 10 + textWidth('Minimum allowance') * Math.sin((40 * Math.PI) / 180)).toBeLessThan(l.height);
  });

  it('stands twelve months upright on a phone, and leaves out a value that would cover its neighbour', () => {
    const labels = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    const l = chartLayout({ ...base, width: 320, type: 'line', percent: true, labels, series: [{ label: 's', color: 'g', values: [1, 1, 0.25, 0.9, 0.4, 0.8, 0.25, 0.8, 0.5, 0.9, 0, null] }] });
    expect(l.xLabels.every((x) => x.angle === -90)).toBe(true);
    expect(l.xLabels).toHaveLength(12);
    expect(l.points).toHaveLength(11);
    expect(l.values.map((v) => v.text).slice(0, 2)).toEqual(['100%', '25%']);
  });
});
