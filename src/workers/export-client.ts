import type { ExportJob, ExportResult } from './export-job';
import type { ExportReply, ExportRequest } from './lead-export.worker';
// The worker's built URL: `lead-` keeps it out of the precached shell like the rest of the
// lead workspace; lead devices prefetch it (prefetchExportWorker).
import workerUrl from './lead-export.worker.ts?worker&url';

/** Why an export failed, for the UI (`lead.export.failed`). */
export class ExportError extends Error {
  readonly code = 'export_failed';
  readonly messageKey = 'lead.export.failed';
}

let worker: Worker | undefined;
let nextId = 1;
const waiting = new Map<number, { resolve: (r: ExportResult) => void; reject: (e: Error) => void; onProgress: (f: number) => void }>();

function getWorker(): Worker {
  if (!worker) {
    worker = new Worker(workerUrl, { type: 'module' });
    worker.onmessage = (e: MessageEvent<ExportReply>) => {
      const job = waiting.get(e.data.id);
      if (!job) return;
      if (e.data.type === 'progress') return job.onProgress(e.data.fraction);
      waiting.delete(e.data.id);
      if (e.data.type === 'done') job.resolve(e.data.result);
      else job.reject(new ExportError(e.data.message));
    };
    worker.onerror = (e) => {
      for (const job of waiting.values()) job.reject(new ExportError(e.message));
      waiting.clear();
      worker?.terminate();
      worker = undefined;
    };
  }
  return worker;
}

/** Build an export off the main thread; `onProgress` gets 0–1 as it goes. */
export function exportInWorker(job: ExportJob, onProgress: (fraction: number) => void): Promise<ExportResult> {
  return new Promise((resolve, reject) => {
    const id = nextId++;
    waiting.set(id, { resolve, reject, onProgress });
    const request: ExportRequest = { id, job };
    getWorker().postMessage(request);
  });
}

/** Fetch the worker once so the service worker caches it for offline exports. */
export async function prefetchExportWorker(): Promise<void> {
  await fetch(workerUrl);
}
