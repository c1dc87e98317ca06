import * as Y from 'yjs';
import type { DocUpdate, HouseholdRecords } from '@/db/database';
import { unpackRecords } from '@/db/records';
import { readHousehold } from '@/docs/household-doc';
import { parseDocName } from '@/docs/schema';
import type { ExportDataset, ExportSource, RequestTexts, VisitTexts } from '@/domain/export-table';
import type { HouseholdRow, RequestRow } from '@/domain/projection';
import { readStores } from './read-stores';

/** The rows an export needs, read by the worker straight from the app's IndexedDB. */
export async function readExportSource(dbName: string, datasets: readonly ExportDataset[]): Promise<ExportSource> {
  // Visits, requests and ratings are listed under their household: households are always read.
  // Visits and ratings are packed per household in the `records` table.
  const stores = new Set<'households' | 'records' | 'requests' | 'updates'>(['households']);
  if (datasets.includes('visits') || datasets.includes('ratings')) stores.add('records');
  if (datasets.includes('requests')) stores.add('requests');
  // The rows hold an 80-character summary; the full texts are in the household docs.
  const wantTexts = datasets.includes('visits') || datasets.includes('requests');
  if (wantTexts) stores.add('updates');
  const read = await readStores(dbName, [...stores]);
  const packed = unpackRecords((read.records ?? []) as HouseholdRecords[]);
  return {
    households: (read.households ?? []) as HouseholdRow[],
    visits: datasets.includes('visits') ? packed.visits : [],
    requests: (read.requests ?? []) as RequestRow[],
    ratings: datasets.includes('ratings') ? packed.ratings : [],
    texts: fullTexts((read.updates ?? []) as DocUpdate[]),
  };
}

/** Every visit's and request's full texts, from the household docs' stored updates. */
export function fullTexts(updates: readonly DocUpdate[]): ExportSource['texts'] {
  const byDoc = new Map<string, DocUpdate[]>();
  for (const u of updates) {
    if (parseDocName(u.doc)?.kind !== 'household') continue;
    (byDoc.get(u.doc) ?? byDoc.set(u.doc, []).get(u.doc)!).push(u);
  }
  const visits = new Map<string, VisitTexts>();
  const requests = new Map<string, RequestTexts>();
  for (const rows of byDoc.values()) {
    const doc = new Y.Doc();
    let file;
    try {
      for (const r of rows) (r.format === 2 ? Y.applyUpdateV2 : Y.applyUpdate)(doc, r.update);
      file = readHousehold(doc);
    } catch {
      // A doc that cannot be read leaves its records' text cells empty; its rows are still exported.
      doc.destroy();
      continue;
    }
    for (const v of file.visits) if (!v.deletedAt) visits.set(v.id, { said: v.said, notes: v.notes });
    for (const q of file.requests) {
      if (q.deletedAt) continue;
      requests.set(q.id, { description: q.description, explanation: q.explanation, actions: q.actions.map((a) => ({ at: a.at, by: a.by, kind: a.kind, text: a.text })) });
    }
    doc.destroy();
  }
  return { visits, requests };
}
