import { beforeEach, describe, expect, it } from 'vitest';
import { clearLock, MAX_FAILURES, readAttempts, recordFailure, resetAttempts, waitAfter } from '@/trust/lock-record';

describe('wrong-PIN backoff', () => {
  beforeEach(() => localStorage.clear());

  it('lets four wrong PINs go without a wait, then doubles the wait from 30 s', () => {
    expect([1, 2, 3, 4].map(waitAfter)).toEqual([0, 0, 0, 0]);
    expect([5, 6, 7, 8, 9].map(waitAfter)).toEqual([30_000, 60_000, 120_000, 240_000, 480_000]);
    expect(MAX_FAILURES).toBe(10);
  });

  it('keeps the count and the wait in storage: a reload does not reset them', () => {
    const t0 = 1_000_000;
    for (let i = 0; i < 5; i++) recordFailure(t0);
    // What a fresh page reads (nothing held in memory here).
    expect(JSON.parse(localStorage.getItem('lianhu.lock.attempts')!)).toEqual({ failures: 5, notBefore: t0 + 30_000 });
    expect(readAttempts()).toEqual({ failures: 5, notBefore: t0 + 30_000 });
    expect(recordFailure(t0 + 40_000)).toEqual({ failures: 6, notBefore: t0 + 40_000 + 60_000 });
  });

  it('starts again from zero after an unlock, and with the PIN removed', () => {
    recordFailure(1);
    resetAttempts();
    expect(readAttempts()).toEqual({ failures: 0, notBefore: 0 });
    recordFailure(1);
    clearLock();
    expect(readAttempts().failures).toBe(0);
  });
});
