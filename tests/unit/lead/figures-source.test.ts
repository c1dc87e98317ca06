import { describe, expect, it } from 'vitest';
import { LianhuDb } from '@/db/database';
import { unpackRecords } from '@/db/records';
import { periodContaining, previousPeriod } from '@/domain/assessment';
import { leadFigures, leadOverview } from '@/domain/lead-figures';
import type { VisitRow } from '@/domain/projection';
import { FiguresSource, type FigureTable } from '@/workers/lead-figures-source';
import { expectedQueries } from '@/workers/lead-figures-source';
import { readStores } from '@/workers/read-stores';
import { complaint, household, rating, request, visit } from './rows';

const members = [
  { id: 'm1', name: '王芳', role: 'member' as const, joinedAt: '2025-01-01' },
  { id: 'm2', name: '李强', role: 'member' as const, joinedAt: '2025-01-01' },
];
const half = periodContaining('half', '2026-03-01');
const today = '2026-11-22';

async function seeded(name: string) {
  const db = new LianhuDb(name);
  await db.households.bulkPut([household('h1', { linkedMemberIds: ['m1'] }), household('h2', { linkedMemberIds: ['m2'] })]);
  await db.records.bulkPut([
    { id: 'h1', visits: [visit('v1', 'h1', '2026-02-03T09:00:00')], ratings: [rating('r1', 'h1', '2026-02-03T10:00:00', 'satisfied')], complaints: [] },
    { id: 'h2', visits: [visit('v2', 'h2', '2026-03-04T09:00:00', { visitorIds: ['m2'], reviewStatus: 'needs_correction' })], ratings: [], complaints: [complaint('c1', 'h2', '2026-03-05T10:00:00', { aboutMemberId: 'm2' })] },
  ]);
  await db.requests.bulkPut([request('q1', 'h1', '2026-02-03T09:00:00', { dueOn: '2026-03-01' })]);
  return db;
}

/** Add a visit to its household's packed record, as the projector would. */
async function putVisit(db: LianhuDb, v: VisitRow): Promise<void> {
  const rec = await db.records.get(v.householdId);
  await db.records.put({ id: v.householdId, ratings: [], complaints: [], ...rec, visits: [...(rec?.visits ?? []), v] });
}

/** A source over the real database that counts which tables it read. */
function counted(dbName: string) {
  const reads: FigureTable[][] = [];
  const source = new FiguresSource(async (tables) => {
    reads.push([...tables].sort());
    return readStores(dbName, tables);
  });
  return { source, reads };
}

describe('lead figures source (what the worker runs)', () => {
  it('answers from the tables it reads itself, the same as computing on all rows', async () => {
    const db = await seeded('figures-a');
    const { source } = counted(db.name);
    const rows = { households: await db.households.toArray(), requests: await db.requests.toArray(), ...unpackRecords(await db.records.toArray()) };
    const q = { period: half, today, members };
    expect(await source.figures(q)).toEqual(leadFigures(rows, q));
    expect(await source.figures({ ...q, memberId: 'm2' })).toEqual(leadFigures(rows, { ...q, memberId: 'm2' }));
    expect(await source.overview(today)).toEqual(leadOverview(rows, today));
    expect((await source.figures(q)).assessment.find((a) => a.memberId === 'm1')).toMatchObject({ linkedHouseholds: 1, visitedHouseholds: 1, visits: 1 });
    db.close();
  });

  it('reads each table once, and again only the tables the app says changed', async () => {
    const db = await seeded('figures-b');
    const { source, reads } = counted(db.name);
    const q = { period: half, today, members };
    const first = await source.figures(q);
    await source.figures({ ...q, period: periodContaining('month', '2026-02-10') });
    await source.overview(today);
    expect(reads).toEqual([['households', 'records', 'requests']]);
    // Same query again: the very same answer object (cached), no read.
    expect(await source.figures(q)).toBe(first);

    await putVisit(db, visit('v3', 'h1', '2026-04-01T09:00:00'));
    source.changed(['records', 'settings']);
    const after = await source.figures(q);
    expect(reads.at(-1)).toEqual(['records']);
    expect(after.figures.visits).toBe(first.figures.visits + 1);
    db.close();
  });

  it('warmed on the way into a lead page, answers the first question from what it read', async () => {
    const db = await seeded('figures-w');
    const { source, reads } = counted(db.name);
    await source.warm();
    expect(reads).toHaveLength(1);
    const q = { period: half, today, members };
    expect((await source.figures(q)).figures.visits).toBe(2);
    expect(reads).toHaveLength(1);
    db.close();
  });

  it('warmed with what the page will ask, has those answers ready, equal to computing them when asked', async () => {
    const db = await seeded('figures-h');
    const { source, reads } = counted(db.name);
    const q = { period: half, today, members };
    await source.warm({ today, queries: [q] });
    const rows = { households: await db.households.toArray(), requests: await db.requests.toArray(), ...unpackRecords(await db.records.toArray()) };
    // The page's question, sent as a plain copy: the very answer computed while warming.
    const copy = JSON.parse(JSON.stringify(q)) as typeof q;
    const answer = await source.figures(copy);
    expect(answer).toEqual(leadFigures(rows, q));
    expect(await source.figures(copy)).toBe(answer);
    expect(await source.overview(today)).toEqual(leadOverview(rows, today));
    expect(reads).toHaveLength(1);
    // A change drops the warmed answers: the next question is computed on the new rows.
    await putVisit(db, visit('v9', 'h1', '2026-05-01T09:00:00'));
    source.changed(['records']);
    expect((await source.figures(copy)).figures.visits).toBe(answer.figures.visits + 1);
    db.close();
  });

  it('expects the questions a lead page asks first: its default periods, the whole team', () => {
    const day = '2026-11-22';
    expect(expectedQueries('/lead/assessment', day, members)).toEqual([{ period: periodContaining('half', day), today: day, members }]);
    const year = periodContaining('year', day);
    expect(expectedQueries('/lead/summary/year', day, members).map((q) => q.period)).toEqual([year, previousPeriod(year)]);
    expect(expectedQueries('/lead/summary/half', day, members)).toHaveLength(2);
    expect(expectedQueries('/lead', day, members)).toEqual([]);
    expect(expectedQueries('/lead/review', day, members)).toEqual([]);
  });

  it('reads again a table that changed while it was being read', async () => {
    const db = await seeded('figures-c');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let read!: () => void;
    const firstRead = new Promise<void>((r) => (read = r));
    let calls = 0;
    const source = new FiguresSource(async (tables) => {
      calls++;
      const got = await readStores(db.name, tables);
      if (calls === 1) {
        read();
        await gate;
      }
      return got;
    });
    const q = { period: half, today, members };
    const answer = source.figures(q);
    // A visit lands after the first read took its snapshot, before it returned.
    await firstRead;
    await putVisit(db, visit('v9', 'h2', '2026-05-01T09:00:00', { visitorIds: ['m2'] }));
    source.changed(['records']);
    release();
    expect((await answer).figures.visits).toBe(3);
    expect(calls).toBe(2);
    db.close();
  });
});
