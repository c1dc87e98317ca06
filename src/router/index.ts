import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { useDialogStore } from '@/stores/dialog';
import { useIdentityStore } from '@/stores/identity';
import { useLockStore } from '@/stores/lock';
import { leadRoutes } from './lead-routes';

declare module 'vue-router' {
  interface RouteMeta {
    /** reachable before the device has an identity */
    public?: boolean;
    /** show the bottom navigation (top-level screens) */
    nav?: boolean;
  }
}

/** Every page is its own chunk: the first screen loads only what it shows. */
export const routes: RouteRecordRaw[] = [
  { path: '/', redirect: { name: 'households' } },
  { path: '/welcome', name: 'welcome', component: () => import('@/pages/WelcomePage.vue'), meta: { public: true } },
  // Invite links in QR codes: /join?code=…
  // On a phone that already has an identity the code joins as that member (a phone that
  // started alone, or one revoked joining again); on a new phone it is the welcome screen's.
  { path: '/join', name: 'join', component: () => import('@/pages/JoinAgainPage.vue'), meta: { public: true } },
  { path: '/households', name: 'households', component: () => import('@/pages/HouseholdsPage.vue'), meta: { nav: true } },
  { path: '/households/new', name: 'household-new', component: () => import('@/pages/HouseholdEditPage.vue') },
  { path: '/households/:id', name: 'household', component: () => import('@/pages/HouseholdFilePage.vue'), props: true },
  { path: '/households/:id/edit', name: 'household-edit', component: () => import('@/pages/HouseholdEditPage.vue'), props: true },
  { path: '/households/:id/visits/:visitId', name: 'visit-edit', component: () => import('@/pages/VisitEditPage.vue'), props: true },
  { path: '/households/:id/visit', name: 'visit-new', component: () => import('@/pages/VisitLogPage.vue'), props: true },
  { path: '/households/:id/requests/new', name: 'request-new', component: () => import('@/pages/RequestNewPage.vue'), props: true },
  { path: '/households/:id/requests/:requestId', name: 'request', component: () => import('@/pages/RequestPage.vue'), props: true },
  { path: '/requests', name: 'requests', component: () => import('@/pages/RequestsPage.vue'), meta: { nav: true } },
  { path: '/settings', name: 'settings', component: () => import('@/pages/SettingsPage.vue'), meta: { nav: true } },
  { path: '/settings/lock', name: 'settings-lock', component: () => import('@/pages/LockSettingsPage.vue') },
  ...leadRoutes,
  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('@/pages/NotFoundPage.vue'), meta: { public: true } },
];

export function createAppRouter() {
  const router = createRouter({
    history: createWebHistory(),
    routes,
    scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
  });
  // First run: nothing but the welcome screen until the device has an identity.
  router.beforeEach((to) => {
    const identity = useIdentityStore();
    if (!identity.identity && (!to.meta.public || to.name === 'join')) return { name: 'welcome', query: to.name === 'welcome' || to.name === 'join' ? to.query : {} };
    if (identity.identity && to.name === 'welcome') return { name: 'households' };
    // Too many wrong PINs: joining again with the lead's code is the only way in (ADR 0029).
    if (useLockStore().rejoining && to.name !== 'join') return { name: 'join' };
    return true;
  });
  // A page that is not precached (the lead workspace before its first use, joining again)
  // cannot load offline: say so instead of a tap that does nothing.
  router.onError((err: unknown) => {
    if (!isChunkLoadFailure(err)) return;
    void useDialogStore().ask({ titleKey: 'errors.pageOfflineTitle', messageKey: 'errors.pageOffline', choices: [{ value: 'ok', labelKey: 'common.back', kind: 'primary' }], cancelValue: 'ok' });
  });
  return router;
}

/** A page's chunk that could not be fetched (Chromium, Firefox and Safari word it differently). */
function isChunkLoadFailure(err: unknown): boolean {
  return err instanceof TypeError && /dynamically imported module|Importing a module script failed|error loading dynamically imported module/i.test(err.message);
}
