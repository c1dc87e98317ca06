import * as Y from 'yjs';
import type { PhotoRef } from '#domain/attachment';
import type { GeoPoint } from '#domain/geo';
import type { HouseholdFile } from '#domain/household-file';
import type { Household, HouseholdMember, HouseholdProfile, Relation } from '#domain/household';
import { DEFAULT_VISIT_INTERVAL_DAYS } from '#domain/household';
import type { HouseholdRequest, RequestAction, RequestCategory, RequestStatus } from '#domain/request';
import type { RequestOwnership } from '#domain/request-access';
import type { Complaint, Rating, SatisfactionLevel } from '#domain/rating';
import { diffFields, historyEntrySchema, type FieldChange, type HistoryEntry } from '#domain/history';
import { newId } from '#domain/ids';
import { OBSERVATION_ASPECTS, type ObservationLevel, type Observations, type Visit, type VisitKind, type VisitReview, type VisitWithdrawal } from '#domain/visit';
import {
  COMPLAINT_LAYOUT,
  HISTORY_LAYOUT,
  HOUSEHOLD_DOC_LAYOUT,
  HOUSEHOLD_MEMBER_LAYOUT,
  RATING_LAYOUT,
  recordKeySchema,
  REQUEST_LAYOUT,
  storedTagSchema,
  VISIT_LAYOUT,
  checkWrite,
  childNode,
  type LayoutNode,
} from '#domain/doc-layout';
import * as v from 'valibot';
import { SCHEMA_VERSION } from './schema';
import { bool, childMap, issuesOf, replaceText, setField, str, validAt } from './ymap';

/**
 * A household file as a Y.Doc. Root types: `meta`, `profile`, `tags` (tag → true),
 * `members`, `notes` (Y.Text), `visits`, `requests`, `ratings`, `complaints` — each record
 * a Y.Map keyed by its id — and `history` (append-only entries keyed by id, ADR 0018).
 * Only this module knows the layout.
 */

type YMap = Y.Map<unknown>;

/** Who writes, from which device, and when; the writers that keep history record it (ADR 0018). */
export interface Actor {
  memberId: string;
  deviceId: string;
  now: string;
}

export type HouseholdSnapshot = HouseholdFile;

const root = (doc: Y.Doc) => ({
  meta: doc.getMap<unknown>('meta'),
  profile: doc.getMap<unknown>('profile'),
  tags: doc.getMap<unknown>('tags'),
  members: doc.getMap<unknown>('members'),
  notes: doc.getText('notes'),
  visits: doc.getMap<unknown>('visits'),
  requests: doc.getMap<unknown>('requests'),
  ratings: doc.getMap<unknown>('ratings'),
  complaints: doc.getMap<unknown>('complaints'),
  history: doc.getMap<unknown>('history'),
});

/** Values as JSON holds them: Yjs would store `undefined` inside an object, which no reader or relay accepts. */
function plain(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/**
 * Append one entry to the household's history, inside the caller's transaction: the change
 * and its entry are one update, saved and synced together. Entries are never rewritten.
 */
function appendHistory(doc: Y.Doc, actor: Actor, entry: Pick<HistoryEntry, 'record' | 'recordId' | 'action' | 'reason'> & { changes?: FieldChange[] }): void {
  const stored: Record<string, unknown> = { at: actor.now, by: actor.memberId, device: actor.deviceId, record: entry.record, action: entry.action };
  if (entry.recordId) stored.recordId = entry.recordId;
  if (entry.changes?.length) stored.changes = entry.changes.map((c) => plain(c));
  if (entry.reason) stored.reason = entry.reason;
  root(doc).history.set(newId(), stored);
}

/** Whether this doc holds a household (a fresh doc received from nowhere does not). */
export function isHouseholdDoc(doc: Y.Doc): boolean {
  return typeof doc.getMap('meta').get('id') === 'string';
}

/** Create a household file in an empty doc. */
export function createHousehold(doc: Y.Doc, args: { id: string; teamId: string; profile: HouseholdProfile; members?: HouseholdMember[]; notes?: string }, actor: Actor): void {
  doc.transact(() => {
    const r = root(doc);
    setField(r.meta, 'schemaVersion', SCHEMA_VERSION);
    setField(r.meta, 'kind', 'household');
    setField(r.meta, 'id', args.id);
    setField(r.meta, 'teamId', args.teamId);
    setField(r.meta, 'createdAt', actor.now);
    setField(r.meta, 'createdBy', actor.memberId);
    writeProfile(doc, args.profile);
    for (const m of args.members ?? []) upsertMemberIn(r.members, m);
    if (args.notes) replaceText(r.notes, args.notes);
    appendHistory(doc, actor, { record: 'household', recordId: args.id, action: 'added' });
  });
}

/** The profile fields the history records, before → after. */
const PROFILE_FIELDS = ['headName', 'phone', 'area', 'village', 'street', 'house', 'gps', 'visitIntervalDays', 'tags'] as const;

function profileFields(doc: Y.Doc): Record<string, unknown> {
  const { profile, tags } = root(doc);
  const out: Record<string, unknown> = {};
  for (const f of PROFILE_FIELDS) if (f !== 'tags') out[f] = plain(profile.get(f));
  out.tags = [...tags.keys()].sort();
  return out;
}

/** Update profile fields; only changed fields become part of the update, and of the history entry. */
export function updateProfile(doc: Y.Doc, profile: HouseholdProfile, actor: Actor): void {
  doc.transact(() => {
    const before = profileFields(doc);
    writeProfile(doc, profile);
    const changes = diffFields(before, profileFields(doc), PROFILE_FIELDS);
    if (changes.length) appendHistory(doc, actor, { record: 'household', recordId: str(root(doc).meta, 'id') || undefined, action: 'edited', changes });
  });
}

function writeProfile(doc: Y.Doc, p: HouseholdProfile): void {
  const { profile, tags } = root(doc);
  setField(profile, 'headName', p.headName);
  setField(profile, 'phone', p.phone);
  setField(profile, 'area', p.address.area);
  setField(profile, 'village', p.address.village);
  setField(profile, 'street', p.address.street);
  setField(profile, 'house', p.address.house);
  setField(profile, 'gps', p.gps ? { ...p.gps } : undefined);
  setField(profile, 'visitIntervalDays', p.visitIntervalDays);
  // Tags are keys of their own so one member adding 低保户 and another adding 残疾人 both stick.
  const wanted = new Set(p.tags);
  for (const t of [...tags.keys()]) if (!wanted.has(t)) tags.delete(t);
  for (const t of wanted) if (!tags.has(t)) tags.set(t, true);
}

export function setNotes(doc: Y.Doc, notes: string): void {
  doc.transact(() => replaceText(root(doc).notes, notes));
}

export function upsertMember(doc: Y.Doc, member: HouseholdMember): void {
  doc.transact(() => upsertMemberIn(root(doc).members, member));
}

function upsertMemberIn(members: YMap, m: HouseholdMember): void {
  const rec = childMap(members, m.id);
  setField(rec, 'name', m.name);
  setField(rec, 'relation', m.relation);
  setField(rec, 'birthYear', m.birthYear);
  setField(rec, 'phone', m.phone || undefined);
  setField(rec, 'deletedAt', undefined);
}

export function removeMember(doc: Y.Doc, memberId: string, actor: Actor): void {
  doc.transact(() => {
    const rec = root(doc).members.get(memberId);
    if (rec instanceof Y.Map) setField(rec as YMap, 'deletedAt', actor.now);
  });
}

/**
 * Move a file to another team's name space: a device that started alone (`local-…` team id)
 * and then joined a team copies each doc to the team's name and rewrites this.
 */
export function setHouseholdTeam(doc: Y.Doc, teamId: string): void {
  doc.transact(() => setField(root(doc).meta, 'teamId', teamId));
}

export function setArchived(doc: Y.Doc, archived: boolean): void {
  doc.transact(() => setField(root(doc).profile, 'archived', archived || undefined));
}

// ---- visits ----

export interface NewVisit {
  id: string;
  kind: VisitKind;
  visitorIds: string[];
  visitedAt: string;
  observations: Observations;
  said: string;
  notes: string;
  photos: PhotoRef[];
  gps?: GeoPoint;
  nextVisitOn?: string;
}

export function addVisit(doc: Y.Doc, visit: NewVisit, actor: Actor): void {
  doc.transact(() => {
    const rec = childMap(root(doc).visits, visit.id);
    setField(rec, 'createdAt', actor.now);
    setField(rec, 'createdBy', actor.memberId);
    writeVisit(rec, visit);
    appendHistory(doc, actor, { record: 'visit', recordId: visit.id, action: 'added' });
  });
}

/** The visit fields the history records, before → after (photos as their sorted hashes). */
const VISIT_FIELDS = ['kind', 'visitedAt', ...OBSERVATION_ASPECTS.map((a) => `obs.${a}`), 'said', 'notes', 'photos', 'gps', 'nextVisitOn'] as const;

function visitFields(rec: YMap): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of VISIT_FIELDS) if (f !== 'photos') out[f] = plain(rec.get(f));
  const photos = rec.get('photos');
  out.photos = photos instanceof Y.Map ? [...(photos as YMap).keys()].sort() : [];
  return out;
}

/**
 * Correct a saved visit: every field, photos added and removed. Each field is its own key,
 * so corrections of different fields on two offline phones both stay. The history keeps the
 * fields' earlier values; a correction asked for by a lead's review stamps `correctedAt`.
 */
export function updateVisit(doc: Y.Doc, visit: NewVisit, actor: Actor): void {
  doc.transact(() => {
    const found = root(doc).visits.get(visit.id);
    if (!(found instanceof Y.Map)) throw new Error(`no visit ${visit.id}`);
    const rec = found as YMap;
    const before = visitFields(rec);
    writeVisit(rec, visit);
    const photos = childMap(rec, 'photos');
    const kept = new Set(visit.photos.map((p) => p.sha256));
    for (const sha of [...photos.keys()]) if (!kept.has(sha)) photos.delete(sha);
    const changes = diffFields(before, visitFields(rec), VISIT_FIELDS);
    if (!changes.length) return;
    const review = rec.get('review') as { status?: unknown } | undefined;
    if (review?.status === 'needs_correction') setField(rec, 'correctedAt', actor.now);
    appendHistory(doc, actor, { record: 'visit', recordId: visit.id, action: 'edited', changes });
  });
}

/**
 * Withdraw a visit (logged on the wrong household, or never made), with the member's reason.
 * It stays in the file, marked, and counts in no figure (src/domain/projection.ts).
 */
export function withdrawVisit(doc: Y.Doc, visitId: string, reason: string, actor: Actor): void {
  doc.transact(() => {
    const rec = root(doc).visits.get(visitId);
    if (!(rec instanceof Y.Map)) throw new Error(`no visit ${visitId}`);
    if (rec.has('withdrawn')) return;
    setField(rec as YMap, 'withdrawn', { at: actor.now, by: actor.memberId, reason });
    appendHistory(doc, actor, { record: 'visit', recordId: visitId, action: 'withdrawn', reason });
  });
}

/** Undo a withdrawal: the visit counts again. */
export function restoreVisit(doc: Y.Doc, visitId: string, actor: Actor): void {
  doc.transact(() => {
    const rec = root(doc).visits.get(visitId);
    if (!(rec instanceof Y.Map) || !rec.has('withdrawn')) return;
    setField(rec as YMap, 'withdrawn', undefined);
    appendHistory(doc, actor, { record: 'visit', recordId: visitId, action: 'restored' });
  });
}

function writeVisit(rec: YMap, v: NewVisit): void {
  setField(rec, 'kind', v.kind);
  setField(rec, 'visitorIds', [...v.visitorIds]);
  setField(rec, 'visitedAt', v.visitedAt);
  // One key per aspect: a correction to "health" and another to "income" merge.
  for (const [aspect, obs] of Object.entries(v.observations)) setField(rec, `obs.${aspect}`, obs ? { ...obs } : undefined);
  setField(rec, 'said', v.said);
  setField(rec, 'notes', v.notes);
  // Made with the visit (addVisit), so a correction on two phones finds the same map: a map
  // made later on each of them would merge to one of the two (ADR 0021).
  const photos = childMap(rec, 'photos');
  for (const p of v.photos) if (!photos.has(p.sha256)) photos.set(p.sha256, { ...p });
  setField(rec, 'gps', v.gps ? { ...v.gps } : undefined);
  setField(rec, 'nextVisitOn', v.nextVisitOn);
}

export function removeVisitPhoto(doc: Y.Doc, visitId: string, sha256: string): void {
  doc.transact(() => {
    const rec = root(doc).visits.get(visitId);
    // Never make the photo map here: one made on this device and another made on a phone adding
    // photos offline would merge to one of the two, losing that phone's photos (ADR 0021).
    const photos = rec instanceof Y.Map ? (rec as YMap).get('photos') : undefined;
    if (photos instanceof Y.Map && photos.has(sha256)) photos.delete(sha256);
  });
}

export function reviewVisit(doc: Y.Doc, visitId: string, review: VisitReview): void {
  doc.transact(() => {
    const rec = root(doc).visits.get(visitId);
    if (!(rec instanceof Y.Map)) throw new Error(`no visit ${visitId}`);
    setField(rec as YMap, 'review', { ...review });
  });
}

export function deleteVisit(doc: Y.Doc, visitId: string, actor: Actor): void {
  softDelete(root(doc).visits, visitId, actor, doc);
}

// ---- requests ----

export interface NewRequest {
  id: string;
  category: RequestCategory;
  description: string;
  ownerId: string;
  dueOn?: string;
  visitId?: string;
}

export function addRequest(doc: Y.Doc, req: NewRequest, actor: Actor): void {
  doc.transact(() => {
    const rec = childMap(root(doc).requests, req.id);
    setField(rec, 'category', req.category);
    setField(rec, 'description', req.description);
    setField(rec, 'ownerId', req.ownerId);
    setField(rec, 'dueOn', req.dueOn);
    setField(rec, 'visitId', req.visitId);
    setField(rec, 'status', 'open');
    setField(rec, 'createdAt', actor.now);
    setField(rec, 'createdBy', actor.memberId);
    // The timeline's map is made with the request: one made later by each of two phones adding
    // an action offline would merge to one of the two, losing the other's actions (ADR 0021).
    childMap(rec, 'actions');
  });
}

function requestRec(doc: Y.Doc, requestId: string): YMap {
  const rec = root(doc).requests.get(requestId);
  if (!(rec instanceof Y.Map)) throw new Error(`no request ${requestId}`);
  return rec as YMap;
}

/** Append to the request's timeline. Actions are keyed by id: concurrent ones all survive. */
export function addRequestAction(doc: Y.Doc, requestId: string, action: RequestAction): void {
  doc.transact(() => {
    childMap(requestRec(doc, requestId), 'actions').set(action.id, { ...action });
  });
}

/**
 * Change status and record it in the timeline in one transaction. `closedAt` is kept with
 * the status so a request reopened elsewhere is not reported as closed.
 */
export function setRequestStatus(doc: Y.Doc, requestId: string, change: { status: RequestStatus; explanation?: string }, action: RequestAction): void {
  doc.transact(() => {
    const rec = requestRec(doc, requestId);
    setField(rec, 'status', change.status);
    const closed = change.status === 'resolved' || change.status === 'explained';
    setField(rec, 'closedAt', closed ? action.at : undefined);
    if (change.explanation !== undefined) setField(rec, 'explanation', change.explanation);
    childMap(rec, 'actions').set(action.id, { ...action });
  });
}

export function setRequestFields(doc: Y.Doc, requestId: string, fields: { ownerId?: string; dueOn?: string | null; escalated?: boolean; category?: RequestCategory; description?: string }, action?: RequestAction): void {
  doc.transact(() => {
    const rec = requestRec(doc, requestId);
    if (fields.ownerId !== undefined) setField(rec, 'ownerId', fields.ownerId);
    if (fields.dueOn !== undefined) setField(rec, 'dueOn', fields.dueOn ?? undefined);
    if (fields.escalated !== undefined) setField(rec, 'escalated', fields.escalated || undefined);
    if (fields.category !== undefined) setField(rec, 'category', fields.category);
    if (fields.description !== undefined) setField(rec, 'description', fields.description);
    if (action) childMap(rec, 'actions').set(action.id, { ...action });
  });
}

export function deleteRequest(doc: Y.Doc, requestId: string, actor: Actor): void {
  softDelete(root(doc).requests, requestId, actor, doc);
}

// ---- ratings and complaints ----

export function addRating(doc: Y.Doc, rating: Omit<Rating, 'householdId' | 'deletedAt'>): void {
  doc.transact(() => {
    const rec = childMap(root(doc).ratings, rating.id);
    for (const [k, v] of Object.entries(rating)) setField(rec, k, v);
  });
}

export function deleteRating(doc: Y.Doc, ratingId: string, actor: Actor): void {
  softDelete(root(doc).ratings, ratingId, actor, doc);
}

export function addComplaint(doc: Y.Doc, complaint: Omit<Complaint, 'householdId' | 'deletedAt'>): void {
  doc.transact(() => {
    const rec = childMap(root(doc).complaints, complaint.id);
    for (const [k, v] of Object.entries(complaint)) setField(rec, k, v);
  });
}

export function setComplaintHandled(doc: Y.Doc, complaintId: string, resolution: string): void {
  doc.transact(() => {
    const rec = root(doc).complaints.get(complaintId);
    if (!(rec instanceof Y.Map)) throw new Error(`no complaint ${complaintId}`);
    setField(rec as YMap, 'handled', true);
    setField(rec as YMap, 'resolution', resolution);
  });
}

function softDelete(map: YMap, id: string, actor: Actor, doc: Y.Doc): void {
  doc.transact(() => {
    const rec = map.get(id);
    if (rec instanceof Y.Map && !rec.has('deletedAt')) setField(rec as YMap, 'deletedAt', actor.now);
  });
}

export function restoreRecord(doc: Y.Doc, collection: 'visits' | 'requests' | 'ratings' | 'complaints', id: string): void {
  doc.transact(() => {
    const rec = doc.getMap<unknown>(collection).get(id);
    if (rec instanceof Y.Map) setField(rec as YMap, 'deletedAt', undefined);
  });
}

// ---- reading ----

/** The issues of a record keyed `id`, its key included; undefined when it is whole. */
function flagged(node: LayoutNode, id: string, m: YMap): string[] | undefined {
  const issues = issuesOf(node, m);
  if (!v.is(recordKeySchema, id)) issues.unshift('id');
  return issues.length ? issues : undefined;
}

const P = HOUSEHOLD_DOC_LAYOUT.profile!;
const field = (node: LayoutNode, key: string) => childNode(node, key);

/**
 * Read the whole file as plain objects (deleted records included, flagged by `deletedAt`).
 * Every record is checked against the stored layout (src/domain/doc-layout.ts): a field of
 * the wrong type reads as its default and the record carries `invalid` with the fields
 * that failed, so a screen shows it flagged, never as garbage. Keys are never used as
 * property names of plain objects; tag keys that are no valid tag come apart in `invalidTags`.
 */
export function readHousehold(doc: Y.Doc): HouseholdSnapshot {
  const r = root(doc);
  const p = r.profile;
  const s = (key: string) => validAt<string>(p, field(P, key), key) ?? '';
  const tags: string[] = [];
  const invalidTags: string[] = [];
  for (const t of r.tags.keys()) (v.is(storedTagSchema, t) ? tags : invalidTags).push(t);
  const householdIssues = [...issuesOf(HOUSEHOLD_DOC_LAYOUT.meta!, r.meta).map((k) => `meta.${k}`), ...issuesOf(P, p)];
  const household: Household = {
    id: str(r.meta, 'id'),
    teamId: str(r.meta, 'teamId'),
    createdAt: str(r.meta, 'createdAt'),
    createdBy: str(r.meta, 'createdBy'),
    headName: s('headName'),
    phone: s('phone'),
    address: { area: s('area'), village: s('village'), street: s('street'), house: s('house') },
    gps: readGps(validAt(p, field(P, 'gps'), 'gps')),
    tags: tags.sort(),
    visitIntervalDays: validAt<number>(p, field(P, 'visitIntervalDays'), 'visitIntervalDays') ?? DEFAULT_VISIT_INTERVAL_DAYS,
    members: [...r.members.entries()]
      .filter((e): e is [string, YMap] => e[1] instanceof Y.Map && !(e[1] as YMap).has('deletedAt'))
      .map(([id, m]) => {
        const M = HOUSEHOLD_MEMBER_LAYOUT;
        const member: HouseholdMember = {
          id,
          name: validAt<string>(m, field(M, 'name'), 'name') ?? '',
          relation: validAt<Relation>(m, field(M, 'relation'), 'relation') ?? 'other',
          birthYear: validAt<number>(m, field(M, 'birthYear'), 'birthYear'),
          phone: validAt<string>(m, field(M, 'phone'), 'phone') || undefined,
        };
        const invalid = flagged(M, id, m);
        if (invalid) member.invalid = invalid;
        return member;
      })
      .sort((a, b) => (a.id < b.id ? -1 : 1)),
    notes: r.notes.toString(),
    archived: bool(p, 'archived'),
  };
  if (householdIssues.length) household.invalid = householdIssues;
  if (invalidTags.length) household.invalidTags = invalidTags.sort();
  const hid = household.id;
  return {
    household,
    visits: records(r.visits).map(([id, m]) => readVisit(id, hid, m)).sort(byField('visitedAt', 'id')),
    requests: records(r.requests).map(([id, m]) => readRequest(id, hid, m)).sort(byField('createdAt', 'id')),
    ratings: records(r.ratings).map(([id, m]) => readRating(id, hid, m)).sort(byField('recordedAt', 'id')),
    complaints: records(r.complaints).map(([id, m]) => readComplaint(id, hid, m)).sort(byField('recordedAt', 'id')),
  };
}

/**
 * Who owns which request, and whether it is closed or deleted: all the relay needs to let
 * access follow request ownership (src/domain/request-access.ts), read without building
 * the whole file on every write.
 */
export function readRequestOwnership(doc: Y.Doc): RequestOwnership[] {
  return records(root(doc).requests).map(([requestId, m]) => {
    const r: RequestOwnership = { requestId, ownerId: str(m, 'ownerId') };
    const closedAt = str(m, 'closedAt');
    const deletedAt = str(m, 'deletedAt');
    if (closedAt) r.closedAt = closedAt;
    if (deletedAt) r.deletedAt = deletedAt;
    return r;
  });
}

function records(map: YMap): [string, YMap][] {
  return [...map.entries()].filter((e): e is [string, YMap] => e[1] instanceof Y.Map);
}

function byField<K extends string>(field: K, tie: K) {
  return <T extends { [P in K]?: unknown }>(a: T, b: T) => {
    const x = String(a[field] ?? '');
    const y = String(b[field] ?? '');
    if (x !== y) return x < y ? -1 : 1;
    return String(a[tie]) < String(b[tie]) ? -1 : 1;
  };
}

function readGps(v: unknown): GeoPoint | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const g = v as Record<string, unknown>;
  if (typeof g.lat !== 'number' || typeof g.lng !== 'number') return undefined;
  return { lat: g.lat, lng: g.lng, accuracy: typeof g.accuracy === 'number' ? g.accuracy : 0, capturedAt: typeof g.capturedAt === 'string' ? g.capturedAt : '' };
}

/** The entries of a child map that fit the layout, and whether any did not. */
function entriesOf<T>(rec: YMap, key: string, node: LayoutNode): { items: T[]; bad: boolean } {
  const child = rec.get(key);
  if (child === undefined) return { items: [], bad: false };
  if (!(child instanceof Y.Map)) return { items: [], bad: true };
  const items: T[] = [];
  let bad = false;
  for (const [k, x] of (child as YMap).entries()) {
    if (checkWrite(node, k, x instanceof Y.AbstractType ? { kind: 'other' } : { kind: 'value', value: x }) === undefined) items.push({ ...(x as object) } as T);
    else bad = true;
  }
  return { items, bad };
}

function withIssues<T extends { invalid?: string[] }>(rec: T, issues: string[] | undefined, extra: string[]): T {
  const all = [...(issues ?? []), ...extra.filter((e) => !issues?.includes(e))];
  if (all.length) rec.invalid = all;
  return rec;
}

function readVisit(id: string, householdId: string, m: YMap): Visit {
  const V = VISIT_LAYOUT;
  const observations: Observations = {};
  for (const aspect of OBSERVATION_ASPECTS) {
    const o = validAt<{ level?: ObservationLevel; note?: string }>(m, field(V, `obs.${aspect}`), `obs.${aspect}`);
    if (o) observations[aspect] = { level: o.level, note: o.note ?? '' };
  }
  const photos = entriesOf<PhotoRef>(m, 'photos', field(V, 'photos')!);
  const review = validAt<VisitReview>(m, field(V, 'review'), 'review');
  const withdrawn = validAt<VisitWithdrawal>(m, field(V, 'withdrawn'), 'withdrawn');
  const s = (key: string) => validAt<string>(m, field(V, key), key);
  return withIssues<Visit>(
    {
      id,
      householdId,
      kind: validAt<VisitKind>(m, field(V, 'kind'), 'kind') ?? 'home',
      visitorIds: [...(validAt<string[]>(m, field(V, 'visitorIds'), 'visitorIds') ?? [])],
      visitedAt: s('visitedAt') ?? '',
      observations,
      said: s('said') ?? '',
      notes: s('notes') ?? '',
      photos: photos.items.sort((a, b) => (a.sha256 < b.sha256 ? -1 : 1)),
      gps: readGps(validAt(m, field(V, 'gps'), 'gps')),
      nextVisitOn: s('nextVisitOn') || undefined,
      createdAt: s('createdAt') ?? '',
      createdBy: s('createdBy') ?? '',
      review: review ? { ...review } : undefined,
      withdrawn: withdrawn ? { ...withdrawn } : undefined,
      correctedAt: s('correctedAt') || undefined,
      deletedAt: s('deletedAt') || undefined,
    },
    flagged(V, id, m),
    photos.bad ? ['photos'] : [],
  );
}

function readRequest(id: string, householdId: string, m: YMap): HouseholdRequest {
  const R = REQUEST_LAYOUT;
  const actions = entriesOf<RequestAction>(m, 'actions', field(R, 'actions')!);
  const s = (key: string) => validAt<string>(m, field(R, key), key);
  return withIssues<HouseholdRequest>(
    {
      id,
      householdId,
      visitId: s('visitId') || undefined,
      category: validAt<RequestCategory>(m, field(R, 'category'), 'category') ?? 'other',
      description: s('description') ?? '',
      ownerId: s('ownerId') ?? '',
      dueOn: s('dueOn') || undefined,
      status: validAt<RequestStatus>(m, field(R, 'status'), 'status') ?? 'open',
      escalated: bool(m, 'escalated'),
      explanation: s('explanation') ?? '',
      closedAt: s('closedAt') || undefined,
      createdAt: s('createdAt') ?? '',
      createdBy: s('createdBy') ?? '',
      actions: actions.items.sort(byField('at', 'id')),
      deletedAt: s('deletedAt') || undefined,
    },
    flagged(R, id, m),
    actions.bad ? ['actions'] : [],
  );
}

function readRating(id: string, householdId: string, m: YMap): Rating {
  const R = RATING_LAYOUT;
  const s = (key: string) => validAt<string>(m, field(R, key), key);
  return withIssues<Rating>(
    {
      id,
      householdId,
      subjectKind: validAt<Rating['subjectKind']>(m, field(R, 'subjectKind'), 'subjectKind') ?? 'visit',
      subjectId: s('subjectId') ?? '',
      memberId: s('memberId') ?? '',
      level: validAt<SatisfactionLevel>(m, field(R, 'level'), 'level') ?? 'satisfied',
      comment: s('comment') ?? '',
      recordedAt: s('recordedAt') ?? '',
      recordedBy: s('recordedBy') ?? '',
      deletedAt: s('deletedAt') || undefined,
    },
    flagged(R, id, m),
    [],
  );
}

function readComplaint(id: string, householdId: string, m: YMap): Complaint {
  const C = COMPLAINT_LAYOUT;
  const s = (key: string) => validAt<string>(m, field(C, key), key);
  return withIssues<Complaint>(
    {
      id,
      householdId,
      aboutMemberId: s('aboutMemberId') ?? '',
      text: s('text') ?? '',
      recordedAt: s('recordedAt') ?? '',
      recordedBy: s('recordedBy') ?? '',
      handled: bool(m, 'handled'),
      resolution: s('resolution') ?? '',
      deletedAt: s('deletedAt') || undefined,
    },
    flagged(C, id, m),
    [],
  );
}

/**
 * The household's history, oldest first. Read apart from `readHousehold` (only the file page
 * shows it; rows never need it). Every entry is checked against the stored layout; one that
 * does not fit is left out and `damaged` says so.
 */
export function readHistory(doc: Y.Doc): { entries: HistoryEntry[]; damaged: boolean } {
  const entries: HistoryEntry[] = [];
  let damaged = false;
  for (const [key, x] of root(doc).history.entries()) {
    const ok = checkWrite(HISTORY_LAYOUT, key, x instanceof Y.AbstractType ? { kind: 'other' } : { kind: 'value', value: x }) === undefined;
    if (!ok) {
      damaged = true;
      continue;
    }
    const e = v.parse(historyEntrySchema, x);
    entries.push({ id: key, ...e } as HistoryEntry);
  }
  entries.sort((a, b) => (a.at !== b.at ? (a.at < b.at ? -1 : 1) : a.id < b.id ? -1 : 1));
  return { entries, damaged };
}
