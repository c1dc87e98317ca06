import * as Y from 'yjs';
import { isHouseholdDoc, readHousehold } from '@/docs/household-doc';
import { docVersion } from '@/docs/ymap';
import { resolveLinks, type HouseholdAssignment, type RosterEntry } from '@/domain/assignment';
import { combineFiles } from '@/domain/merge';
import { projectHousehold, type ProjectionRows } from '@/domain/projection';

/**
 * Rows of a received household doc in no merge group, derived from its bytes alone: the
 * doc is built once, read, and dropped. Pure (no database, no DocStore), so it runs in a
 * worker (`derive-client.ts`) beside the main thread, which meanwhile writes the previous
 * piece; the projector uses it for exactly the docs `Projector.planGroup` would project
 * alone, and derives them the same way.
 */

/** What such a household's rows depend on besides its doc (from the team doc). */
export interface DeriveContext {
  /** the household's links and their history, when the lead has assigned it */
  assignment?: HouseholdAssignment;
  roster: ReadonlyMap<string, RosterEntry>;
  requestDueDays: number;
}

export interface DeriveJob {
  name: string;
  /** the doc's state, Yjs v2 */
  update: Uint8Array;
  ctx: DeriveContext;
}

/** `rows` is absent for a doc that holds no household yet (it gets a mark only). `ok: false`: the update did not apply. */
export type Derived = { name: string; ok: true; version: string; rows?: ProjectionRows } | { name: string; ok: false };

export function deriveReceived(job: DeriveJob): Derived {
  const doc = new Y.Doc({ guid: job.name });
  try {
    try {
      Y.applyUpdateV2(doc, job.update);
    } catch {
      return { name: job.name, ok: false };
    }
    const version = docVersion(doc);
    if (!isHouseholdDoc(doc)) return { name: job.name, ok: true, version };
    const file = readHousehold(doc);
    const links = resolveLinks(job.ctx.assignment, job.ctx.roster, file.household);
    const rows = projectHousehold(combineFiles(file, []), { docVersion: version, ...links, requestDueDays: job.ctx.requestDueDays });
    return { name: job.name, ok: true, version, rows };
  } finally {
    doc.destroy();
  }
}
