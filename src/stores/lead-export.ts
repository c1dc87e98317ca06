import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import { localRecords } from '@/db/instance';
import type { ExportDataset, ExportLabels } from '@/domain/export-table';
import { toLocalDate } from '@/domain/dates';
import { exportInWorker } from '@/workers/export-client';
import type { ExportFormat } from '@/workers/export-job';

export interface ExportOutcome {
  fileName: string;
  url: string;
  size: number;
  rows: Partial<Record<ExportDataset, number>>;
}

/**
 * Exports of the team's records to XLSX or CSV. The work — reading the rows, shaping,
 * writing, zipping — runs in a Web Worker (20,000 visits take a few seconds): the page
 * keeps answering and shows the progress.
 */
export const useLeadExportStore = defineStore('lead-export', () => {
  const running = ref(false);
  const progress = ref(0);
  const outcome = shallowRef<ExportOutcome>();

  /** Build the file and offer it for download; resolves with what was written. */
  async function run(format: ExportFormat, datasets: ExportDataset[], labels: ExportLabels, baseName: string): Promise<ExportOutcome> {
    if (running.value) throw new Error('an export is already running');
    running.value = true;
    progress.value = 0;
    if (outcome.value) URL.revokeObjectURL(outcome.value.url);
    outcome.value = undefined;
    try {
      // The worker reads the rows from IndexedDB itself: nothing large crosses from the page.
      const result = await exportInWorker({ format, datasets, dbName: localRecords().db.name, labels, baseName }, (f) => (progress.value = f));
      const blob = new Blob([result.bytes as Uint8Array<ArrayBuffer>], { type: result.mime });
      outcome.value = { fileName: result.fileName, url: URL.createObjectURL(blob), size: blob.size, rows: result.rows };
      progress.value = 1;
      return outcome.value;
    } finally {
      running.value = false;
    }
  }

  return { running, progress, outcome, run };
});

/** A file name that sorts by date: 联户走访-2026-11-22. */
export function exportBaseName(prefix: string, now = new Date()): string {
  return `${prefix}-${toLocalDate(now)}`;
}
