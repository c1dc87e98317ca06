import { deriveReceived, type DeriveJob, type Derived } from './derive-received';
import type { DeriveReply, DeriveRequest } from './derive.worker';

/**
 * Derive received docs' rows in a worker when the platform has workers (browsers), else on
 * this thread (Node, tests): the same function either way. A first sync's pieces are
 * derived there while the main thread writes the previous piece to IndexedDB; profiled, the
 * Yjs apply and the row derivation were half of the main thread's work in a first sync.
 * A worker that cannot start or breaks is given up for this session and the work is done here.
 */

let worker: Worker | undefined;
let broken = typeof Worker === 'undefined';
let nextId = 1;
const waiting = new Map<number, { jobs: DeriveJob[]; resolve: (r: Derived[]) => void; reject: (e: Error) => void }>();

function giveUp(): void {
  broken = true;
  worker?.terminate();
  worker = undefined;
  // Jobs in flight are done here instead.
  for (const [id, w] of waiting) {
    waiting.delete(id);
    try {
      w.resolve(w.jobs.map(deriveReceived));
    } catch (err) {
      w.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }
}

function getWorker(): Worker | undefined {
  if (broken) return undefined;
  if (!worker) {
    try {
      worker = new Worker(new URL('./derive.worker.ts', import.meta.url), { type: 'module' });
    } catch {
      broken = true;
      return undefined;
    }
    worker.onmessage = (e: MessageEvent<DeriveReply>) => {
      const job = waiting.get(e.data.id);
      waiting.delete(e.data.id);
      if (!job) return;
      if (e.data.ok) job.resolve(e.data.results);
      else job.reject(new Error(e.data.error));
    };
    worker.onerror = (e) => {
      e.preventDefault();
      giveUp();
    };
    worker.onmessageerror = () => giveUp();
  }
  return worker;
}

export function deriveAll(jobs: DeriveJob[]): Promise<Derived[]> {
  if (jobs.length === 0) return Promise.resolve([]);
  const w = getWorker();
  if (!w) return Promise.resolve().then(() => jobs.map(deriveReceived));
  return new Promise((resolve, reject) => {
    const id = nextId++;
    waiting.set(id, { jobs, resolve, reject });
    w.postMessage({ id, jobs } satisfies DeriveRequest);
  });
}
