import type { ExportDataset, ExportSource } from '@/domain/export-table';
import { readStores } from './read-stores';

/** The rows an export needs, read by the worker straight from the app's IndexedDB. */
export async function readExportSource(dbName: string, datasets: readonly ExportDataset[]): Promise<ExportSource> {
  // Visits, requests and ratings are listed under their household: households are always read.
  const stores = [...new Set<ExportDataset>(['households', ...datasets])];
  const read = (await readStores(dbName, stores)) as Partial<ExportSource>;
  return { households: read.households ?? [], visits: read.visits ?? [], requests: read.requests ?? [], ratings: read.ratings ?? [] };
}
