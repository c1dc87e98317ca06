import { describe, expect, it } from 'vitest';
import { HotDocs } from '@/sync/hot';

describe('HotDocs', () => {
  it('a doc is hot for hotMs after its last edit, then cold until deleted', () => {
    let now = 1000;
    const hot = new HotDocs({ hotMs: 60_000, limit: 50, now: () => now });
    hot.touch('a');
    now += 30_000;
    hot.touch('b');
    expect(hot.has('a')).toBe(true);
    expect(hot.nextColdIn()).toBe(30_000);
    now += 30_000;
    expect(hot.has('a')).toBe(false);
    expect(hot.has('b')).toBe(true);
    expect(hot.cold()).toEqual(['a']);
    expect(hot.nextColdIn()).toBe(0);
    // Edited again: hot again, from now.
    hot.touch('a');
    expect(hot.cold()).toEqual([]);
    expect(hot.nextColdIn()).toBe(30_000);
    hot.delete('b');
    hot.delete('a');
    expect(hot.nextColdIn()).toBeUndefined();
    expect(hot.has('never')).toBe(false);
  });

  it('past the limit the oldest edits are pushed out', () => {
    let now = 0;
    const hot = new HotDocs({ hotMs: 60_000, limit: 2, now: () => now++ });
    expect(hot.touch('a')).toEqual([]);
    expect(hot.touch('b')).toEqual([]);
    expect(hot.touch('a')).toEqual([]);
    expect(hot.touch('c')).toEqual(['b']);
    expect(hot.size).toBe(2);
  });
});
