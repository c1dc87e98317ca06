import * as v from 'valibot';
import { id as idSchema, msg } from './validation';
import { TEXT_LIMITS } from './limits';

/**
 * A household's history (ADR 0018): one entry per write, kept in the household doc, never
 * edited or removed. Pure: the schema the readers and the relay check entries against
 * (through src/domain/doc-layout.ts), the diff a writer records, and what a screen derives.
 */

/** What an entry is about. Issue 14 writes the other kinds; the layout accepts them already. */
export const HISTORY_RECORDS = ['household', 'member', 'visit', 'request', 'rating', 'complaint'] as const;
export type HistoryRecord = (typeof HISTORY_RECORDS)[number];

export const HISTORY_ACTIONS = ['added', 'edited', 'withdrawn', 'restored'] as const;
export type HistoryAction = (typeof HISTORY_ACTIONS)[number];

/** One field's change: absent `before` = the field was not set; absent `after` = it was cleared. */
export interface FieldChange {
  field: string;
  before?: unknown;
  after?: unknown;
}

export interface HistoryEntry {
  id: string;
  /** the writer's clock (ISO) */
  at: string;
  /** member id */
  by: string;
  /** device id */
  device: string;
  record: HistoryRecord;
  recordId?: string;
  action: HistoryAction;
  changes?: FieldChange[];
  /** why (a withdrawal says why) */
  reason?: string;
}

/** Longest reason a withdrawal may give. */
export const MAX_REASON = TEXT_LIMITS.withdrawReason;

const storedAt = v.pipe(
  v.string(msg.invalidDateTime),
  v.check((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?$/.test(s) && !Number.isNaN(Date.parse(s)), msg.invalidDateTime),
);

/** An entry as stored (its id is its key). Values of `before`/`after` are plain data: the layout checks that. */
export const historyEntrySchema = v.object({
  at: storedAt,
  by: idSchema,
  device: idSchema,
  record: v.picklist(HISTORY_RECORDS, msg.invalidChoice),
  recordId: v.optional(idSchema),
  action: v.picklist(HISTORY_ACTIONS, msg.invalidChoice),
  changes: v.optional(
    v.pipe(
      v.array(v.object({ field: v.pipe(v.string(msg.invalid), v.regex(/^[A-Za-z0-9_.]{1,64}$/, msg.invalid)), before: v.optional(v.unknown()), after: v.optional(v.unknown()) }), msg.invalid),
      v.maxLength(64, msg.tooLong),
    ),
  ),
  reason: v.optional(v.pipe(v.string(msg.invalid), v.maxLength(MAX_REASON * 4, msg.tooLong))),
});

/** The reason a member gives for withdrawing a visit: required, at most MAX_REASON characters. */
export const withdrawReasonSchema = v.pipe(v.string(msg.required), v.trim(), v.nonEmpty(msg.required), v.maxLength(MAX_REASON, msg.tooLong));

/** JSON with object keys sorted: the same value read back from a doc compares equal whatever its key order. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x));
}

function same(a: unknown, b: unknown): boolean {
  return a === b || (a !== undefined && b !== undefined && stableJson(a) === stableJson(b));
}

/**
 * The fields that differ between two flat views of a record, in the order of `fields`.
 * Values are compared as JSON: `{ level: 'good' }` twice is no change.
 */
export function diffFields(before: Record<string, unknown>, after: Record<string, unknown>, fields: readonly string[]): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of fields) {
    const b = before[field];
    const a = after[field];
    if (same(b, a)) continue;
    const change: FieldChange = { field };
    if (b !== undefined) change.before = b;
    if (a !== undefined) change.after = a;
    changes.push(change);
  }
  return changes;
}

/** Oldest first; entries of the same instant by id (ids are time-ordered UUIDv7). */
export function byTime(a: HistoryEntry, b: HistoryEntry): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Two or more offline edits of one field that started from the same value, and which one the doc kept. */
export interface ConcurrentEdit {
  record: HistoryRecord;
  recordId?: string;
  field: string;
  before?: unknown;
  /** every edit of the group, oldest first, with whether its value is the one the doc holds */
  edits: { entry: HistoryEntry; after?: unknown; kept: boolean }[];
}

/**
 * Edits merged from replicas that changed the same field from the same value to different
 * values: only one value survives the merge (Yjs keeps one per key). `current(record,
 * recordId, field)` is what the doc holds now; the edit whose value it is is `kept`.
 */
export function concurrentEdits(entries: readonly HistoryEntry[], current: (record: HistoryRecord, recordId: string | undefined, field: string) => unknown): ConcurrentEdit[] {
  const groups = new Map<string, ConcurrentEdit>();
  for (const entry of [...entries].sort(byTime)) {
    if (entry.action !== 'edited') continue;
    for (const c of entry.changes ?? []) {
      const key = stableJson([entry.record, entry.recordId ?? '', c.field, c.before ?? null]);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { record: entry.record, recordId: entry.recordId, field: c.field, before: c.before, edits: [] }));
      g.edits.push({ entry, after: c.after, kept: false });
    }
  }
  const result: ConcurrentEdit[] = [];
  for (const g of groups.values()) {
    const values = new Set(g.edits.map((e) => stableJson(e.after ?? null)));
    if (values.size < 2) continue;
    const now = current(g.record, g.recordId, g.field);
    // The latest edit holding the current value is the one that won (an earlier one with the same value is not in conflict with it).
    const winner = [...g.edits].reverse().find((e) => same(e.after, now));
    if (winner) winner.kept = true;
    result.push(g);
  }
  return result;
}
