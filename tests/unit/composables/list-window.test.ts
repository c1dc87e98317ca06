import { describe, expect, it } from 'vitest';
import { listWindow, rowOffsets } from '@/composables/list-window';

const even = (n: number, h = 100) => Array.from({ length: n }, () => h);

describe('list window', () => {
  it('renders the rows in view plus the overscan, and pads the rest', () => {
    const w = listWindow({ heights: even(2000), scrolled: 0, viewport: 700, overscan: 3 });
    expect(w).toEqual({ start: 0, end: 11, before: 0, after: (2000 - 11) * 100 });
  });

  it('follows the scroll position', () => {
    const w = listWindow({ heights: even(2000), scrolled: 10_050, viewport: 700, overscan: 3 });
    // Row 100 is half in view at the top, row 107 at the bottom.
    expect(w).toMatchObject({ start: 97, end: 111, before: 9700 });
    expect(w.before + (w.end - w.start) * 100 + w.after).toBe(200_000);
  });

  it('keeps the total height true with rows of different heights', () => {
    const heights = Array.from({ length: 50 }, (_, i) => (i % 3 === 0 ? 140 : 96));
    const offsets = rowOffsets(heights);
    for (const scrolled of [0, 333, 2000, 4500]) {
      const w = listWindow({ heights, scrolled, viewport: 640, overscan: 2 }, offsets);
      const rendered = heights.slice(w.start, w.end).reduce((a, b) => a + b, 0);
      expect(w.before + rendered + w.after).toBe(offsets[50]);
      expect(offsets[w.start]! <= Math.max(0, scrolled)).toBe(true);
    }
  });

  it('clamps at the end of the list and handles an empty one', () => {
    expect(listWindow({ heights: even(5), scrolled: 10_000, viewport: 700, overscan: 3 })).toMatchObject({ start: 1, end: 5, after: 0 });
    expect(listWindow({ heights: [], scrolled: 0, viewport: 700, overscan: 3 })).toEqual({ start: 0, end: 0, before: 0, after: 0 });
  });
});
