import { defineStore } from 'pinia';
import { computed, ref } from 'vue';

/** How often to ask the relay whether it is there while the browser claims to be online. */
const PROBE_INTERVAL_MS = 30_000;
const PROBE_TIMEOUT_MS = 5_000;

export type Connectivity = 'offline' | 'no_server' | 'online';

/**
 * The truth about the network: `navigator.onLine` only says a network interface is up
 * (a phone on a dead cell still says true), so the relay's `/healthz` is probed too.
 * `/healthz` is excluded from the service worker, so a cached answer cannot lie.
 */
export const useConnectivityStore = defineStore('connectivity', () => {
  const browserOnline = ref(typeof navigator === 'undefined' ? true : navigator.onLine);
  const serverReachable = ref<boolean | undefined>(undefined);
  const lastCheckedAt = ref<string | undefined>(undefined);
  let timer: ReturnType<typeof setInterval> | undefined;
  let inflight: Promise<boolean> | undefined;

  const state = computed<Connectivity>(() => {
    if (!browserOnline.value) return 'offline';
    return serverReachable.value === false ? 'no_server' : 'online';
  });

  async function probe(): Promise<boolean> {
    if (!browserOnline.value) {
      serverReachable.value = false;
      return false;
    }
    inflight ??= (async () => {
      const ctrl = new AbortController();
      const t = setTimeout(() => ctrl.abort(), PROBE_TIMEOUT_MS);
      try {
        const res = await fetch('/healthz', { cache: 'no-store', signal: ctrl.signal });
        return res.ok;
      } catch {
        return false;
      } finally {
        clearTimeout(t);
      }
    })();
    try {
      serverReachable.value = await inflight;
      lastCheckedAt.value = new Date().toISOString();
      return serverReachable.value;
    } finally {
      inflight = undefined;
    }
  }

  function onOnline() {
    browserOnline.value = true;
    void probe();
  }
  function onOffline() {
    browserOnline.value = false;
    serverReachable.value = false;
  }

  /** Listen to the browser and probe now and then; returns a stop function. */
  function watch(): () => void {
    window.addEventListener('online', onOnline);
    window.addEventListener('offline', onOffline);
    void probe();
    timer = setInterval(() => void probe(), PROBE_INTERVAL_MS);
    return () => {
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
      clearInterval(timer);
    };
  }

  return { browserOnline, serverReachable, lastCheckedAt, state, probe, watch };
});
