import { ratedAt } from './event-time';
import { localDay, localTime } from './local-day';
import type { HouseholdRow, RatingRow, RequestRow, VisitRow } from './projection';

/**
 * Exports of the team's records as tables (XLSX sheets, CSV files). The shaping is pure
 * and runs in the export worker, so every label it needs arrives as plain data: column
 * headers and the names of keys (categories, statuses, tags, members) in the user's
 * language.
 */

export const EXPORT_DATASETS = ['households', 'visits', 'requests', 'ratings'] as const;
export type ExportDataset = (typeof EXPORT_DATASETS)[number];

export type Cell = string | number | null;

export interface ExportColumn {
  key: string;
  header: string;
  /** `date`: a YYYY-MM-DD string that spreadsheets should treat as a date */
  type: 'text' | 'number' | 'date';
  /** column width in characters (XLSX) */
  width: number;
}

export interface ExportTable {
  dataset: ExportDataset;
  title: string;
  columns: ExportColumn[];
  rows: Cell[][];
}

/** Display names the tables use, in the user's language. Plain data: it crosses to a worker. */
export interface ExportLabels {
  titles: Record<ExportDataset, string>;
  /** dataset → column key → header */
  headers: Record<ExportDataset, Record<string, string>>;
  /** e.g. `category` → `medical` → 就医; unknown keys are shown as they are */
  values: Record<string, Record<string, string>>;
  members: Record<string, string>;
  /** joins several names or tags in one cell */
  separator: string;
}

export interface ExportSource {
  households: HouseholdRow[];
  visits: VisitRow[];
  requests: RequestRow[];
  ratings: RatingRow[];
}

type ColumnSpec<R> = [key: string, type: ExportColumn['type'], width: number, value: (row: R, ctx: Ctx) => Cell];

interface Ctx {
  labels: ExportLabels;
  households: Map<string, HouseholdRow>;
}

const value = (ctx: Ctx, kind: string, key: string | undefined) => (key ? (ctx.labels.values[kind]?.[key] ?? key) : '');
const names = (ctx: Ctx, ids: readonly string[]) => ids.map((id) => ctx.labels.members[id] ?? id).join(ctx.labels.separator);
/** Local calendar date of an instant (a date stays as it is). */
const date = (instant: string | undefined) => (instant ? localDay(instant) : null);
/** Local date and minutes of an instant, as people read it in a cell: 2026-05-03 14:20. */
const dateTime = (instant: string | undefined) => (instant ? `${localDay(instant)} ${localTime(instant)}` : null);
const hhName = (ctx: Ctx, id: string) => ctx.households.get(id)?.headName ?? '';
const hhArea = (ctx: Ctx, id: string) => ctx.households.get(id)?.area ?? '';

const HOUSEHOLD_COLUMNS: ColumnSpec<HouseholdRow>[] = [
  ['headName', 'text', 10, (r) => r.headName],
  ['phone', 'text', 14, (r) => r.phone],
  ['area', 'text', 12, (r) => r.area],
  ['address', 'text', 30, (r) => r.address],
  ['tags', 'text', 18, (r, c) => r.tags.map((t) => value(c, 'tag', t)).join(c.labels.separator)],
  ['linkedMembers', 'text', 14, (r, c) => names(c, r.linkedMemberIds)],
  ['memberCount', 'number', 8, (r) => r.memberCount],
  ['visitCount', 'number', 8, (r) => r.visitCount],
  ['lastVisitOn', 'date', 12, (r) => date(r.lastVisitAt)],
  ['nextDueOn', 'date', 12, (r) => r.nextDueOn],
  ['openRequests', 'number', 8, (r) => r.openRequestCount],
  ['createdOn', 'date', 12, (r) => date(r.createdAt)],
  ['id', 'text', 38, (r) => r.id],
];

const VISIT_COLUMNS: ColumnSpec<VisitRow>[] = [
  ['visitedAt', 'text', 17, (r) => dateTime(r.visitedAt)],
  ['household', 'text', 10, (r, c) => hhName(c, r.householdId)],
  ['area', 'text', 12, (r, c) => hhArea(c, r.householdId)],
  ['kind', 'text', 10, (r, c) => value(c, 'visitKind', r.kind)],
  ['visitors', 'text', 14, (r, c) => names(c, r.visitorIds)],
  ['concerns', 'text', 14, (r, c) => r.concerns.map((a) => value(c, 'aspect', a)).join(c.labels.separator)],
  ['summary', 'text', 40, (r) => r.summary],
  ['photos', 'number', 6, (r) => r.photoCount],
  ['nextVisitOn', 'date', 12, (r) => r.nextVisitOn ?? null],
  ['review', 'text', 10, (r, c) => value(c, 'review', r.reviewStatus)],
  ['householdId', 'text', 38, (r) => r.householdId],
  ['id', 'text', 38, (r) => r.id],
];

const REQUEST_COLUMNS: ColumnSpec<RequestRow>[] = [
  ['createdOn', 'date', 12, (r) => date(r.createdAt)],
  ['household', 'text', 10, (r, c) => hhName(c, r.householdId)],
  ['area', 'text', 12, (r, c) => hhArea(c, r.householdId)],
  ['category', 'text', 10, (r, c) => value(c, 'category', r.category)],
  ['summary', 'text', 40, (r) => r.summary],
  ['status', 'text', 8, (r, c) => value(c, 'status', r.status)],
  ['owner', 'text', 10, (r, c) => names(c, [r.ownerId])],
  ['dueOn', 'date', 12, (r) => r.dueOn],
  ['escalated', 'text', 6, (r, c) => (r.escalated ? value(c, 'yesNo', 'yes') : '')],
  ['closedOn', 'date', 12, (r) => date(r.closedAt)],
  ['actions', 'number', 6, (r) => r.actionCount],
  ['householdId', 'text', 38, (r) => r.householdId],
  ['id', 'text', 38, (r) => r.id],
];

const RATING_COLUMNS: ColumnSpec<RatingRow>[] = [
  ['recordedOn', 'date', 12, (r) => date(ratedAt(r))],
  ['household', 'text', 10, (r, c) => hhName(c, r.householdId)],
  ['area', 'text', 12, (r, c) => hhArea(c, r.householdId)],
  ['member', 'text', 10, (r, c) => names(c, [r.memberId])],
  ['subject', 'text', 8, (r, c) => value(c, 'subject', r.subjectKind)],
  ['level', 'text', 10, (r, c) => value(c, 'satisfaction', r.level)],
  ['householdId', 'text', 38, (r) => r.householdId],
  ['id', 'text', 38, (r) => r.id],
];

/** Column keys of each dataset, in order (the labels must name every one). */
export const EXPORT_COLUMN_KEYS: Record<ExportDataset, string[]> = {
  households: HOUSEHOLD_COLUMNS.map((c) => c[0]),
  visits: VISIT_COLUMNS.map((c) => c[0]),
  requests: REQUEST_COLUMNS.map((c) => c[0]),
  ratings: RATING_COLUMNS.map((c) => c[0]),
};

/**
 * Build one dataset's table, rows in a stable order (households by area and name, records
 * by date). `onProgress` is called every `step` rows with the count done.
 */
export function buildExportTable(dataset: ExportDataset, source: ExportSource, labels: ExportLabels, onProgress?: (done: number, total: number) => void, step = 1000): ExportTable {
  const ctx: Ctx = { labels, households: new Map(source.households.map((h) => [h.id, h])) };
  const collator = new Intl.Collator('zh-CN');
  const make = <R>(specs: ColumnSpec<R>[], rows: R[]): ExportTable => {
    const out: Cell[][] = [];
    rows.forEach((r, i) => {
      out.push(specs.map((s) => s[3](r, ctx)));
      if (onProgress && (i + 1) % step === 0) onProgress(i + 1, rows.length);
    });
    onProgress?.(rows.length, rows.length);
    return {
      dataset,
      title: labels.titles[dataset],
      columns: specs.map(([key, type, width]) => ({ key, type, width, header: labels.headers[dataset]?.[key] ?? key })),
      rows: out,
    };
  };
  const byThen = <R>(key: (r: R) => string) => (a: R, b: R) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
  switch (dataset) {
    case 'households':
      return make(
        HOUSEHOLD_COLUMNS,
        source.households.filter((h) => !h.mergedInto).sort((a, b) => collator.compare(a.area, b.area) || collator.compare(a.headName, b.headName) || (a.id < b.id ? -1 : 1)),
      );
    case 'visits':
      return make(VISIT_COLUMNS, [...source.visits].sort(byThen((v) => v.visitedAt + v.id)));
    case 'requests':
      return make(REQUEST_COLUMNS, [...source.requests].sort(byThen((r) => r.createdAt + r.id)));
    case 'ratings':
      return make(RATING_COLUMNS, [...source.ratings].sort(byThen((r) => r.recordedAt + r.id)));
  }
}
