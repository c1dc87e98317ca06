import type { RouteLocationNormalized, RouteRecordRaw } from 'vue-router';
import { localRecords } from '@/db/instance';
import { loadLeadMessages, prefetchLeadMessages } from '@/i18n';
import { useIdentityStore } from '@/stores/identity';
import { useLockStore } from '@/stores/lock';
import { useTeamStore } from '@/stores/team';

declare module 'vue-router' {
  interface RouteMeta {
    /** only devices whose member is a lead (支部书记 / 班组长) may open it */
    lead?: boolean;
    /** which lead section the page belongs to (highlighted in the lead navigation) */
    leadSection?: string;
  }
}

/** Whether this device works for a lead: the team doc's role wins over the invite's. */
export function deviceIsLead(): boolean {
  const identity = useIdentityStore();
  const me = useTeamStore().snapshot?.members.find((m) => m.id === identity.memberId);
  return (me?.role ?? identity.identity?.role) === 'lead';
}

/**
 * Members who open a lead link (an old bookmark, a shared URL) land on their households.
 * A lead's page shows once the workspace's messages are loaded.
 */
async function leadOnly(to: RouteLocationNormalized) {
  if (!to.meta.lead) return true;
  if (!deviceIsLead()) return { name: 'households' };
  // A lead's phone opens the team's whole picture: it stays shut until it has a PIN (ADR 0029).
  if (!useLockStore().enabled) return { name: 'settings-lock', query: { required: 'lead', then: to.fullPath } };
  // The figures worker starts reading the team's rows while the page's code loads.
  void import('@/workers/lead-figures-client').then((m) => m.warmLeadFigures(localRecords().db.name, to.path));
  await loadLeadMessages();
  return true;
}

const meta = (leadSection: string) => ({ lead: true, nav: true, leadSection });

/** The team lead's workspace, under /lead. Every page is its own chunk. */
export const leadRoutes: RouteRecordRaw[] = [
  { path: '/lead', name: 'lead', component: () => import('@/pages/lead/LeadOverviewPage.vue'), meta: meta('overview'), beforeEnter: leadOnly },
  { path: '/lead/team', name: 'lead-team', component: () => import('@/pages/lead/LeadTeamPage.vue'), meta: meta('team'), beforeEnter: leadOnly },
  { path: '/lead/assign', name: 'lead-assign', component: () => import('@/pages/lead/LeadAssignPage.vue'), meta: meta('assign'), beforeEnter: leadOnly },
  { path: '/lead/review', name: 'lead-review', component: () => import('@/pages/lead/LeadReviewPage.vue'), meta: meta('review'), beforeEnter: leadOnly },
  { path: '/lead/requests', name: 'lead-requests', component: () => import('@/pages/lead/LeadRequestsPage.vue'), meta: meta('requests'), beforeEnter: leadOnly },
  { path: '/lead/duplicates', name: 'lead-duplicates', component: () => import('@/pages/lead/LeadDuplicatesPage.vue'), meta: meta('duplicates'), beforeEnter: leadOnly },
  {
    path: '/lead/duplicates/:a/:b',
    name: 'lead-duplicate',
    component: () => import('@/pages/lead/LeadDuplicateComparePage.vue'),
    props: true,
    meta: meta('duplicates'),
    beforeEnter: leadOnly,
  },
  { path: '/lead/assessment', name: 'lead-assessment', component: () => import('@/pages/lead/LeadAssessmentPage.vue'), meta: meta('assessment'), beforeEnter: leadOnly },
  {
    path: '/lead/summary/:kind(half|year)',
    name: 'lead-summary',
    component: () => import('@/pages/lead/LeadSummaryPage.vue'),
    props: true,
    meta: meta('summary'),
    beforeEnter: leadOnly,
  },
  { path: '/lead/export', name: 'lead-export', component: () => import('@/pages/lead/LeadExportPage.vue'), meta: meta('export'), beforeEnter: leadOnly },
];

/**
 * The lead workspace is not in the precached app shell (a member's phone never opens it);
 * the service worker caches its chunks on first use. A lead's device fetches them all while
 * it is online, so every lead page works offline afterwards.
 */
export async function prefetchLeadWorkspace(): Promise<void> {
  // Not while the first screen is being built: loading every lead page costs a slow phone
  // seconds of main thread, and the page being opened needs it more.
  await new Promise<void>((resolve) => (window.requestIdleCallback ? window.requestIdleCallback(() => resolve(), { timeout: 5000 }) : setTimeout(resolve, 2000)));
  await loadLeadMessages();
  void prefetchLeadMessages();
  const loaders = leadRoutes.map((r) => r.component).filter((c): c is () => Promise<unknown> => typeof c === 'function');
  await Promise.allSettled([...loaders.map((load) => load()), import('@/workers/export-client').then((m) => m.prefetchExportWorker())]);
}
