import * as Y from 'yjs';
import type { PhotoRef } from '#domain/attachment';
import type { GeoPoint } from '#domain/geo';
import type { HouseholdFile } from '#domain/household-file';
import type { Household, HouseholdMember, HouseholdProfile, Relation } from '#domain/household';
import { DEFAULT_VISIT_INTERVAL_DAYS } from '#domain/household';
import type { HouseholdRequest, RequestAction, RequestCategory, RequestStatus } from '#domain/request';
import type { Complaint, Rating, SatisfactionLevel } from '#domain/rating';
import type { Observations, Visit, VisitKind, VisitReview } from '#domain/visit';
import { SCHEMA_VERSION } from './schema';
import { bool, childMap, num, optStr, replaceText, setField, str } from './ymap';

/**
 * A household file as a Y.Doc. Root types: `meta`, `profile`, `tags` (tag → true),
 * `members`, `notes` (Y.Text), `visits`, `requests`, `ratings`, `complaints` — each record
 * a Y.Map keyed by its id. Only this module knows the layout.
 */

type YMap = Y.Map<unknown>;

/** Who writes and when; every write records it. */
export interface Actor {
  memberId: string;
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
});

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
  });
}

/** Update profile fields; only changed fields become part of the update. */
export function updateProfile(doc: Y.Doc, profile: HouseholdProfile, _actor: Actor): void {
  doc.transact(() => writeProfile(doc, profile));
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
  });
}

export function updateVisit(doc: Y.Doc, visit: NewVisit): void {
  doc.transact(() => {
    const rec = root(doc).visits.get(visit.id);
    if (!(rec instanceof Y.Map)) throw new Error(`no visit ${visit.id}`);
    writeVisit(rec as YMap, visit);
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
  const photos = childMap(rec, 'photos');
  for (const p of v.photos) if (!photos.has(p.sha256)) photos.set(p.sha256, { ...p });
  setField(rec, 'gps', v.gps ? { ...v.gps } : undefined);
  setField(rec, 'nextVisitOn', v.nextVisitOn);
}

export function removeVisitPhoto(doc: Y.Doc, visitId: string, sha256: string): void {
  doc.transact(() => {
    const rec = root(doc).visits.get(visitId);
    if (rec instanceof Y.Map) (childMap(rec as YMap, 'photos')).delete(sha256);
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

/** Read the whole file as plain objects (deleted records included, flagged by `deletedAt`). */
export function readHousehold(doc: Y.Doc): HouseholdSnapshot {
  const r = root(doc);
  const p = r.profile;
  const household: Household = {
    id: str(r.meta, 'id'),
    teamId: str(r.meta, 'teamId'),
    createdAt: str(r.meta, 'createdAt'),
    createdBy: str(r.meta, 'createdBy'),
    headName: str(p, 'headName'),
    phone: str(p, 'phone'),
    address: { area: str(p, 'area'), village: str(p, 'village'), street: str(p, 'street'), house: str(p, 'house') },
    gps: readGps(p.get('gps')),
    tags: [...r.tags.keys()].sort(),
    visitIntervalDays: num(p, 'visitIntervalDays', DEFAULT_VISIT_INTERVAL_DAYS),
    members: [...r.members.entries()]
      .filter((e): e is [string, YMap] => e[1] instanceof Y.Map && !(e[1] as YMap).has('deletedAt'))
      .map(([id, m]) => ({
        id,
        name: str(m, 'name'),
        relation: str(m, 'relation', 'other') as Relation,
        birthYear: typeof m.get('birthYear') === 'number' ? (m.get('birthYear') as number) : undefined,
        phone: optStr(m, 'phone'),
      }))
      .sort((a, b) => (a.id < b.id ? -1 : 1)),
    notes: r.notes.toString(),
    archived: bool(p, 'archived'),
  };
  const hid = household.id;
  return {
    household,
    visits: records(r.visits).map(([id, m]) => readVisit(id, hid, m)).sort(byField('visitedAt', 'id')),
    requests: records(r.requests).map(([id, m]) => readRequest(id, hid, m)).sort(byField('createdAt', 'id')),
    ratings: records(r.ratings).map(([id, m]) => readRating(id, hid, m)).sort(byField('recordedAt', 'id')),
    complaints: records(r.complaints).map(([id, m]) => readComplaint(id, hid, m)).sort(byField('recordedAt', 'id')),
  };
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

function readVisit(id: string, householdId: string, m: YMap): Visit {
  const observations: Observations = {};
  for (const [k, v] of m.entries()) {
    if (k.startsWith('obs.') && v && typeof v === 'object') {
      const o = v as { level?: string; note?: string };
      observations[k.slice(4) as keyof Observations] = { level: o.level as never, note: o.note ?? '' };
    }
  }
  const photos = m.get('photos');
  const review = m.get('review');
  return {
    id,
    householdId,
    kind: str(m, 'kind', 'home') as VisitKind,
    visitorIds: Array.isArray(m.get('visitorIds')) ? [...(m.get('visitorIds') as string[])] : [],
    visitedAt: str(m, 'visitedAt'),
    observations,
    said: str(m, 'said'),
    notes: str(m, 'notes'),
    photos: photos instanceof Y.Map ? [...(photos as Y.Map<PhotoRef>).values()].map((p) => ({ ...p })).sort((a, b) => (a.sha256 < b.sha256 ? -1 : 1)) : [],
    gps: readGps(m.get('gps')),
    nextVisitOn: optStr(m, 'nextVisitOn'),
    createdAt: str(m, 'createdAt'),
    createdBy: str(m, 'createdBy'),
    review: review && typeof review === 'object' ? { ...(review as VisitReview) } : undefined,
    deletedAt: optStr(m, 'deletedAt'),
  };
}

function readRequest(id: string, householdId: string, m: YMap): HouseholdRequest {
  const actions = m.get('actions');
  return {
    id,
    householdId,
    visitId: optStr(m, 'visitId'),
    category: str(m, 'category', 'other') as RequestCategory,
    description: str(m, 'description'),
    ownerId: str(m, 'ownerId'),
    dueOn: optStr(m, 'dueOn'),
    status: str(m, 'status', 'open') as RequestStatus,
    escalated: bool(m, 'escalated'),
    explanation: str(m, 'explanation'),
    closedAt: optStr(m, 'closedAt'),
    createdAt: str(m, 'createdAt'),
    createdBy: str(m, 'createdBy'),
    actions: actions instanceof Y.Map ? [...(actions as Y.Map<RequestAction>).values()].map((a) => ({ ...a })).sort(byField('at', 'id')) : [],
    deletedAt: optStr(m, 'deletedAt'),
  };
}

function readRating(id: string, householdId: string, m: YMap): Rating {
  return {
    id,
    householdId,
    subjectKind: str(m, 'subjectKind', 'visit') as Rating['subjectKind'],
    subjectId: str(m, 'subjectId'),
    memberId: str(m, 'memberId'),
    level: str(m, 'level', 'satisfied') as SatisfactionLevel,
    comment: str(m, 'comment'),
    recordedAt: str(m, 'recordedAt'),
    recordedBy: str(m, 'recordedBy'),
    deletedAt: optStr(m, 'deletedAt'),
  };
}

function readComplaint(id: string, householdId: string, m: YMap): Complaint {
  return {
    id,
    householdId,
    aboutMemberId: str(m, 'aboutMemberId'),
    text: str(m, 'text'),
    recordedAt: str(m, 'recordedAt'),
    recordedBy: str(m, 'recordedBy'),
    handled: bool(m, 'handled'),
    resolution: str(m, 'resolution'),
    deletedAt: optStr(m, 'deletedAt'),
  };
}
