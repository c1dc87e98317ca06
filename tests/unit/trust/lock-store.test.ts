import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useLockStore } from '@/stores/lock';
import { saveLock } from '@/trust/lock-record';

const pin = { v: 1 as const, salt: 'AAAAAAAAAAAAAAAAAAAAAA==', iterations: 1, verifier: 'AAAA' };

function setVisibility(state: 'hidden' | 'visible'): void {
  Object.defineProperty(document, 'visibilityState', { value: state, configurable: true });
  document.dispatchEvent(new Event('visibilitychange'));
}

describe('lock state', () => {
  let uninstall: () => void = () => undefined;
  beforeEach(() => {
    localStorage.clear();
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
    vi.setSystemTime(new Date('2026-12-07T08:00:00Z'));
    document.documentElement.classList.remove('lianhu-blank');
    setActivePinia(createPinia());
  });
  afterEach(() => {
    uninstall();
    setVisibility('visible');
    vi.useRealTimers();
  });

  it('a phone without a PIN is never locked nor blanked', () => {
    const lock = useLockStore();
    uninstall = lock.install();
    expect(lock.locked).toBe(false);
    setVisibility('hidden');
    expect(document.documentElement.classList.contains('lianhu-blank')).toBe(false);
    vi.advanceTimersByTime(60 * 60_000);
    expect(lock.locked).toBe(false);
  });

  it('with a PIN: locked at start, locked again after the idle time, not before', () => {
    saveLock({ pin, idleMinutes: 2 });
    const lock = useLockStore();
    uninstall = lock.install();
    expect(lock.locked).toBe(true);
    lock.unlock();
    vi.advanceTimersByTime(60_000);
    window.dispatchEvent(new Event('pointerdown'));
    vi.advanceTimersByTime(100_000);
    expect(lock.locked).toBe(false);
    vi.advanceTimersByTime(25_000);
    expect(lock.locked).toBe(true);
    expect(document.title).toBe('联户走访');
  });

  it('blanks the page the moment it is hidden, and locks on return after the idle time', () => {
    saveLock({ pin, idleMinutes: 5 });
    const lock = useLockStore();
    uninstall = lock.install();
    lock.unlock();
    document.title = '赵大娘 · 联户走访';
    setVisibility('hidden');
    // Synchronously: the app switcher's snapshot is taken right after the event.
    expect(document.documentElement.classList.contains('lianhu-blank')).toBe(true);
    expect(document.title).toBe('联户走访');
    vi.setSystemTime(Date.now() + 60_000);
    setVisibility('visible');
    expect([lock.locked, document.documentElement.classList.contains('lianhu-blank'), document.title]).toEqual([false, false, '赵大娘 · 联户走访']);
    setVisibility('hidden');
    vi.setSystemTime(Date.now() + 6 * 60_000);
    setVisibility('visible');
    expect(lock.locked).toBe(true);
    expect(document.title).toBe('联户走访');
  });

  it('re-joining after too many wrong PINs removes the old PIN; until then the wrong PINs stay counted', () => {
    saveLock({ pin, idleMinutes: 5 });
    localStorage.setItem('lianhu.lock.attempts', JSON.stringify({ failures: 10, notBefore: 0 }));
    const lock = useLockStore();
    lock.rejoined();
    expect(lock.enabled).toBe(true);
    lock.startRejoin();
    expect([lock.locked, lock.rejoining, JSON.parse(localStorage.getItem('lianhu.lock.attempts')!).failures]).toEqual([false, true, 10]);
    lock.rejoined();
    expect([lock.enabled, lock.locked, localStorage.getItem('lianhu.lock')]).toEqual([false, false, null]);
  });
});
