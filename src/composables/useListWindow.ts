import { computed, onBeforeUnmount, onMounted, ref, type Ref } from 'vue';
import { listWindow, rowOffsets } from './list-window';

/** Slots for rendered rows: more than any window holds (a tall screen shows ~30 rows). */
const SLOTS = 256;

/**
 * Window a long list scrolled with the page: render only the rows in view (plus
 * `overscan` each side), with the space of the others kept as padding so the scrollbar and
 * scroll position stay true. Rows are measured once rendered (heights differ: an address
 * or tags take a line); unmeasured rows count as the average of the measured ones.
 */
export function useListWindow<T>(rows: Ref<readonly T[]>, key: (row: T) => string, opts: { estimate: number; overscan: number }) {
  const list = ref<HTMLElement>();
  const scrolled = ref(0);
  const viewport = ref(typeof window === 'undefined' ? 800 : window.innerHeight || 800);
  const measured = new Map<string, number>();
  const measuredVersion = ref(0);
  let gap = 0;

  const heights = computed(() => {
    void measuredVersion.value;
    const average = measured.size ? [...measured.values()].reduce((a, b) => a + b, 0) / measured.size : opts.estimate;
    return Float64Array.from(rows.value, (r) => measured.get(key(r)) ?? average);
  });
  const offsets = computed(() => rowOffsets(heights.value));
  const range = computed(() => listWindow({ heights: heights.value, scrolled: scrolled.value, viewport: viewport.value, overscan: opts.overscan }, offsets.value));
  const visible = computed(() => {
    const { start, end } = range.value;
    // `slot`: a key for the row's element that stays with its place in the window, so new
    // rows in the same places (a search) update the elements there instead of replacing
    // them, and a row scrolling in takes the element of the one scrolling out.
    const pooled = end - start <= SLOTS;
    return rows.value.slice(start, end).map((row, i) => ({ row, index: start + i, slot: pooled ? (start + i) % SLOTS : key(row) }));
  });

  let frame = 0;
  const readScroll = () => {
    frame = 0;
    const el = list.value;
    if (!el) return;
    scrolled.value = Math.max(0, -el.getBoundingClientRect().top);
    viewport.value = window.innerHeight;
  };
  const onScroll = () => {
    frame ||= requestAnimationFrame(readScroll);
  };

  let observer: ResizeObserver | undefined;
  /** Give each rendered row element (with `data-key`) to this, to have it measured. */
  const measure = (el: unknown) => {
    if (el instanceof Element) observer?.observe(el);
  };

  onMounted(() => {
    readScroll();
    window.addEventListener('scroll', onScroll, { passive: true });
    window.addEventListener('resize', onScroll, { passive: true });
    if (typeof ResizeObserver === 'undefined') return;
    if (list.value) gap = parseFloat(getComputedStyle(list.value).rowGap) || 0;
    observer = new ResizeObserver((entries) => {
      let changed = false;
      for (const e of entries) {
        const k = (e.target as HTMLElement).dataset.key;
        if (!k) continue;
        const h = (e.target as HTMLElement).offsetHeight + gap;
        if (h > 0 && measured.get(k) !== h) {
          measured.set(k, h);
          changed = true;
        }
      }
      if (changed) measuredVersion.value++;
    });
  });
  onBeforeUnmount(() => {
    window.removeEventListener('scroll', onScroll);
    window.removeEventListener('resize', onScroll);
    if (frame) cancelAnimationFrame(frame);
    observer?.disconnect();
  });

  return { list, range, visible, measure };
}
