import { toLocalDate } from '@/domain/dates';
import type { FiguresQuery, LeadFigures, LeadOverview } from '@/domain/lead-figures';
import { rememberedRoster } from '@/stores/remembered-roster';
import { expectedQueries, figuresSources, type WarmHint } from './lead-figures-source';
import type { FiguresReply, FiguresRequest } from './lead-figures.worker';
import { takeStartedWorker } from './figures-worker-start';
// `lead-` keeps the worker out of the precached shell like the rest of the lead workspace
// (cached on first use, like the export worker).
import workerUrl from './lead-figures.worker.ts?worker&url';

/** The lead figures failed to compute (the page says `lead.errors.figures`). */
export class FiguresError extends Error {
  readonly code = 'figures_failed';
  readonly messageKey = 'lead.errors.figures';
}

export interface FiguresBackend {
  figures(dbName: string, query: FiguresQuery): Promise<LeadFigures>;
  overview(dbName: string, today: string): Promise<LeadOverview>;
  changed(dbName: string, tables: string[]): void;
  /** Start the worker and its reads now: a lead page is on its way (and will likely ask `hint`). */
  warm(dbName: string, hint?: WarmHint): void;
}

/** Where Web Workers exist (browsers): one worker for every lead page. */
function workerBackend(): FiguresBackend {
  let worker: Worker | undefined;
  let nextId = 1;
  const waiting = new Map<number, { resolve: (v: never) => void; reject: (e: Error) => void }>();
  const get = () => {
    if (!worker) {
      // Started by main.ts for a lead page opened cold, reading the rows already; or now.
      worker = takeStartedWorker() ?? new Worker(workerUrl, { type: 'module' });
      worker.onmessage = (e: MessageEvent<FiguresReply>) => {
        const w = waiting.get(e.data.id);
        if (!w) return;
        waiting.delete(e.data.id);
        if (e.data.type === 'error') w.reject(new FiguresError(e.data.message));
        else w.resolve(e.data.value as never);
      };
      worker.onerror = (e) => {
        for (const w of waiting.values()) w.reject(new FiguresError(e.message));
        waiting.clear();
        worker?.terminate();
        worker = undefined;
      };
    }
    return worker;
  };
  const ask = <T>(request: FiguresRequest & { id: number }) =>
    new Promise<T>((resolve, reject) => {
      waiting.set(request.id, { resolve: resolve as (v: never) => void, reject });
      get().postMessage(request);
    });
  return {
    figures: (dbName, query) => ask({ type: 'figures', id: nextId++, dbName, query }),
    overview: (dbName, today) => ask({ type: 'overview', id: nextId++, dbName, today }),
    changed: (dbName, tables) => {
      // Nothing to tell a worker that has not started: it reads everything when it does.
      if (worker) worker.postMessage({ type: 'changed', dbName, tables } satisfies FiguresRequest);
    },
    warm: (dbName, hint) => get().postMessage({ type: 'warm', dbName, hint } satisfies FiguresRequest),
  };
}

/** Without Web Workers (Node tests): the same source, on this thread. */
function inlineBackend(): FiguresBackend {
  const source = figuresSources();
  return {
    figures: (dbName, query) => source(dbName).figures(query),
    overview: (dbName, today) => source(dbName).overview(today),
    changed: (dbName, tables) => source(dbName).changed(tables),
    warm: (dbName, hint) => void source(dbName).warm(hint).catch(() => undefined),
  };
}

let backend: FiguresBackend | undefined;

export function figuresBackend(): FiguresBackend {
  backend ??= typeof Worker === 'undefined' ? inlineBackend() : workerBackend();
  return backend;
}

/** Forget cached rows and answers (tests give each case a fresh database). */
export function resetFiguresBackend(): void {
  backend = undefined;
}

/** Warm the figures for the app's database (called on the way into a lead page, `path`). */
export function warmLeadFigures(dbName: string, path = typeof location === 'undefined' ? '' : location.pathname): void {
  const today = toLocalDate(new Date());
  const members = rememberedRoster(dbName);
  figuresBackend().warm(dbName, { today, queries: members ? expectedQueries(path, today, members) : [] });
}
