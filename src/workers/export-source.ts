import type { HouseholdRecords } from '@/db/database';
import { unpackRecords } from '@/db/records';
import type { ExportDataset, ExportSource } from '@/domain/export-table';
import type { HouseholdRow, RequestRow } from '@/domain/projection';
import { readStores } from './read-stores';

/** The rows an export needs, read by the worker straight from the app's IndexedDB. */
export async function readExportSource(dbName: string, datasets: readonly ExportDataset[]): Promise<ExportSource> {
  // Visits, requests and ratings are listed under their household: households are always read.
  // Visits and ratings are packed per household in the `records` table.
  const stores = new Set<'households' | 'records' | 'requests'>(['households']);
  if (datasets.includes('visits') || datasets.includes('ratings')) stores.add('records');
  if (datasets.includes('requests')) stores.add('requests');
  const read = await readStores(dbName, [...stores]);
  const packed = unpackRecords((read.records ?? []) as HouseholdRecords[]);
  return {
    households: (read.households ?? []) as HouseholdRow[],
    visits: datasets.includes('visits') ? packed.visits : [],
    requests: (read.requests ?? []) as RequestRow[],
    ratings: datasets.includes('ratings') ? packed.ratings : [],
  };
}
