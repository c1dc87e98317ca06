import * as v from 'valibot';
import { photoRefSchema } from './attachment';
import { geoPointSchema } from './geo';
import { historyEntrySchema, MAX_REASON } from './history';
import { MAX_VISIT_INTERVAL_DAYS, RELATIONS } from './household';
import { SATISFACTION_LEVELS } from './rating';
import { REQUEST_ACTION_KINDS, REQUEST_CATEGORIES, REQUEST_STATUSES } from './request';
import { ROLES } from './team';
import { id as idSchema, isoDate, isSafeKey, msg } from './validation';
import { OBSERVATION_ASPECTS, OBSERVATION_LEVELS, REVIEW_STATUSES, VISIT_KINDS } from './visit';

/**
 * What a stored household or team document may hold, field by field: the one description
 * that the readers (src/docs) check every record against and that the relay checks every
 * write of an incoming update against (sync-server/src/validation/record-check.ts).
 *
 * It checks types and shapes, not the forms' rules: a stored name longer than today's form
 * allows is an old honest record, a name that is a number is not. Unknown keys in a known
 * record are allowed (a newer app may add fields) and ignored by the readers; unknown root
 * types too. Keys that would reach an object's prototype are never valid record or tag keys.
 */

export { isSafeKey, RESERVED_KEYS } from './validation';

/** Plain data as JSON knows it: no prototype other than Object's or Array's, no reserved keys, finite numbers. */
export function isPlainData(value: unknown, depth = 0): boolean {
  if (depth > 32) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((x) => isPlainData(x, depth + 1));
  if (typeof value !== 'object') return false;
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  for (const [k, x] of Object.entries(value)) if (!isSafeKey(k) || !isPlainData(x, depth + 1)) return false;
  return true;
}

/**
 * A node of the layout. `value`: a plain value checked by `schema`. `text`: a Y.Text.
 * `map`: a Y.Map whose known `fields` are checked (others allowed), or — with `entries` — a
 * collection whose every key passes `key` and every value `entries`. `required` keys must
 * be present for the record to be whole (the readers flag a record that lacks one).
 * `appendOnly`: a collection whose entries are written once (the relay refuses a write
 * replacing one; ADR 0018).
 */
export type LayoutNode =
  | { kind: 'value'; schema: v.GenericSchema }
  | { kind: 'text' }
  | { kind: 'map'; fields?: Readonly<Record<string, LayoutNode>>; required?: readonly string[]; key?: v.GenericSchema; entries?: LayoutNode; appendOnly?: true };

/** What a document holds at one key, as the checkers see it. */
export type StoredValue = { kind: 'value'; value: unknown } | { kind: 'map' } | { kind: 'text' } | { kind: 'other' };

const value = (schema: v.GenericSchema): LayoutNode => ({ kind: 'value', schema });
const safeKey = v.check((k: string) => isSafeKey(k), msg.invalid);

/** A record key or a member id inside a record: the id alphabet, never a prototype key. */
export const recordKeySchema = idSchema;
/** A tag key as stored (built-in or a team's own). */
export const storedTagSchema = v.pipe(v.string(msg.invalid), v.regex(/^[a-z0-9_\-\u3400-\u9fff]{1,32}$/u, msg.invalidChoice), safeKey);

/** Two household ids in order, joined by `|` (src/domain/duplicate-pairs.ts `pairKey`). */
export const duplicatePairKeySchema = v.pipe(
  v.string(msg.invalidId),
  v.check((k: string) => {
    const [a, b, ...rest] = k.split('|');
    return rest.length === 0 && a !== undefined && b !== undefined && v.is(idSchema, a) && v.is(idSchema, b) && a < b;
  }, msg.invalidId),
);

const str = value(v.string(msg.invalid));
const name = value(v.pipe(v.string(msg.required), v.check((s) => s.trim() !== '', msg.required), v.maxLength(200, msg.tooLong)));
const recordId = value(recordKeySchema);
/** An instant as stored: ISO 8601 date and time, the zone optional (older records and imports carry local times). */
const storedDateTime = v.pipe(
  v.string(msg.invalidDateTime),
  v.check((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?$/.test(s) && !Number.isNaN(Date.parse(s)), msg.invalidDateTime),
);
const dateTime = value(storedDateTime);
const date = value(isoDate);
const yes = value(v.literal(true, msg.invalid));
const bool = value(v.boolean(msg.invalid));
const int = (min: number, max: number) => value(v.pipe(v.number(msg.invalidNumber), v.integer(msg.invalidNumber), v.minValue(min, msg.invalidNumber), v.maxValue(max, msg.invalidNumber)));
const pick = (options: readonly string[]) => value(v.picklist(options, msg.invalidChoice));
const gps = value(v.object({ ...geoPointSchema.entries, capturedAt: storedDateTime }));

const observation = value(v.object({ level: v.optional(v.picklist(OBSERVATION_LEVELS, msg.invalidChoice)), note: v.optional(v.string(msg.invalid)) }));
const review = value(v.object({ status: v.picklist(REVIEW_STATUSES, msg.invalidChoice), comment: v.string(msg.invalid), by: recordKeySchema, at: storedDateTime }));
const requestAction = value(
  v.object({
    id: recordKeySchema,
    at: storedDateTime,
    by: recordKeySchema,
    kind: v.picklist(REQUEST_ACTION_KINDS, msg.invalidChoice),
    text: v.string(msg.invalid),
    status: v.optional(v.picklist(REQUEST_STATUSES, msg.invalidChoice)),
  }),
);

export const VISIT_LAYOUT: LayoutNode = {
  kind: 'map',
  required: ['kind', 'visitedAt'],
  fields: {
    kind: pick(VISIT_KINDS),
    visitorIds: value(v.array(recordKeySchema, msg.invalid)),
    visitedAt: dateTime,
    ...Object.fromEntries(OBSERVATION_ASPECTS.map((a) => [`obs.${a}`, observation])),
    said: str,
    notes: str,
    photos: { kind: 'map', key: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, msg.invalidSha256)), entries: value(photoRefSchema) },
    gps,
    nextVisitOn: date,
    createdAt: dateTime,
    createdBy: recordId,
    review,
    /** withdrawn by its member (logged on the wrong household): counts in no figure (ADR 0018) */
    withdrawn: value(v.object({ at: storedDateTime, by: recordKeySchema, reason: v.pipe(v.string(msg.invalid), v.maxLength(MAX_REASON * 4, msg.tooLong)) })),
    /** when its member corrected it after a lead's "needs correction" */
    correctedAt: dateTime,
    deletedAt: dateTime,
  },
};

/** The household's history: entries keyed by id, written once (ADR 0018, src/domain/history.ts). */
export const HISTORY_LAYOUT: LayoutNode = { kind: 'map', key: recordKeySchema, entries: value(historyEntrySchema), appendOnly: true };

export const REQUEST_LAYOUT: LayoutNode = {
  kind: 'map',
  required: ['category', 'status'],
  fields: {
    category: pick(REQUEST_CATEGORIES),
    description: str,
    ownerId: recordId,
    dueOn: date,
    visitId: recordId,
    status: pick(REQUEST_STATUSES),
    escalated: yes,
    explanation: str,
    closedAt: dateTime,
    createdAt: dateTime,
    createdBy: recordId,
    actions: { kind: 'map', key: recordKeySchema, entries: requestAction },
    deletedAt: dateTime,
  },
};

export const RATING_LAYOUT: LayoutNode = {
  kind: 'map',
  required: ['level'],
  fields: {
    id: recordId,
    subjectKind: pick(['visit', 'request']),
    subjectId: recordId,
    memberId: recordId,
    level: pick(SATISFACTION_LEVELS),
    comment: str,
    recordedAt: dateTime,
    recordedBy: recordId,
    deletedAt: dateTime,
  },
};

export const COMPLAINT_LAYOUT: LayoutNode = {
  kind: 'map',
  required: ['text'],
  fields: { id: recordId, aboutMemberId: recordId, text: str, recordedAt: dateTime, recordedBy: recordId, handled: bool, resolution: str, deletedAt: dateTime },
};

export const HOUSEHOLD_MEMBER_LAYOUT: LayoutNode = {
  kind: 'map',
  required: ['name'],
  fields: { name, relation: pick(RELATIONS), birthYear: int(1800, 3000), phone: str, deletedAt: dateTime },
};

/** The root types of `<teamId>/household/<id>` (src/docs/household-doc.ts). */
export const HOUSEHOLD_DOC_LAYOUT: Readonly<Record<string, LayoutNode>> = {
  meta: { kind: 'map', fields: { schemaVersion: int(1, 1_000_000), kind: pick(['household']), id: recordId, teamId: recordId, createdAt: dateTime, createdBy: recordId } },
  profile: {
    kind: 'map',
    required: ['headName'],
    fields: {
      headName: name,
      phone: str,
      area: str,
      village: str,
      street: str,
      house: str,
      gps,
      visitIntervalDays: int(1, MAX_VISIT_INTERVAL_DAYS),
      archived: yes,
    },
  },
  tags: { kind: 'map', key: storedTagSchema, entries: yes },
  members: { kind: 'map', key: recordKeySchema, entries: HOUSEHOLD_MEMBER_LAYOUT },
  notes: { kind: 'text' },
  visits: { kind: 'map', key: recordKeySchema, entries: VISIT_LAYOUT },
  requests: { kind: 'map', key: recordKeySchema, entries: REQUEST_LAYOUT },
  ratings: { kind: 'map', key: recordKeySchema, entries: RATING_LAYOUT },
  complaints: { kind: 'map', key: recordKeySchema, entries: COMPLAINT_LAYOUT },
  history: HISTORY_LAYOUT,
};

export const TEAM_MEMBER_LAYOUT: LayoutNode = {
  kind: 'map',
  required: ['name'],
  fields: { name, role: pick(ROLES), joinedAt: dateTime, leftAt: dateTime },
};

/** The root types of `<teamId>/team` (src/docs/team-doc.ts). */
export const TEAM_DOC_LAYOUT: Readonly<Record<string, LayoutNode>> = {
  meta: { kind: 'map', fields: { schemaVersion: int(1, 1_000_000), kind: pick(['team']), teamId: recordId, name: str } },
  members: { kind: 'map', key: recordKeySchema, entries: TEAM_MEMBER_LAYOUT },
  /**
   * key → one link that stands, naming its household and member (ADR 0021). Flat, each link
   * written under a fresh key: links written on any number of offline lead devices all stay.
   */
  links: { kind: 'map', key: recordKeySchema, entries: value(v.object({ householdId: recordKeySchema, memberId: recordKeySchema, at: storedDateTime, by: recordKeySchema })) },
  /**
   * household id → member id → link, as apps before ADR 0021 wrote it: still read and
   * unlinked, never written. Two such per-household maps made offline at once merge to one.
   */
  assignments: { kind: 'map', key: recordKeySchema, entries: { kind: 'map', key: recordKeySchema, entries: value(v.object({ at: storedDateTime, by: recordKeySchema })) } },
  /**
   * key → one link that ended, naming its household (src/domain/assignment.ts, ADR 0020). Flat:
   * a map per household made on two offline devices at once would keep only one of them.
   */
  linkHistory: {
    kind: 'map',
    key: recordKeySchema,
    entries: value(v.object({ householdId: recordKeySchema, memberId: recordKeySchema, from: v.optional(storedDateTime), to: storedDateTime, by: recordKeySchema })),
  },
  merges: { kind: 'map', key: recordKeySchema, entries: value(v.object({ into: recordKeySchema, at: storedDateTime, by: recordKeySchema })) },
  tags: { kind: 'map', key: storedTagSchema, entries: value(v.pipe(v.string(msg.invalid), v.maxLength(200, msg.tooLong))) },
  settings: { kind: 'map', fields: { defaultVisitIntervalDays: int(1, MAX_VISIT_INTERVAL_DAYS), dueSoonDays: int(0, 366), requestDueDays: int(1, 366) } },
  /**
   * Pairs of households the lead said are not the same household (不是同一户): one flat key
   * per pair, `a|b` with the ids in order, so two lead devices dismissing offline merge to both.
   */
  duplicateDismissals: { kind: 'map', key: duplicatePairKeySchema, entries: value(v.object({ at: storedDateTime, by: recordKeySchema })) },
};

/** The node one key of a map holds: its field, its collection entry, or undefined when the layout says nothing about it. */
export function childNode(node: LayoutNode, key: string): LayoutNode | undefined {
  if (node.kind !== 'map') return undefined;
  if (node.entries) return node.entries;
  return node.fields && Object.hasOwn(node.fields, key) ? node.fields[key] : undefined;
}

/**
 * Whether `key` may be written into a map of this node with `stored` as its value. Undefined
 * when it may, else the reason (an i18n key under `errors.`).
 */
export function checkWrite(node: LayoutNode, key: string, stored: StoredValue): string | undefined {
  if (node.kind !== 'map') return msg.invalid;
  if (node.key && !v.is(node.key, key)) return msg.invalidId;
  if (!node.key && !isSafeKey(key)) return msg.invalidId;
  const child = childNode(node, key);
  if (!child) return stored.kind === 'value' && !isPlainData(stored.value) ? msg.invalid : undefined;
  return checkValue(child, stored);
}

/** Whether a stored value fits its node (a nested map's own keys are checked as writes of their own). */
export function checkValue(node: LayoutNode, stored: StoredValue): string | undefined {
  if (node.kind !== stored.kind) return msg.invalid;
  if (node.kind === 'value' && stored.kind === 'value') {
    if (!isPlainData(stored.value)) return msg.invalid;
    const r = v.safeParse(node.schema, stored.value);
    return r.success ? undefined : (r.issues[0]?.message ?? msg.invalid);
  }
  return undefined;
}

/** The issues of one record read from a doc: each failing or missing field's path. */
export function recordIssues(node: LayoutNode, get: (key: string) => StoredValue | undefined): string[] {
  if (node.kind !== 'map') return [];
  const paths: string[] = [];
  for (const [key, child] of Object.entries(node.fields ?? {})) {
    const stored = get(key);
    if (stored === undefined) {
      if (node.required?.includes(key)) paths.push(key);
    } else if (checkValue(child, stored) !== undefined) {
      paths.push(key);
    }
  }
  return paths;
}
