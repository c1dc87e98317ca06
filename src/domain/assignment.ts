import type { Period } from './assessment';
import { localDay } from './local-day';
import type { Role } from './team';

/**
 * Who looks after a household, now and in the past (ADR 0020). The team doc keeps, per
 * household, the members linked now and since when (`assignments`) and every link that ended
 * (`linkHistory`); a household nobody has assigned yet is its registering member's. This
 * module turns those into the household row's `linkedMemberIds` (now) and `linkSpans` (then),
 * and answers "who held it in this period / on this day" for the figures. Pure.
 */

/** A link that ended, as the team doc's `linkHistory` keeps it (each under a key of its own, so links ended on two offline devices all stay). */
export interface EndedLink {
  memberId: string;
  /** when the link was made; absent for the registering member's, which runs from the registration */
  from?: string;
  /** when the lead ended it (an instant) */
  to: string;
  by: string;
}

/** What the team doc says about one household. Present only once the lead has assigned it (even to nobody). */
export interface HouseholdAssignment {
  /** member id → when linked: the links that stand now */
  links: Record<string, string>;
  /** every link that ended, in no particular order */
  ended: EndedLink[];
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

/**
 * Who looks after a household now and when each member did.
 * - Never assigned (`assignment` undefined): its registering member, if not a lead and still
 *   in the team — from when they registered it.
 * - Assigned: the links that stand now, without members who have left (a link made offline to
 *   a member who meanwhile left resolves to nobody: the household is unassigned and shows on
 *   the lead's to-do list). The registering member held it until the lead's first change.
 * Spans: the links that stand (from when made), the ended ones, the registration's; every
 * span of a member who left ends then.
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
  const firstAt = [...Object.values(assignment.links), ...assignment.ended.flatMap((e) => (e.from ? [e.from, e.to] : [e.to]))].sort()[0];
  if (registrant && household.createdAt && firstAt && household.createdAt < firstAt) spans.push({ memberId: registrant, from: household.createdAt, to: firstAt });
  for (const e of assignment.ended) {
    const from = e.from ?? household.createdAt;
    if (from) spans.push({ memberId: e.memberId, from, to: e.to });
  }
  for (const [memberId, from] of Object.entries(assignment.links)) spans.push({ memberId, from });
  const linkedMemberIds = Object.keys(assignment.links)
    .filter((m) => !leftAt(m))
    .sort();
  return { linkedMemberIds, linkSpans: toDays(spans, leftAt) };
}

/**
 * Members a household is still linked to in the team doc who have left the team: a lead's
 * device that linked them offline while they were leaving elsewhere. `resolveLinks` counts
 * such a household as looked after by nobody; this says whom it was meant for, so the lead's
 * to-do list can say "assigned to 张伟, who had left" instead of a bare "nobody". Sorted.
 */
export function linkedWhoLeft(assignment: HouseholdAssignment | undefined, roster: ReadonlyMap<string, RosterEntry>): string[] {
  if (!assignment) return [];
  return Object.keys(assignment.links)
    .filter((m) => !!roster.get(m)?.leftAt)
    .sort();
}

/**
 * Instants to local days, each span cut at its member's leaving; empty spans dropped; a
 * member's overlapping spans joined; sorted. The same links give the same spans in whatever
 * order the team doc's changes arrived.
 */
function toDays(spans: { memberId: string; from: string; to?: string }[], leftAt: (m: string) => string | undefined): LinkSpan[] {
  const days: LinkSpan[] = [];
  for (const s of spans) {
    const left = leftAt(s.memberId);
    const end = left && (!s.to || left < s.to) ? left : s.to;
    const from = dayOf(s.from);
    const to = end === undefined ? undefined : dayOf(end);
    if (from === undefined || (end !== undefined && to === undefined)) continue;
    if (to !== undefined && to <= from) continue;
    days.push(to === undefined ? { memberId: s.memberId, from } : { memberId: s.memberId, from, to });
  }
  days.sort((a, b) => (a.memberId !== b.memberId ? (a.memberId < b.memberId ? -1 : 1) : a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  const out: LinkSpan[] = [];
  for (const s of days) {
    const last = out.at(-1);
    if (last && last.memberId === s.memberId && (last.to === undefined || s.from <= last.to)) {
      if (last.to !== undefined && (s.to === undefined || s.to > last.to)) {
        if (s.to === undefined) delete last.to;
        else last.to = s.to;
      }
      continue;
    }
    out.push({ ...s });
  }
  return out;
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
