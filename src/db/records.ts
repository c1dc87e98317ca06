import type { ComplaintRow, RatingRow, VisitRow } from '@/domain/projection';
import type { HouseholdRecords } from './database';

/** Rows packed per household (the `records` table), as flat lists: what pages and figures read. */
export interface UnpackedRecords {
  visits: VisitRow[];
  ratings: RatingRow[];
  complaints: ComplaintRow[];
}

export function unpackRecords(packed: readonly HouseholdRecords[]): UnpackedRecords {
  const out: UnpackedRecords = { visits: [], ratings: [], complaints: [] };
  for (const p of packed) {
    for (const v of p.visits) out.visits.push(v);
    for (const r of p.ratings) out.ratings.push(r);
    for (const c of p.complaints) out.complaints.push(c);
  }
  return out;
}
