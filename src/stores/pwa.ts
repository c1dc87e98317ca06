import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { Workbox } from 'workbox-window';
import { useDraftsStore } from './drafts';

/** How often an open app looks for a new version. */
const UPDATE_CHECK_MS = 60 * 60 * 1000;

/**
 * The service worker: registered with workbox-window (vite-plugin-pwa `registerType:
 * 'prompt'`). A new version waits until the member says "update now", and never takes
 * over while a form holds input that is not saved as a record.
 */
export const usePwaStore = defineStore('pwa', () => {
  const updateWaiting = ref(false);
  const offlineReady = ref(false);
  /** "update now" was refused because a form is open with input */
  const blockedByForm = ref(false);
  let wb: Workbox | undefined;
  let reloading = false;

  async function register(): Promise<void> {
    if (!('serviceWorker' in navigator) || !import.meta.env.PROD) return;
    const { Workbox } = await import('workbox-window');
    wb = new Workbox('/sw.js', { scope: '/' });
    wb.addEventListener('waiting', () => {
      updateWaiting.value = true;
    });
    wb.addEventListener('controlling', () => {
      // Only reload for an update the member asked for, never under their feet.
      if (reloading) window.location.reload();
    });
    wb.addEventListener('activated', (e) => {
      if (!e.isUpdate) offlineReady.value = true;
    });
    await wb.register();
    setInterval(() => {
      if (navigator.onLine) void wb?.update();
    }, UPDATE_CHECK_MS);
  }

  function updateNow(): boolean {
    if (useDraftsStore().anyDirty) {
      blockedByForm.value = true;
      return false;
    }
    blockedByForm.value = false;
    reloading = true;
    wb?.messageSkipWaiting();
    return true;
  }

  return { updateWaiting, offlineReady, blockedByForm, register, updateNow };
});
