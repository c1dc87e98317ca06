import type { TeamMember } from '@/domain/team';
import { rememberedRoster } from '@/stores/remembered-roster';
// Only the worker's URL: this module is in the app's start-up script, the worker is not.
import workerUrl from './lead-figures.worker.ts?worker&url';

/** What a worker started for a cold lead page reads from its name. */
export interface StartRequest {
  type: 'start';
  dbName: string;
  path: string;
  /** the roster as last read (`remembered-roster.ts`): the worker answers the page's first questions with it */
  members?: TeamMember[];
}

let started: Worker | undefined;

/**
 * Start the lead figures' worker at the very start of a lead page opened cold (a reload, a
 * bookmark), before the lead workspace's code has loaded: it reads the team's rows and
 * computes the page's first answers on its own thread meanwhile. What to compute rides in
 * the worker's name — a message would wait for this page's main thread to hand it over,
 * busy for seconds on a cold start (a profile saw one arrive 3.6 s after the worker ran).
 * The figures client adopts this worker (`takeStartedWorker`).
 */
export function startLeadFiguresWorker(dbName: string, path: string): void {
  if (started || typeof Worker === 'undefined') return;
  const request: StartRequest = { type: 'start', dbName, path, members: rememberedRoster(dbName) };
  started = new Worker(workerUrl, { type: 'module', name: JSON.stringify(request) });
}

/** The worker started ahead, once (the figures client keeps it from then on). */
export function takeStartedWorker(): Worker | undefined {
  const w = started;
  started = undefined;
  return w;
}
