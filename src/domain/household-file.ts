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
