import { onBeforeUnmount, ref } from 'vue';
import type { GeoPoint } from '@/domain/geo';

export type GeoState = 'idle' | 'locating' | 'fix' | 'denied' | 'unavailable' | 'timeout' | 'unsupported';

/** A GPS fix is "rough" above this radius: shown as such, still saved. */
export const ROUGH_ACCURACY_M = 100;
const TIMEOUT_MS = 30_000;

/**
 * One GPS reading on request. In a forest valley a fix can take long or never come: every
 * failure is a state to show, and none of them stops a save.
 */
export function useGeolocation() {
  const state = ref<GeoState>('idle');
  let cancelled = false;

  function capture(): Promise<GeoPoint | undefined> {
    if (!('geolocation' in navigator)) {
      state.value = 'unsupported';
      return Promise.resolve(undefined);
    }
    state.value = 'locating';
    cancelled = false;
    return new Promise((resolve) => {
      navigator.geolocation.getCurrentPosition(
        (pos) => {
          if (cancelled) return resolve(undefined);
          state.value = 'fix';
          resolve({
            lat: Math.round(pos.coords.latitude * 1e6) / 1e6,
            lng: Math.round(pos.coords.longitude * 1e6) / 1e6,
            accuracy: Math.round(pos.coords.accuracy),
            capturedAt: new Date(pos.timestamp || Date.now()).toISOString(),
          });
        },
        (err) => {
          if (!cancelled) state.value = err.code === err.PERMISSION_DENIED ? 'denied' : err.code === err.TIMEOUT ? 'timeout' : 'unavailable';
          resolve(undefined);
        },
        { enableHighAccuracy: true, timeout: TIMEOUT_MS, maximumAge: 60_000 },
      );
    });
  }

  onBeforeUnmount(() => {
    cancelled = true;
  });

  return { state, capture };
}
