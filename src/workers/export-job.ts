import { strToU8, zipSync } from 'fflate';
import { tableToCsv, UTF8_BOM } from '@/domain/csv';
import { buildExportTable, buildReadmeTable, readmeText, type ExportDataset, type ExportLabels, type ExportSource, type ExportTable } from '@/domain/export-table';
import { buildXlsx } from './xlsx';

/**
 * One export: shape the chosen datasets into tables and write them as an XLSX workbook
 * (a sheet each, and a README sheet saying what each column holds) or CSV (one file, or a
 * zip of files and a README for several datasets). Runs in the export worker; pure apart
 * from the CPU it takes, so tests call it directly.
 */

/** The README's name in a CSV zip: ASCII, so no unzip tool can garble it. */
export const README_FILE = 'README.txt';

// Entries marked as made on Unix (os 3) with plain file permissions: Info-ZIP's unzip reads
// the names of entries marked MS-DOS (fflate's default) as code page 437 and garbles Chinese
// names despite the UTF-8 flag; Windows, macOS and Python read the UTF-8 flag either way.
const ZIP_ENTRY = { os: 3, attrs: 0o100644 << 16 } as const;

export type ExportFormat = 'xlsx' | 'csv';

export interface ExportJob {
  format: ExportFormat;
  datasets: ExportDataset[];
  /** the rows; the worker reads them from IndexedDB (`dbName`) when they are not given */
  source?: ExportSource;
  dbName?: string;
  labels: ExportLabels;
  /** file name without extension, e.g. 联户走访-2026-11-22 */
  baseName: string;
}

export interface ExportResult {
  fileName: string;
  mime: string;
  bytes: Uint8Array;
  /** rows written per dataset */
  rows: Partial<Record<ExportDataset, number>>;
}

export const MIME = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv;charset=utf-8',
  zip: 'application/zip',
} as const;

/** Progress 0–1: shaping the rows is the first half of the work, writing the file the second. */
export function runExport(job: ExportJob & { source: ExportSource }, onProgress: (fraction: number) => void = () => {}): ExportResult {
  const sizes = job.datasets.map((d) => job.source[d].length);
  const total = Math.max(1, sizes.reduce((a, b) => a + b, 0) * 2);
  let before = 0;
  const tables: ExportTable[] = job.datasets.map((d, i) => {
    const table = buildExportTable(d, job.source, job.labels, (done) => onProgress((before + done) / total));
    before += sizes[i]!;
    return table;
  });
  const rows = Object.fromEntries(tables.map((t) => [t.dataset, t.rows.length]));
  const written = (upTo: number, done: number) => before + tables.slice(0, upTo).reduce((a, t) => a + t.rows.length, 0) + done;
  if (job.format === 'xlsx') {
    const bytes = buildXlsx([...tables, buildReadmeTable(job.datasets, job.labels)], (i, done) => onProgress(Math.min(1, written(i, done) / total)));
    onProgress(1);
    return { fileName: `${job.baseName}.xlsx`, mime: MIME.xlsx, bytes, rows };
  }
  const csvs = tables.map((t, i) => {
    const text = tableToCsv(t);
    onProgress(written(i + 1, 0) / total);
    return { name: `${job.baseName}-${t.title}.csv`, bytes: strToU8(text) };
  });
  onProgress(1);
  if (csvs.length === 1) return { fileName: csvs[0]!.name, mime: MIME.csv, bytes: csvs[0]!.bytes, rows };
  const entries = [...csvs, { name: README_FILE, bytes: strToU8(UTF8_BOM + readmeText(job.datasets, job.labels)) }];
  return { fileName: `${job.baseName}-csv.zip`, mime: MIME.zip, bytes: zipSync(Object.fromEntries(entries.map((c) => [c.name, [c.bytes, ZIP_ENTRY]]))), rows };
}
