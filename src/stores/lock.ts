import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { i18n } from '@/i18n';
import { clearLock, DEFAULT_IDLE_MINUTES, readLock, resetAttempts, saveLock, type LockRecord } from '@/trust/lock-record';

const BLANK_CLASS = 'lianhu-blank';
const IDLE_CHECK_MS = 5_000;

/**
 * The app lock (ADR 0029): locked at start when a PIN is set, and again after the chosen idle
 * time (a touch, a key, a scroll count as use; so does the time spent in the background).
 * While the page is hidden it is blanked at once, so the app switcher's snapshot shows
 * nothing of a household. The PIN's crypto and the lock screen are chunks of their own:
 * this store reads one localStorage key and imports nothing else of the lock.
 */
export const useLockStore = defineStore('lock', () => {
  const record = shallowRef<LockRecord | undefined>(readLock());
  const enabled = computed(() => !!record.value);
  const locked = ref(enabled.value);
  /** too many wrong PINs: the join-again screen (the lead's code) is all that is open */
  const rejoining = ref(false);
  let lastActive = Date.now();
  let hiddenAt: number | undefined;
  let titleBeforeBlank: string | undefined;
  let installed = false;

  const idleMs = () => (record.value?.idleMinutes ?? DEFAULT_IDLE_MINUTES) * 60_000;
  const touch = () => (lastActive = Date.now());

  function lock(): void {
    if (!enabled.value) return;
    locked.value = true;
    document.title = i18n.global.t('common.appName');
  }

  function unlock(): void {
    resetAttempts();
    locked.value = false;
    rejoining.value = false;
    touch();
  }

  /** Set, change or (`undefined`) remove the lock; the screen stays unlocked. */
  function setRecord(r: LockRecord | undefined): void {
    if (r) saveLock(r);
    else clearLock();
    record.value = r;
    touch();
  }

  /**
   * After too many wrong PINs: the join screen opens (the router allows nothing else), and
   * only joining again with a code from the lead removes the PIN. The count of wrong PINs is
   * kept: a reload comes back to "too many", not to fresh tries.
   */
  function startRejoin(): void {
    rejoining.value = true;
    locked.value = false;
  }

  /** Joined again with the lead's code: the old PIN goes (a new one is set, as for any member). */
  function rejoined(): void {
    if (!rejoining.value) return;
    setRecord(undefined);
    unlock();
  }

  function blank(hidden: boolean): void {
    const root = document.documentElement;
    if (hidden) {
      root.classList.add(BLANK_CLASS);
      titleBeforeBlank = document.title;
      document.title = i18n.global.t('common.appName');
    } else {
      root.classList.remove(BLANK_CLASS);
      if (titleBeforeBlank !== undefined && !locked.value) document.title = titleBeforeBlank;
      titleBeforeBlank = undefined;
    }
  }

  /** Listen for use, idleness and the page being hidden (once, at start); returns how to stop. */
  function install(): () => void {
    if (installed) return () => undefined;
    installed = true;
    const onVisibility = () => {
      if (!enabled.value) return;
      if (document.visibilityState === 'hidden') {
        // Synchronously: the app switcher takes its snapshot right after this event.
        hiddenAt = Date.now();
        blank(true);
        return;
      }
      if ((hiddenAt !== undefined && Date.now() - hiddenAt >= idleMs()) || Date.now() - lastActive >= idleMs()) lock();
      hiddenAt = undefined;
      blank(false);
    };
    const uses = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;
    for (const type of uses) window.addEventListener(type, touch, { capture: true, passive: true });
    document.addEventListener('visibilitychange', onVisibility);
    const timer = setInterval(() => {
      if (enabled.value && !locked.value && !rejoining.value && Date.now() - lastActive >= idleMs()) lock();
    }, IDLE_CHECK_MS);
    if (enabled.value) document.title = i18n.global.t('common.appName');
    return () => {
      for (const type of uses) window.removeEventListener(type, touch, { capture: true });
      document.removeEventListener('visibilitychange', onVisibility);
      clearInterval(timer);
      installed = false;
    };
  }

  return { record, enabled, locked, rejoining, lock, unlock, setRecord, startRejoin, rejoined, install, touch };
});
