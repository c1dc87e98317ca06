import type { Period } from './assessment';
import { localDay } from './local-day';
import type { Role } from './team';

/**
 * Who looks after a household, now and in the past (ADR 0020). The team doc keeps, per
 * household, the members linked now (`assignments`) and every change to them
 * (`assignmentLog`); a household nobody has assigned yet is its registering member's. This
 * module turns those into the household row's `linkedMemberIds` (now) and `linkSpans` (then),
 * and answers "who held it in this period / on this day" for the figures. Pure.
 */

/** One link or unlink, as the team doc's `assignmentLog` keeps it (each under a key of its own, so concurrent changes all stay). */
export interface AssignmentChange {
  memberId: string;
  linked: boolean;
  /** when the lead made the change (an instant) */
  at: string;
  by: string;
}

/** What the team doc says about one household. Present only once the lead has assigned it (even to nobody). */
export interface HouseholdAssignment {
  /** member id → when linked: the links that stand now */
  links: Record<string, string>;
  /** every change, in no particular order */
  changes: AssignmentChange[];
}

/** What the resolution needs to know of each member. */
export interface RosterEntry {
  role: Role;
  leftAt?: string;
}

/**
 * A stretch of local days a member looked after a household: from `from` (inclusive) to `to`
 * (exclusive; open while it lasts). A member holds a day when they were linked at its end,
 * so a hand-over on 07-01 gives the previous member nothing of the period starting that day.
 */
export interface LinkSpan {
  memberId: string;
  from: string;
  to?: string;
}

export interface ResolvedLinks {
  /** who looks after it now: linked members still in the team, or its registering member until the lead assigns it */
  linkedMemberIds: string[];
  linkSpans: LinkSpan[];
}

/** What the household itself contributes: who registered it, when. */
export interface Registration {
  createdBy: string;
  createdAt: string;
}

const byTime = (a: AssignmentChange, b: AssignmentChange) =>
  a.at !== b.at ? (a.at < b.at ? -1 : 1) : a.memberId !== b.memberId ? (a.memberId < b.memberId ? -1 : 1) : Number(a.linked) - Number(b.linked);

/**
 * Who looks after a household now and when each member did.
 * - Never assigned (`assignment` undefined): its registering member, if a member (not a lead)
 *   still in the team — from when they registered it.
 * - Assigned: the links that stand now, without members who have left (a link made offline to
 *   a member who meanwhile left resolves to nobody: the household is unassigned and shows on
 *   the lead's to-do list). The registering member held it until the lead's first change.
 * Spans come from the change log; a link that stands without a logged change (a doc written
 * before the log) runs from when it was made. Every span of a member who left ends then.
 */
export function resolveLinks(assignment: HouseholdAssignment | undefined, roster: ReadonlyMap<string, RosterEntry>, household: Registration): ResolvedLinks {
  const leftAt = (m: string) => roster.get(m)?.leftAt;
  // A member not on the roster yet (a phone that has not read the team doc) is a member: their own registrations stay theirs.
  const registrant = household.createdBy && roster.get(household.createdBy)?.role !== 'lead' ? household.createdBy : undefined;
  const spans: { memberId: string; from: string; to?: string }[] = [];
  if (!assignment) {
    if (registrant && household.createdAt) spans.push({ memberId: registrant, from: household.createdAt });
    const linkedMemberIds = registrant && !leftAt(registrant) ? [registrant] : [];
    return { linkedMemberIds, linkSpans: toDays(spans, leftAt) };
  }
  const changes = [...assignment.changes].sort(byTime);
  const firstAt = [...changes.map((c) => c.at), ...Object.values(assignment.links)].sort()[0];
  if (registrant && household.createdAt && firstAt && household.createdAt < firstAt) spans.push({ memberId: registrant, from: household.createdAt, to: firstAt });
  const open = new Map<string, string>();
  for (const c of changes) {
    if (c.linked && !open.has(c.memberId)) open.set(c.memberId, c.at);
    else if (!c.linked && open.has(c.memberId)) {
      spans.push({ memberId: c.memberId, from: open.get(c.memberId)!, to: c.at });
      open.delete(c.memberId);
    }
  }
  const lastAt = changes.at(-1)?.at;
  for (const [m, at] of Object.entries(assignment.links)) if (!open.has(m)) open.set(m, at);
  for (const [m, from] of open) {
    // The log says linked, the links say not (an unlink by an app without the log): it ended by the last change we know of.
    if (!Object.hasOwn(assignment.links, m)) spans.push({ memberId: m, from, to: lastAt && lastAt > from ? lastAt : from });
    else spans.push({ memberId: m, from });
  }
  const linkedMemberIds = Object.keys(assignment.links)
    .filter((m) => !leftAt(m))
    .sort();
  return { linkedMemberIds, linkSpans: toDays(spans, leftAt) };
}

/** Instants to local days, each span cut at its member's leaving; empty spans dropped; sorted. */
function toDays(spans: { memberId: string; from: string; to?: string }[], leftAt: (m: string) => string | undefined): LinkSpan[] {
  const out: LinkSpan[] = [];
  for (const s of spans) {
    const left = leftAt(s.memberId);
    const end = left && (!s.to || left < s.to) ? left : s.to;
    const from = dayOf(s.from);
    const to = end === undefined ? undefined : dayOf(end);
    if (from === undefined || (end !== undefined && to === undefined)) continue;
    if (to !== undefined && to <= from) continue;
    out.push(to === undefined ? { memberId: s.memberId, from } : { memberId: s.memberId, from, to });
  }
  return out.sort((a, b) => (a.memberId !== b.memberId ? (a.memberId < b.memberId ? -1 : 1) : a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
}

/** The local day of a stored instant; undefined for one that is no time (a flagged record's). */
function dayOf(instant: string): string | undefined {
  return Number.isNaN(Date.parse(instant)) ? undefined : localDay(instant);
}

/** The rows' view of a household's links: spans, or — for a row derived before spans existed — its current links, held throughout. */
interface Linked {
  linkedMemberIds: readonly string[];
  linkSpans?: readonly LinkSpan[];
}

const spansOf = (h: Linked): readonly LinkSpan[] => h.linkSpans ?? h.linkedMemberIds.map((memberId) => ({ memberId, from: '0000-01-01' }));

/** Members who looked after the household on at least one day of the period. */
export function holdersIn(h: Linked, period: Period): string[] {
  const out = new Set<string>();
  for (const s of spansOf(h)) if (s.from <= period.to && (s.to === undefined || s.to > period.from)) out.add(s.memberId);
  return [...out];
}

/** Members who looked after the household on `day` (linked at its end). */
export function holdersOn(h: Linked, day: string): string[] {
  const out = new Set<string>();
  for (const s of spansOf(h)) if (s.from <= day && (s.to === undefined || s.to > day)) out.add(s.memberId);
  return [...out];
}
