/// <reference lib="webworker" />
import { runExport, type ExportJob, type ExportResult } from './export-job';
import { readExportSource } from './export-source';

/** Exports run here so a 20,000-row workbook never freezes the page. */

export interface ExportRequest {
  id: number;
  job: ExportJob;
}

export type ExportReply = { id: number; type: 'progress'; fraction: number } | { id: number; type: 'done'; result: ExportResult } | { id: number; type: 'error'; message: string };

const post = (reply: ExportReply, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(reply, transfer);

self.onmessage = async (e: MessageEvent<ExportRequest>) => {
  const { id, job } = e.data;
  let last = 0;
  try {
    const source = job.source ?? (job.dbName ? await readExportSource(job.dbName, job.datasets) : undefined);
    if (!source) throw new Error('an export needs rows or a database to read them from');
    const result = runExport({ ...job, source }, (fraction) => {
      // A message per percent is plenty for a progress bar.
      if (fraction - last >= 0.01 || fraction === 1) {
        last = fraction;
        post({ id, type: 'progress', fraction });
      }
    });
    post({ id, type: 'done', result }, [result.bytes.buffer]);
  } catch (err) {
    post({ id, type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
};
