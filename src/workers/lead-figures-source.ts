import type { HouseholdRecords } from '@/db/database';
import { unpackRecords } from '@/db/records';
import { withDayMemo } from '@/domain/local-day';
import { leadFigures, leadOverview, type FiguresQuery, type LeadFigures, type LeadOverview, type LeadRows } from '@/domain/lead-figures';
import type { HouseholdRow, RequestRow } from '@/domain/projection';
import { periodContaining, previousPeriod } from '@/domain/assessment';
import type { TeamMember } from '@/domain/team';
import { readStores } from './read-stores';

/** The Dexie tables the figures are computed from (visits, ratings and complaints are packed in `records`). */
export const FIGURE_TABLES = ['households', 'records', 'requests'] as const;
export type FigureTable = (typeof FIGURE_TABLES)[number];

type Reader = (tables: FigureTable[]) => Promise<Partial<Record<FigureTable, unknown[]>>>;

/** Answers kept per query; a lead flips between a handful of periods and members. */
const CACHE_LIMIT = 24;
/** Instants whose day is remembered (a team of 2,000 households has ~35,000). */
const DAY_MEMO_LIMIT = 200_000;

/** What a lead page on its way will likely ask: the overview for `today`, these figures. */
export interface WarmHint {
  today: string;
  queries: FiguresQuery[];
}

/** What a lead page at `path` asks first (the pages' default periods, the whole team). */
export function expectedQueries(path: string, today: string, members: TeamMember[]): FiguresQuery[] {
  if (path === '/lead/assessment') return [{ period: periodContaining('half', today), today, members }];
  const summary = /^\/lead\/summary\/(half|year)$/.exec(path)?.[1] as 'half' | 'year' | undefined;
  if (!summary) return [];
  const now = periodContaining(summary, today);
  return [now, previousPeriod(now)].map((period) => ({ period, today, members }));
}

/** A performance mark (the profile script reads the worker's): where the worker's time goes. */
function mark(name: string): void {
  performance.clearMarks(name);
  performance.mark(name);
}

/**
 * The lead's figures over the team's rows, held where they are computed (the worker): each
 * table is read once and again only after the page says it changed; answers are cached per
 * query (period, member, roster, today) until then, so going back to a period is instant.
 */
export class FiguresSource {
  private rows: LeadRows = { households: [], visits: [], requests: [], ratings: [], complaints: [] };
  private readonly dirty = new Set<FigureTable>(FIGURE_TABLES);
  private loading: Promise<void> | undefined;
  private readonly cache = new Map<string, LeadFigures>();
  private overviewCache: { today: string; value: LeadOverview } | undefined;
  /** instant → local day, kept between questions (each period asked converts the same instants) */
  private days = new Map<string, string>();
  private zone = '';

  constructor(private readonly read: Reader) {}

  /** Tables the app wrote to: read them again before the next answer. */
  changed(tables: readonly string[]): void {
    for (const t of tables) if ((FIGURE_TABLES as readonly string[]).includes(t)) this.dirty.add(t as FigureTable);
    this.cache.clear();
    this.overviewCache = undefined;
  }

  /**
   * Read the tables now, ahead of the first question (a lead page is about to ask), and
   * answer the questions it will likely ask (`hint`) into the cache: on a cold page the
   * worker has read the rows before the page has started, and would otherwise wait idle
   * for the question. An answer is computed from the same rows either way.
   */
  async warm(hint?: WarmHint): Promise<void> {
    await this.current();
    if (!hint) return;
    await this.overview(hint.today);
    for (const q of hint.queries) await this.figures(q);
  }

  async figures(q: FiguresQuery): Promise<LeadFigures> {
    await this.current();
    const key = JSON.stringify([q.period, q.today, q.memberId ?? '', q.members]);
    let hit = this.cache.get(key);
    if (!hit) {
      mark('lianhu:figures:compute-start');
      const rows = this.rows;
      hit = withDayMemo(this.dayMemo(), () => leadFigures(rows, q));
      mark('lianhu:figures:compute-end');
      if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(key, hit);
    }
    return hit;
  }

  async overview(today: string): Promise<LeadOverview> {
    await this.current();
    if (this.overviewCache?.today !== today) {
      const rows = this.rows;
      this.overviewCache = { today, value: withDayMemo(this.dayMemo(), () => leadOverview(rows, today)) };
    }
    return this.overviewCache.value;
  }

  /** The day memo, dropped when the time zone changed (a day depends on it) or it grew past its bound. */
  private dayMemo(): Map<string, string> {
    const zone = `${Intl.DateTimeFormat().resolvedOptions().timeZone} ${new Date().getTimezoneOffset()}`;
    if (zone !== this.zone || this.days.size > DAY_MEMO_LIMIT) {
      this.zone = zone;
      this.days = new Map();
    }
    return this.days;
  }

  /** Read what changed since the last read (a change during a read is read again). */
  private async current(): Promise<void> {
    while (this.loading || this.dirty.size > 0) {
      if (!this.loading) {
        const tables = [...this.dirty];
        this.dirty.clear();
        mark('lianhu:figures:read-start');
        this.loading = this.read(tables)
          .then((got) => {
            mark('lianhu:figures:read-end');
            this.rows = { ...this.rows, ...asRows(got) };
          })
          .catch((err: unknown) => {
            for (const t of tables) this.dirty.add(t);
            throw err;
          })
          .finally(() => {
            this.loading = undefined;
          });
      }
      await this.loading;
    }
  }
}

/**
 * One source per database, reading its tables from IndexedDB: the worker keeps one of these,
 * and so does the page where there are no Web Workers (Node tests).
 */
export function figuresSources(): (dbName: string) => FiguresSource {
  const sources = new Map<string, FiguresSource>();
  return (dbName) => {
    let s = sources.get(dbName);
    if (!s) sources.set(dbName, (s = new FiguresSource((tables) => readStores(dbName, tables))));
    return s;
  };
}

/** The tables read, as the flat rows the figures take. */
function asRows(got: Partial<Record<FigureTable, unknown[]>>): Partial<LeadRows> {
  const rows: Partial<LeadRows> = {};
  if (got.households) rows.households = got.households as HouseholdRow[];
  if (got.requests) rows.requests = got.requests as RequestRow[];
  if (got.records) Object.assign(rows, unpackRecords(got.records as HouseholdRecords[]));
  return rows;
}
