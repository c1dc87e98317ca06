import { createApp, watch } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import { i18n, isLocale, prefetchLocales, setLocale } from './i18n';
import type { Router } from 'vue-router';
import { createAppRouter } from './router';
import { deviceIsLead, prefetchLeadWorkspace } from './router/lead-routes';
import { localRecords } from './db/instance';
import { useConnectivityStore } from './stores/connectivity';
import { useHouseholdListCache } from './stores/household-list-cache';
import { useHouseholdsStore } from './stores/households';
import { useIdentityStore } from './stores/identity';
import { useLockStore } from './stores/lock';
import { readWipedMarker, type WipedMarker } from './trust/wiped-marker';
import { usePwaStore } from './stores/pwa';
import { useRequestsStore } from './stores/requests';
import { useSettingsStore } from './stores/settings';
import { useSyncStore } from './stores/sync';
import { useTeamStore } from './stores/team';
import { startLeadFiguresWorker } from './workers/figures-worker-start';
import './styles.css';

/** Start-up marks (the bench and profile tools read them): where a cold start's time goes. */
const mark = (what: string) => performance.mark(`lianhu:start:${what}`);

async function start(): Promise<void> {
  mark('modules');
  // A phone that erased itself (revoked as lost) says so and opens nothing else (ADR 0029).
  const wiped = readWipedMarker();
  if (wiped) return showWiped(wiped);
  // A lead page opened cold (a reload, a bookmark): the figures worker starts reading the
  // team's rows now, on its own thread, beside the start-up below; it used to start only
  // once the team doc was open and the route guard ran, 2 s later at CPU 4×.
  if (location.pathname.startsWith('/lead')) startLeadFiguresWorker(localRecords().db.name, location.pathname);
  const app = createApp(App);
  const pinia = createPinia();
  app.use(pinia).use(i18n);

  const settings = useSettingsStore();
  const identity = useIdentityStore();
  const router = createAppRouter();
  loadFirstPage(router);
  // Identity and language first: the router and the first screen depend on them. The team
  // and the records' checks wait for the first screen to be drawn (LocalRecords.start).
  let painted!: () => void;
  const firstScreenDrawn = new Promise<void>((resolve) => (painted = resolve));
  const [, { opened }] = await Promise.all([settings.loadLocale(), identity.load({ openRecordsAfter: firstScreenDrawn })]);
  mark('identity');

  app.use(router);
  // Locked from the start when a PIN is set; listens for idleness and the page being hidden.
  const lock = useLockStore();
  lock.install();
  watch(
    () => identity.identity?.deviceId,
    () => lock.rejoined(),
  );
  app.mount('#app');
  mark('mounted');
  // The first page drawn, not only the app's frame: then the team and the rows' reads start.
  await router.isReady().catch(() => undefined);
  mark('router-ready');
  useConnectivityStore().watch();

  // The first screen kept from the last start is drawn before the whole household table is
  // read and sync starts: both are main-thread work (2,000 rows to decode, the sync's own
  // reads) that kept a cheap phone's first card waiting. The rows then replace it.
  await useHouseholdListCache()
    .start()
    .catch(() => undefined);
  mark('first-screen-read');
  await afterPaint();
  mark('first-screen-painted');
  painted();
  await opened;
  mark('records-open');
  void useTeamStore().open(identity.identity?.teamId);
  useHouseholdsStore().watchRows();
  useRequestsStore().watchRows();
  // Sync runs by itself from here on: when the connection returns, when the app comes to
  // the foreground, after joining. A device that never joined stays local and says so.
  void useSyncStore().start();
  // A lead's device keeps the whole lead workspace for offline use; fetch it while online.
  const prefetchIfLead = () => {
    if (deviceIsLead() && navigator.onLine) void prefetchLeadWorkspace();
  };
  watch(deviceIsLead, prefetchIfLead, { immediate: true });
  window.addEventListener('online', prefetchIfLead);
  const idle = window.requestIdleCallback ?? ((cb: () => void) => setTimeout(cb, 2000));
  // Every language while online, so a switch works offline: fetched through the service
  // worker (it keeps them), so not before it controls the page (a first launch).
  // Not during the first screen either: in an idle moment, as the lead workspace is.
  const fetchLocales = () => {
    if (navigator.onLine) void whenControlled().then(() => new Promise<void>((r) => idle(() => r()))).then(prefetchLocales);
  };
  fetchLocales();
  window.addEventListener('online', fetchLocales);
  void settings.requestPersistence();
  // Offline on a session that never had the worker's control, workbox-window may not be
  // cached (it is not precached): the app works on; the update check waits for a connection.
  usePwaStore()
    .register()
    .catch((err: unknown) => console.warn('service worker registration skipped', err));
  // The consistency check (stored docs without rows) is cheap, but not start-up's business.
  // Not during the first seconds either: a cold start's list and first taps come first.
  setTimeout(() => idle(() => void localRecords().sweep()), 5000);
}

/** The plain "this phone was erased" screen, in the language the phone had. */
async function showWiped(marker: WipedMarker): Promise<void> {
  if (isLocale(marker.locale)) await setLocale(marker.locale).catch(() => undefined);
  const { default: WipedScreen } = await import('./components/trust/WipedScreen.vue');
  createApp(WipedScreen, { marker }).use(i18n).mount('#app');
}

/**
 * Start fetching the page being opened now, while identity and language are read: pages are
 * chunks, and a cold start otherwise fetched and compiled this one only after mounting.
 */
function loadFirstPage(router: Router): void {
  for (const record of router.resolve(location.pathname + location.search).matched) {
    const page = record.components?.default;
    // A lazy page is a function returning its module; a component already here is an object.
    if (typeof page === 'function' && !('__vccOpts' in page)) void (page as () => Promise<unknown>)().catch(() => undefined);
  }
}

/** Resolves after the next frame has been painted (or soon, in a page started hidden: no frames there). */
function afterPaint(): Promise<void> {
  return new Promise((resolve) => {
    const fallback = setTimeout(resolve, 250);
    requestAnimationFrame(() =>
      setTimeout(() => {
        clearTimeout(fallback);
        resolve();
      }, 0),
    );
  });
}

/** Resolves once a service worker controls this page (never where there is none). */
function whenControlled(): Promise<void> {
  const sw = navigator.serviceWorker;
  if (!sw) return new Promise(() => undefined);
  if (sw.controller) return Promise.resolve();
  return new Promise((resolve) => sw.addEventListener('controllerchange', () => resolve(), { once: true }));
}

start().catch((err: unknown) => {
  // Without IndexedDB (some private modes, a broken profile) nothing can be kept: say so
  // instead of showing a blank screen.
  console.error(err);
  const root = document.getElementById('app');
  if (root) {
    const p = document.createElement('p');
    p.setAttribute('role', 'alert');
    p.className = 'start-failed';
    p.textContent = i18n.global.t('errors.startFailed');
    root.replaceChildren(p);
  }
});
