import { raisedAt, ratedAt } from './event-time';
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
  /**
   * `date`: a YYYY-MM-DD string, `datetime`: YYYY-MM-DD HH:mm in local time — both written
   * as real date cells in XLSX and as that text in CSV
   */
  type: 'text' | 'number' | 'date' | 'datetime';
  /** column width in characters (XLSX) */
  width: number;
}

export interface ExportTable {
  /** `readme`: what every column of the other tables holds */
  dataset: ExportDataset | 'readme';
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
  /** what each column holds (column key → sentence), for the README sheet or file */
  about: Record<string, string>;
  /** the README's title, its opening lines, and its table's three headers */
  readme: { title: string; lines: string[]; headers: [dataset: string, column: string, meaning: string] };
}

/** A visit's full texts (the rows carry an 80-character summary only). */
export interface VisitTexts {
  said: string;
  notes: string;
}

/** A request's full texts and its timeline, one line per action with text. */
export interface RequestTexts {
  description: string;
  explanation: string;
  actions: { at: string; by: string; kind: string; text: string }[];
}

export interface ExportSource {
  households: HouseholdRow[];
  visits: VisitRow[];
  requests: RequestRow[];
  ratings: RatingRow[];
  /** full texts by record id, read from the household docs (absent for a record: empty cells) */
  texts: { visits: Map<string, VisitTexts>; requests: Map<string, RequestTexts> };
}

type ColumnSpec<R> = [key: string, type: ExportColumn['type'], width: number, value: (row: R, ctx: Ctx) => Cell];

interface Ctx {
  labels: ExportLabels;
  households: Map<string, HouseholdRow>;
  texts: ExportSource['texts'];
}

const value = (ctx: Ctx, kind: string, key: string | undefined) => (key ? (ctx.labels.values[kind]?.[key] ?? key) : '');
const names = (ctx: Ctx, ids: readonly string[]) => ids.map((id) => ctx.labels.members[id] ?? id).join(ctx.labels.separator);
/** Local calendar date of an instant (a date stays as it is). */
const date = (instant: string | undefined) => (instant ? localDay(instant) : null);
/** Local date and minutes of an instant, as people read it in a cell: 2026-05-03 14:20. */
const dateTime = (instant: string | undefined) => (instant ? `${localDay(instant)} ${localTime(instant)}` : null);
const hhName = (ctx: Ctx, id: string) => ctx.households.get(id)?.headName ?? '';
const hhArea = (ctx: Ctx, id: string) => ctx.households.get(id)?.area ?? '';
const visitText = (ctx: Ctx, id: string, key: keyof VisitTexts) => ctx.texts.visits.get(id)?.[key] ?? '';
const requestText = (ctx: Ctx, id: string, key: 'description' | 'explanation') => ctx.texts.requests.get(id)?.[key] ?? '';
/** A request's timeline in one cell: `2026-03-02 09:30 王芳（备注）：text`, a line each. */
const timeline = (ctx: Ctx, id: string) =>
  (ctx.texts.requests.get(id)?.actions ?? [])
    .filter((a) => a.text.trim())
    .map((a) => `${dateTime(a.at)} ${names(ctx, [a.by])} (${value(ctx, 'actionKind', a.kind)}): ${a.text}`)
    .join('\n');

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
  ['visitedAt', 'datetime', 17, (r) => dateTime(r.visitedAt)],
  ['household', 'text', 10, (r, c) => hhName(c, r.householdId)],
  ['area', 'text', 12, (r, c) => hhArea(c, r.householdId)],
  ['kind', 'text', 10, (r, c) => value(c, 'visitKind', r.kind)],
  ['visitors', 'text', 14, (r, c) => names(c, r.visitorIds)],
  ['concerns', 'text', 14, (r, c) => r.concerns.map((a) => value(c, 'aspect', a)).join(c.labels.separator)],
  ['said', 'text', 40, (r, c) => visitText(c, r.id, 'said')],
  ['notes', 'text', 40, (r, c) => visitText(c, r.id, 'notes')],
  ['photos', 'number', 6, (r) => r.photoCount],
  ['nextVisitOn', 'date', 12, (r) => r.nextVisitOn ?? null],
  ['review', 'text', 10, (r, c) => value(c, 'review', r.reviewStatus)],
  ['reviewComment', 'text', 30, (r) => r.reviewComment ?? ''],
  ['householdId', 'text', 38, (r) => r.householdId],
  ['id', 'text', 38, (r) => r.id],
];

const REQUEST_COLUMNS: ColumnSpec<RequestRow>[] = [
  ['raisedAt', 'datetime', 17, (r) => dateTime(raisedAt(r))],
  ['household', 'text', 10, (r, c) => hhName(c, r.householdId)],
  ['area', 'text', 12, (r, c) => hhArea(c, r.householdId)],
  ['category', 'text', 10, (r, c) => value(c, 'category', r.category)],
  ['description', 'text', 40, (r, c) => requestText(c, r.id, 'description')],
  ['status', 'text', 8, (r, c) => value(c, 'status', r.status)],
  ['explanation', 'text', 30, (r, c) => requestText(c, r.id, 'explanation')],
  ['owner', 'text', 10, (r, c) => names(c, [r.ownerId])],
  ['dueOn', 'date', 12, (r) => r.dueOn],
  ['escalated', 'text', 6, (r, c) => (r.escalated ? value(c, 'yesNo', 'yes') : '')],
  ['closedOn', 'date', 12, (r) => date(r.closedAt)],
  ['actions', 'number', 6, (r) => r.actionCount],
  ['timeline', 'text', 50, (r, c) => timeline(c, r.id)],
  ['savedAt', 'datetime', 17, (r) => dateTime(r.createdAt)],
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
  const ctx: Ctx = { labels, households: new Map(source.households.map((h) => [h.id, h])), texts: source.texts };
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
      return make(REQUEST_COLUMNS, [...source.requests].sort(byThen((r) => raisedAt(r) + r.id)));
    case 'ratings':
      return make(RATING_COLUMNS, [...source.ratings].sort(byThen((r) => ratedAt(r) + r.id)));
  }
}

/**
 * The README of an export: what each column of the chosen datasets holds, then the notes
 * (local time, the CSV apostrophe, ids). A sheet of the workbook; a text file in a CSV zip.
 */
export function buildReadmeTable(datasets: readonly ExportDataset[], labels: ExportLabels): ExportTable {
  const [dataset, column, meaning] = labels.readme.headers;
  const rows: Cell[][] = datasets.flatMap((d) => EXPORT_COLUMN_KEYS[d].map((k) => [labels.titles[d], labels.headers[d]?.[k] ?? k, labels.about[k] ?? '']));
  rows.push([null, null, null], ...labels.readme.lines.map((line) => [line, null, null]));
  return {
    dataset: 'readme',
    title: labels.readme.title,
    columns: [
      { key: 'dataset', header: dataset, type: 'text', width: 10 },
      { key: 'column', header: column, type: 'text', width: 14 },
      { key: 'meaning', header: meaning, type: 'text', width: 80 },
    ],
    rows,
  };
}

/** The README as plain text (UTF-8, CRLF) for a CSV zip. */
export function readmeText(datasets: readonly ExportDataset[], labels: ExportLabels): string {
  const out = [labels.readme.title, '', ...labels.readme.lines];
  for (const d of datasets) {
    out.push('', labels.titles[d]);
    for (const k of EXPORT_COLUMN_KEYS[d]) out.push(`  ${labels.headers[d]?.[k] ?? k}: ${labels.about[k] ?? ''}`);
  }
  return `${out.join('\r\n')}\r\n`;
}
