/**
 * Which rows of a long list to render: the ones in view plus a few either side. Pure, so
 * it can be tested without a browser; `useListWindow` feeds it the scroll position and
 * measured heights.
 */

export interface WindowInput {
  /** height of each row (measured, or the estimate) */
  heights: ArrayLike<number>;
  /** pixels of the list scrolled above the viewport's top (0 when the list starts below it) */
  scrolled: number;
  viewport: number;
  /** rows rendered beyond the viewport on each side (keyboard focus and fast flicks land on them) */
  overscan: number;
}

export interface ListWindow {
  start: number;
  /** exclusive */
  end: number;
  /** space above the first rendered row, and below the last */
  before: number;
  after: number;
}

/** Prefix sums of the heights: `offsets[i]` is the top of row i, `offsets[n]` the total. */
export function rowOffsets(heights: ArrayLike<number>): Float64Array {
  const out = new Float64Array(heights.length + 1);
  for (let i = 0; i < heights.length; i++) out[i + 1] = out[i]! + heights[i]!;
  return out;
}

/** The last row whose top is at or above `y`. */
function rowAt(offsets: Float64Array, y: number): number {
  let lo = 0;
  let hi = offsets.length - 2;
  if (hi < 0) return 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (offsets[mid]! <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function listWindow(input: WindowInput, offsets: Float64Array = rowOffsets(input.heights)): ListWindow {
  const n = input.heights.length;
  if (n === 0) return { start: 0, end: 0, before: 0, after: 0 };
  const top = Math.max(0, input.scrolled);
  const first = rowAt(offsets, top);
  const last = rowAt(offsets, top + Math.max(0, input.viewport));
  const start = Math.max(0, first - input.overscan);
  const end = Math.min(n, last + 1 + input.overscan);
  return { start, end, before: offsets[start]!, after: offsets[n]! - offsets[end]! };
}
