import type { LinkSpan } from './assignment';
import { nextDueDate, requestDueDate, toLocalDate } from './dates';
import { formatAddress, householdPhones } from './household';
import type { HouseholdFile } from './household-file';
import { isClosed, type RequestCategory, type RequestStatus } from './request';
import type { SatisfactionLevel } from './rating';
import { buildSearchText } from './search';
import { OBSERVATION_ASPECTS, type ReviewStatus, type VisitKind } from './visit';

/**
 * The rows lists and dashboards read, derived from one household file. Pure: the same file
 * gives the same rows on every device, which is what lets a start-up check rebuild them.
 * Deleted records give no rows. Booleans are 0/1 because IndexedDB cannot index booleans.
 */

/**
 * The shape and rules of the rows. Raise it whenever a change makes rows derived by an
 * earlier release wrong (a new field, a different date): a device then derives every
 * household's rows again from its docs (src/db, `Projector.check`).
 * 2: requests and ratings carry `occurredAt` (ADR 0012).
 * 3: households carry `flagged` (a stored field or tag that breaks the layout, src/domain/doc-layout.ts).
 * 4: withdrawn visits and the ratings given in them give no rows; visits carry `correctedAt` (ADR 0018).
 * 4: households carry `linkSpans` and `visitIntervalDays`, and a household nobody assigned is its registering member's (ADR 0020).
 * 5: both of 4's changes together (two lanes each called theirs 4; a device with either derives again).
 */
export const PROJECTION_VERSION = 5;

/** When a flagged request without a valid time of its own was raised, for its due date (src/domain/doc-layout.ts). */
const UNKNOWN_TIME = new Date(0).toISOString();

export interface HouseholdRow {
  id: string;
  teamId: string;
  headName: string;
  phone: string;
  area: string;
  address: string;
  tags: string[];
  /** who looks after it now (src/domain/assignment.ts resolveLinks) */
  linkedMemberIds: string[];
  /** who looked after it when, in local days: past periods' figures count these (absent on rows derived before version 4) */
  linkSpans?: LinkSpan[];
  createdBy: string;
  createdAt: string;
  memberCount: number;
  lastVisitAt?: string;
  lastVisitBy?: string;
  nextDueOn: string;
  /** the target days between visits: a past day's due date is worked out from it (src/domain/due-as-of.ts) */
  visitIntervalDays?: number;
  visitCount: number;
  openRequestCount: number;
  hasGps: 0 | 1;
  lat?: number;
  lng?: number;
  mergedInto?: string;
  archived: 0 | 1;
  searchText: string;
  /** 1 when the file holds a field or tag that breaks the stored layout: lists show it flagged, never a blank name */
  flagged?: 1;
  /** the household doc version these rows were derived from */
  docVersion: string;
}

export interface VisitRow {
  id: string;
  /** the household (merge group root) this visit is listed under */
  householdId: string;
  /** the household doc that holds the record: where edits go */
  docHouseholdId: string;
  kind: VisitKind;
  visitorIds: string[];
  createdBy: string;
  visitedAt: string;
  visitedOn: string;
  photoCount: number;
  /** aspects observed as `concern` or `urgent` */
  concerns: string[];
  reviewStatus?: ReviewStatus;
  /** the lead's review comment, shown on the review card */
  reviewComment?: string;
  /** when its member corrected it after the lead asked for a correction */
  correctedAt?: string;
  summary: string;
  nextVisitOn?: string;
  docVersion: string;
}

export interface RequestRow {
  id: string;
  householdId: string;
  docHouseholdId: string;
  visitId?: string;
  category: RequestCategory;
  status: RequestStatus;
  open: 0 | 1;
  ownerId: string;
  createdBy: string;
  /** effective due date (own, else team default after raising) */
  dueOn: string;
  hasOwnDueDate: 0 | 1;
  escalated: 0 | 1;
  /**
   * When the household raised it: the time of the visit it was raised in, else when it was
   * entered (there is no form to back-date a request raised outside a visit). Its age, its
   * default due date and every period figure run from here — read it with `raisedAt(row)`
   * (src/domain/event-time.ts): rows derived by an earlier release do not have it.
   */
  occurredAt?: string;
  /** when it was saved on the phone (audit only; a visit logged weeks later is saved late) */
  createdAt: string;
  closedAt?: string;
  actionCount: number;
  lastActionAt?: string;
  summary: string;
  docVersion: string;
}

export interface RatingRow {
  id: string;
  householdId: string;
  docHouseholdId: string;
  subjectKind: 'visit' | 'request';
  subjectId: string;
  memberId: string;
  level: SatisfactionLevel;
  /**
   * When the household gave it: the rated visit's time, else when it was entered. Period
   * figures and the charts use this — read it with `ratedAt(row)` (src/domain/event-time.ts;
   * rows derived by an earlier release do not have it).
   */
  occurredAt?: string;
  /** when it was saved on the phone (audit only) */
  recordedAt: string;
  docVersion: string;
}

export interface ComplaintRow {
  id: string;
  householdId: string;
  docHouseholdId: string;
  aboutMemberId: string;
  recordedAt: string;
  handled: 0 | 1;
  summary: string;
  docVersion: string;
}

export interface ProjectionRows {
  household: HouseholdRow;
  visits: VisitRow[];
  requests: RequestRow[];
  ratings: RatingRow[];
  complaints: ComplaintRow[];
}

export interface ProjectionContext {
  docVersion: string;
  linkedMemberIds: string[];
  linkSpans?: LinkSpan[];
  requestDueDays: number;
  /** set when this household was merged into another: it then gets no record rows */
  mergedInto?: string;
}

const SUMMARY_LEN = 80;
const snippet = (s: string) => (s.length > SUMMARY_LEN ? `${s.slice(0, SUMMARY_LEN - 1)}…` : s);

/**
 * Rows for one household file (or for a merged group's combined file, see
 * src/domain/merge.ts). A household merged into another keeps its own row, marked
 * `mergedInto`, so links to it resolve; its records are listed under the target.
 */
export function projectHousehold(file: HouseholdFile, ctx: ProjectionContext): ProjectionRows {
  if (ctx.mergedInto) {
    const rows = projectHousehold({ ...file, visits: [], requests: [], ratings: [], complaints: [] }, { ...ctx, mergedInto: undefined });
    return { ...rows, household: { ...rows.household, mergedInto: ctx.mergedInto } };
  }
  const h = file.household;
  // A withdrawn visit (logged on the wrong household) counts nowhere: no row, no last visit,
  // and the rating given in it is no rating of this household's (ADR 0018).
  const visits = file.visits.filter((v) => !v.deletedAt && !v.withdrawn && v.visitedAt);
  const withdrawnVisits = new Set(file.visits.filter((v) => v.withdrawn).map((v) => v.id));
  const last = visits.reduce<(typeof visits)[number] | undefined>((acc, v) => (!acc || v.visitedAt > acc.visitedAt || (v.visitedAt === acc.visitedAt && v.id > acc.id) ? v : acc), undefined);
  const requests = file.requests.filter((r) => !r.deletedAt);
  const docVersion = ctx.docVersion;
  // A request or rating raised in a visit happened when the visit did, not when the phone
  // saved it (a visit logged on 10-15 may be saved on 12-03). Derived here, not stored: a
  // corrected visit time moves them too, and docs written before need no migration (ADR 0012).
  // Deleted visits count: their requests and ratings stay, and still happened then.
  const visitTimes = new Map<string, string>();
  for (const v of file.visits) if (v.visitedAt) visitTimes.set(v.id, v.visitedAt);
  const visitTime = (visitId: string | undefined) => (visitId ? visitTimes.get(visitId) : undefined);

  const household: HouseholdRow = {
    id: h.id,
    teamId: h.teamId,
    headName: h.headName,
    phone: h.phone,
    area: h.address.area,
    address: formatAddress(h.address),
    tags: [...h.tags],
    linkedMemberIds: [...ctx.linkedMemberIds].sort(),
    ...(ctx.linkSpans ? { linkSpans: ctx.linkSpans } : {}),
    createdBy: h.createdBy,
    createdAt: h.createdAt,
    memberCount: h.members.length,
    lastVisitAt: last?.visitedAt,
    lastVisitBy: last?.createdBy,
    nextDueOn: nextDueDate({ lastVisitAt: last?.visitedAt, lastNextVisitOn: last?.nextVisitOn, intervalDays: h.visitIntervalDays, createdAt: h.createdAt || new Date(0).toISOString() }),
    visitIntervalDays: h.visitIntervalDays,
    visitCount: visits.length,
    openRequestCount: requests.filter((r) => !isClosed(r.status)).length,
    hasGps: h.gps ? 1 : 0,
    lat: h.gps?.lat,
    lng: h.gps?.lng,
    mergedInto: undefined,
    archived: h.archived ? 1 : 0,
    searchText: buildSearchText({ headName: h.headName, memberNames: h.members.map((m) => m.name), phones: householdPhones(h), address: formatAddress(h.address) }),
    docVersion,
  };
  if (h.invalid || h.invalidTags) household.flagged = 1;

  return {
    household,
    visits: visits.map((v) => ({
      id: v.id,
      householdId: h.id,
      docHouseholdId: v.householdId,
      kind: v.kind,
      visitorIds: [...v.visitorIds],
      createdBy: v.createdBy,
      visitedAt: v.visitedAt,
      visitedOn: toLocalDate(v.visitedAt),
      photoCount: v.photos.length,
      concerns: OBSERVATION_ASPECTS.filter((a) => v.observations[a]?.level === 'concern' || v.observations[a]?.level === 'urgent'),
      reviewStatus: v.review?.status,
      reviewComment: v.review?.comment || undefined,
      correctedAt: v.correctedAt,
      summary: snippet(v.said || v.notes),
      nextVisitOn: v.nextVisitOn,
      docVersion,
    })),
    requests: requests.map((r) => {
      const occurredAt = visitTime(r.visitId) ?? (r.createdAt || UNKNOWN_TIME);
      return {
        id: r.id,
        householdId: h.id,
        docHouseholdId: r.householdId,
        visitId: r.visitId,
        category: r.category,
        status: r.status,
        open: isClosed(r.status) ? 0 : 1,
        ownerId: r.ownerId,
        createdBy: r.createdBy,
        dueOn: requestDueDate(occurredAt, r.dueOn, ctx.requestDueDays),
        hasOwnDueDate: r.dueOn ? 1 : 0,
        escalated: r.escalated ? 1 : 0,
        occurredAt,
        createdAt: r.createdAt,
        closedAt: isClosed(r.status) ? r.closedAt : undefined,
        actionCount: r.actions.length,
        lastActionAt: r.actions.at(-1)?.at,
        summary: snippet(r.description),
        docVersion,
      };
    }),
    ratings: file.ratings
      .filter((r) => !r.deletedAt && !(r.subjectKind === 'visit' && withdrawnVisits.has(r.subjectId)))
      .map((r) => ({ id: r.id, householdId: h.id, docHouseholdId: r.householdId, subjectKind: r.subjectKind, subjectId: r.subjectId, memberId: r.memberId, level: r.level, occurredAt: (r.subjectKind === 'visit' ? visitTime(r.subjectId) : undefined) ?? r.recordedAt, recordedAt: r.recordedAt, docVersion })),
    complaints: file.complaints
      .filter((c) => !c.deletedAt)
      .map((c) => ({ id: c.id, householdId: h.id, docHouseholdId: c.householdId, aboutMemberId: c.aboutMemberId, recordedAt: c.recordedAt, handled: c.handled ? 1 : 0, summary: snippet(c.text), docVersion })),
  };
}
