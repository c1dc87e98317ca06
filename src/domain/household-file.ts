import type { Household } from './household';
import type { HouseholdRequest } from './request';
import type { Complaint, Rating } from './rating';
import type { Visit } from './visit';

/** A whole household file as plain data: what `src/docs` reads out of a household Y.Doc. */
export interface HouseholdFile {
  household: Household;
  visits: Visit[];
  requests: HouseholdRequest[];
  ratings: Rating[];
  complaints: Complaint[];
}

/** Whether anything in the file broke the stored layout (read with defaults and flagged, src/domain/doc-layout.ts). */
export function hasFlaggedRecords(f: HouseholdFile): boolean {
  const h = f.household;
  if (h.invalid?.length || h.invalidTags?.length || h.members.some((m) => m.invalid?.length)) return true;
  return [...f.visits, ...f.requests, ...f.ratings, ...f.complaints].some((r) => r.invalid?.length);
}
