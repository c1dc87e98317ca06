import type { LianhuDb } from '@/db/database';
import { unpackRecords } from '@/db/records';
import type { RatingRow, VisitRow } from '@/domain/projection';

/**
 * Visit and rating rows as the lists see them: unpacked from the `records` table (one
 * record per household), sorted by id. `householdId` limits them to one household's list.
 */
export async function visitRows(db: LianhuDb, householdId?: string): Promise<VisitRow[]> {
  const all = unpackRecords(await db.records.toArray()).visits;
  return all.filter((v) => householdId === undefined || v.householdId === householdId).sort((a, b) => (a.id < b.id ? -1 : 1));
}

export async function visitIds(db: LianhuDb, householdId?: string): Promise<string[]> {
  return (await visitRows(db, householdId)).map((v) => v.id);
}

export async function visitRow(db: LianhuDb, id: string): Promise<VisitRow | undefined> {
  return (await visitRows(db)).find((v) => v.id === id);
}

export async function visitCount(db: LianhuDb): Promise<number> {
  return (await visitRows(db)).length;
}

export async function ratingsOf(db: LianhuDb, subjectId: string): Promise<RatingRow[]> {
  return unpackRecords(await db.records.toArray()).ratings.filter((r) => r.subjectId === subjectId);
}
