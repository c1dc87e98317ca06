import * as Y from 'yjs';
import type { EndedLink, HouseholdAssignment } from '#domain/assignment';
import { newId } from '#domain/ids';
import type { Role, TeamMember, TeamSettings } from '#domain/team';
import { DEFAULT_TEAM_SETTINGS } from '#domain/team';
import { checkWrite, childNode, recordKeySchema, TEAM_DOC_LAYOUT, TEAM_MEMBER_LAYOUT } from '#domain/doc-layout';
import * as v from 'valibot';
import { SCHEMA_VERSION } from './schema';
import { childMap, issuesOf, setField, str, validAt } from './ymap';

/**
 * The team doc: `meta`, `members` (roster and roles), `links` (who looks after which household
 * now: one entry per link written, under a fresh key, naming its household and member — ADR
 * 0021), `assignments` (the same as older apps wrote it: household id → a map of linked
 * member ids; read and unlinked, never written any more), `linkHistory` (every link that
 * ended, each under a key of its own — ADR 0020), `merges`, `tags` (the team's own tags with
 * labels), `settings`. The relay reads the links to decide what each member's device may open.
 */

type YMap = Y.Map<unknown>;

export interface CustomTag {
  key: string;
  label: string;
}

export interface TeamSnapshot {
  teamId: string;
  name: string;
  members: TeamMember[];
  /** household id → linked member ids (sorted), as written: members who left included (the relay refuses them anyway) */
  assignments: Map<string, string[]>;
  /** household id → its links and their history, for every household the lead has assigned (even to nobody) */
  assignmentHistory: Map<string, HouseholdAssignment>;
  /** duplicate merges: source household id → the household it was merged into */
  merges: Map<string, string>;
  tags: CustomTag[];
  settings: TeamSettings;
}

const root = (doc: Y.Doc) => ({
  meta: doc.getMap<unknown>('meta'),
  members: doc.getMap<unknown>('members'),
  links: doc.getMap<unknown>('links'),
  assignments: doc.getMap<unknown>('assignments'),
  linkHistory: doc.getMap<unknown>('linkHistory'),
  merges: doc.getMap<unknown>('merges'),
  tags: doc.getMap<unknown>('tags'),
  settings: doc.getMap<unknown>('settings'),
});

export function initTeam(doc: Y.Doc, args: { teamId: string; name: string }): void {
  doc.transact(() => {
    const { meta } = root(doc);
    setField(meta, 'schemaVersion', SCHEMA_VERSION);
    setField(meta, 'kind', 'team');
    setField(meta, 'teamId', args.teamId);
    setField(meta, 'name', args.name);
  });
}

export function renameTeam(doc: Y.Doc, name: string): void {
  doc.transact(() => setField(root(doc).meta, 'name', name));
}

export function upsertTeamMember(doc: Y.Doc, m: TeamMember): void {
  doc.transact(() => {
    const rec = childMap(root(doc).members, m.id);
    setField(rec, 'name', m.name);
    setField(rec, 'role', m.role);
    if (!rec.has('joinedAt')) setField(rec, 'joinedAt', m.joinedAt);
    setField(rec, 'leftAt', m.leftAt);
  });
}

export function setMemberRole(doc: Y.Doc, memberId: string, role: Role): void {
  doc.transact(() => setField(childMap(root(doc).members, memberId), 'role', role));
}

type Actor = { memberId: string; now: string };

/**
 * Keep a link that ends: a key of its own, so links ended on two offline devices all stay. A
 * link that stands is in `assignments` with when it was made; only ended ones are logged, so
 * a team whose households are simply assigned keeps a doc of the same size. `from` is absent
 * for a household's registering member, whose link was never written (src/domain/assignment.ts).
 */
function endLink(r: ReturnType<typeof root>, householdId: string, memberId: string, from: string | undefined, by: Actor): void {
  const ended: EndedLink = { memberId, ...(from ? { from } : {}), to: by.now, by: by.memberId };
  // Flat, under a fresh key: a per-household map created on two offline devices at once would
  // merge to one of the two maps, losing the other device's ends.
  setField(r.linkHistory, newId(), { householdId, ...ended });
}

/** A link that stands, as `links` keeps it (src/domain/doc-layout.ts). */
interface StoredLink {
  householdId: string;
  memberId: string;
  at: string;
  by: string;
}

const isStoredLink = (key: string, link: unknown): link is StoredLink => checkWrite(TEAM_DOC_LAYOUT.links!, key, storedOf(link)) === undefined;
const isNestedLink = (memberId: string, link: unknown): link is { at: string } => checkWrite(childNode(TEAM_DOC_LAYOUT.assignments!, '')!, memberId, storedOf(link)) === undefined;

/**
 * Where each household's links may be, by household and member: the keys of their entries in
 * `links` (a link written on two offline devices has two) and whether an older app's
 * `assignments` has the member. Built without checking values (the layout check costs tens of
 * microseconds an entry, a pass over 2,000 links checked took 200 ms): only the entries of the
 * links a writer touches are checked (`stands`), so the writers see exactly the links the
 * readers see.
 */
type LinkIndex = Map<string, Map<string, LinkPlaces>>;
interface LinkPlaces {
  keys: string[];
  nested: boolean;
}

/**
 * One index per transaction: writers may be called once per household in one transaction (the
 * assignment page's bulk assign, a member leaving). Every write to `links` or `assignments`
 * goes through this module and keeps the index up to date; a remote update is applied in a
 * transaction of its own, which builds a new index.
 */
const indexes = new WeakMap<Y.Transaction, LinkIndex>();

function linkIndex(tr: Y.Transaction, r: ReturnType<typeof root>): LinkIndex {
  let index = indexes.get(tr);
  if (index) return index;
  index = new Map();
  const at = (hid: string, mid: string) => {
    let byMember = index!.get(hid);
    if (!byMember) index!.set(hid, (byMember = new Map()));
    let e = byMember.get(mid);
    if (!e) byMember.set(mid, (e = { keys: [], nested: false }));
    return e;
  };
  for (const [key, link] of r.links.entries()) {
    const l = link as Partial<StoredLink> | null;
    if (typeof l?.householdId === 'string' && typeof l.memberId === 'string') at(l.householdId, l.memberId).keys.push(key);
  }
  for (const [hid, nested] of r.assignments.entries()) if (nested instanceof Y.Map) for (const mid of nested.keys()) at(hid, mid).nested = true;
  indexes.set(tr, index);
  return index;
}

/** The times of a link's entries that the readers take for a link (readAssignmentHistory): empty when it does not stand. */
function standingTimes(r: ReturnType<typeof root>, hid: string, memberId: string, places: LinkPlaces | undefined): string[] {
  if (!places) return [];
  const times: string[] = [];
  for (const key of places.keys) {
    const link = r.links.get(key);
    if (isStoredLink(key, link)) times.push(link.at);
  }
  const nested = places.nested && v.is(recordKeySchema, hid) ? r.assignments.get(hid) : undefined;
  const old = nested instanceof Y.Map ? nested.get(memberId) : undefined;
  if (nested && isNestedLink(memberId, old)) times.push(old.at);
  return times.sort();
}

const stands = (r: ReturnType<typeof root>, hid: string, memberId: string, places: LinkPlaces | undefined) => standingTimes(r, hid, memberId, places).length > 0;

/**
 * Link members to a household. Each link is an entry of its own under a fresh key, so links
 * written on any number of offline devices all stay, whatever Yjs client ids they drew (a
 * per-household map made on two devices at once merged to one of the two, ADR 0021). A
 * member already linked (here or in an older app's `assignments`) keeps their link and its time.
 */
export function linkMembers(doc: Y.Doc, householdId: string, memberIds: string[], by: Actor): void {
  doc.transact((tr) => {
    const r = root(doc);
    const index = linkIndex(tr, r);
    for (const memberId of memberIds) {
      let byMember = index.get(householdId);
      const places = byMember?.get(memberId);
      if (stands(r, householdId, memberId, places)) continue;
      const key = newId();
      const link: StoredLink = { householdId, memberId, at: by.now, by: by.memberId };
      r.links.set(key, link);
      if (!byMember) index.set(householdId, (byMember = new Map()));
      if (places) places.keys.push(key);
      else byMember.set(memberId, { keys: [key], nested: false });
    }
  });
}

/**
 * Unlink members from a household: every entry of the link this device knows (in `links`,
 * and in an older app's `assignments` where it lives) is deleted, and the ended link logged.
 * A link written meanwhile on another offline device is another entry and stays: the lead
 * who unlinked did not see it. The household counts as assigned from now on (the ended link
 * says so): unlinking its registering member makes it nobody's, not theirs again.
 */
export function unlinkMembers(doc: Y.Doc, householdId: string, memberIds: string[], by: Actor): void {
  doc.transact((tr) => {
    const r = root(doc);
    const index = linkIndex(tr, r);
    const nested = r.assignments.get(householdId);
    for (const memberId of memberIds) {
      const places = index.get(householdId)?.get(memberId);
      // From the earliest of its entries (a link written on two devices has two). A member not
      // linked here: the household's registering member (theirs until now), or nobody to end.
      endLink(r, householdId, memberId, standingTimes(r, householdId, memberId, places)[0], by);
      if (!places) continue;
      for (const key of places.keys) r.links.delete(key);
      if (places.nested && nested instanceof Y.Map) nested.delete(memberId);
      index.get(householdId)!.delete(memberId);
    }
  });
}

/** The members linked to a household now, as the readers see them (members who left included). */
function membersOf(r: ReturnType<typeof root>, index: LinkIndex, hid: string): string[] {
  return [...(index.get(hid)?.entries() ?? [])].filter(([m, places]) => stands(r, hid, m, places)).map(([m]) => m);
}

/**
 * A member leaves: mark them left and move every household linked to them to `successorId`
 * in the same transaction, so no household is left without anyone for a moment.
 * `registered`: households that are the member's only because they registered them (never
 * assigned, so linked nowhere): they go to the successor too.
 */
export function memberLeaves(doc: Y.Doc, memberId: string, successorId: string, by: Actor, registered: readonly string[] = []): number {
  let moved = 0;
  doc.transact((tr) => {
    const r = root(doc);
    setField(childMap(r.members, memberId), 'leftAt', by.now);
    const index = linkIndex(tr, r);
    const linkedIds = [...index.entries()].filter(([hid, byMember]) => stands(r, hid, memberId, byMember.get(memberId))).map(([hid]) => hid);
    for (const hid of linkedIds) {
      unlinkMembers(doc, hid, [memberId], by);
      linkMembers(doc, hid, [successorId], by);
      moved++;
    }
    // Assigned (even to nobody): a link, an older app's entry, or an ended link.
    const ended = new Set([...r.linkHistory.values()].map((e) => (e as { householdId?: unknown } | null)?.householdId));
    for (const hid of registered) {
      if (membersOf(r, index, hid).length > 0 || r.assignments.has(hid) || ended.has(hid)) continue;
      unlinkMembers(doc, hid, [memberId], by);
      linkMembers(doc, hid, [successorId], by);
      moved++;
    }
  });
  return moved;
}

/**
 * Record that `sourceId` is a duplicate of `targetId` (see src/domain/merge.ts: records
 * stay where they are; reads unite the group). The source's links move to the target.
 */
export function mergeHouseholds(doc: Y.Doc, sourceId: string, targetId: string, by: { memberId: string; now: string }): void {
  doc.transact((tr) => {
    const r = root(doc);
    setField(r.merges, sourceId, { into: targetId, at: by.now, by: by.memberId });
    const from = membersOf(r, linkIndex(tr, r), sourceId);
    if (from.length) linkMembers(doc, targetId, from, by);
  });
}

/** Undo a merge: the source is its own file again (its records were never moved). */
export function unmergeHousehold(doc: Y.Doc, sourceId: string): void {
  doc.transact(() => {
    const r = root(doc);
    if (r.merges.has(sourceId)) r.merges.delete(sourceId);
  });
}

export function setCustomTag(doc: Y.Doc, tag: CustomTag): void {
  doc.transact(() => setField(root(doc).tags, tag.key, tag.label));
}

export function updateSettings(doc: Y.Doc, settings: Partial<TeamSettings>): void {
  doc.transact(() => {
    for (const [k, v] of Object.entries(settings)) setField(root(doc).settings, k, v);
  });
}

/** Linked member ids of one household, read straight from the doc: its links and an older app's entry (the relay's tests use this). */
export function linkedMembers(doc: Y.Doc, householdId: string): string[] {
  return Object.keys(readAssignmentHistory(root(doc)).get(householdId)?.links ?? {});
}

/**
 * Read the team doc, every record checked against the stored layout (src/domain/doc-layout.ts):
 * a member whose fields have the wrong type reads with defaults and carries `invalid`;
 * assignments, merges and tags whose keys or values break it are left out (the relay
 * refuses them; a doc written before it did may hold them).
 */
export function readTeam(doc: Y.Doc): TeamSnapshot {
  const r = root(doc);
  const M = TEAM_MEMBER_LAYOUT;
  const f = (key: string) => childNode(M, key);
  const members: TeamMember[] = [...r.members.entries()]
    .filter((e): e is [string, YMap] => e[1] instanceof Y.Map)
    .map(([id, m]) => {
      const member: TeamMember = {
        id,
        name: validAt<string>(m, f('name'), 'name') ?? '',
        role: validAt<Role>(m, f('role'), 'role') ?? 'member',
        joinedAt: validAt<string>(m, f('joinedAt'), 'joinedAt') ?? '',
        leftAt: validAt<string>(m, f('leftAt'), 'leftAt'),
      };
      const issues = issuesOf(M, m);
      if (!v.is(recordKeySchema, id)) issues.unshift('id');
      if (issues.length) member.invalid = issues;
      return member;
    })
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  const assignmentHistory = readAssignmentHistory(r);
  const assignments = new Map<string, string[]>();
  for (const [hid, a] of assignmentHistory) {
    const ids = Object.keys(a.links);
    if (ids.length > 0) assignments.set(hid, ids);
  }
  const merges = new Map<string, string>();
  const mergeNode = TEAM_DOC_LAYOUT.merges!;
  for (const [sourceId, m] of r.merges.entries()) {
    if (checkWrite(mergeNode, sourceId, m instanceof Y.AbstractType ? { kind: 'other' } : { kind: 'value', value: m }) !== undefined) continue;
    const into = (m as { into: string }).into;
    if (into !== sourceId) merges.set(sourceId, into);
  }
  const tagNode = TEAM_DOC_LAYOUT.tags!;
  const tags = [...r.tags.entries()]
    .filter((e): e is [string, string] => checkWrite(tagNode, e[0], e[1] instanceof Y.AbstractType ? { kind: 'other' } : { kind: 'value', value: e[1] }) === undefined)
    .map(([key, label]) => ({ key, label }));
  const s = r.settings;
  const S = TEAM_DOC_LAYOUT.settings!;
  const setting = (key: keyof TeamSettings) => validAt<number>(s, childNode(S, key), key) ?? DEFAULT_TEAM_SETTINGS[key];
  return {
    teamId: str(r.meta, 'teamId'),
    name: str(r.meta, 'name'),
    members,
    assignments,
    assignmentHistory,
    merges,
    tags: tags.sort((a, b) => (a.key < b.key ? -1 : 1)),
    settings: {
      defaultVisitIntervalDays: setting('defaultVisitIntervalDays'),
      dueSoonDays: setting('dueSoonDays'),
      requestDueDays: setting('requestDueDays'),
    },
  };
}

/**
 * Every assigned household's links and ended links, each checked against the stored layout
 * (what breaks it is left out). The links that stand are the union of `links` and an older
 * app's `assignments`; a link written on two devices reads once, from the earlier time. A
 * household with an entry in any of the three maps is assigned, even when nobody is linked to
 * it now (src/domain/assignment.ts).
 */
function readAssignmentHistory(r: ReturnType<typeof root>): Map<string, HouseholdAssignment> {
  const out = new Map<string, HouseholdAssignment>();
  const entry = (hid: string) => {
    let a = out.get(hid);
    if (!a) out.set(hid, (a = { links: {}, ended: [] }));
    return a;
  };
  const standing = new Map<string, Map<string, string>>();
  const link = (hid: string, memberId: string, at: string) => {
    entry(hid);
    let byMember = standing.get(hid);
    if (!byMember) standing.set(hid, (byMember = new Map()));
    const known = byMember.get(memberId);
    if (known === undefined || at < known) byMember.set(memberId, at);
  };
  for (const [hid, links] of r.assignments.entries()) {
    if (!(links instanceof Y.Map) || !v.is(recordKeySchema, hid)) continue;
    entry(hid);
    for (const [memberId, l] of links.entries()) if (isNestedLink(memberId, l)) link(hid, memberId, l.at);
  }
  for (const [key, l] of r.links.entries()) if (isStoredLink(key, l)) link(l.householdId, l.memberId, l.at);
  // Sorted by member: the same links read the same in whatever order their entries arrived.
  for (const [hid, byMember] of standing) entry(hid).links = Object.fromEntries([...byMember].sort(([a], [b]) => (a < b ? -1 : 1)));
  for (const [key, l] of r.linkHistory.entries()) {
    if (checkWrite(TEAM_DOC_LAYOUT.linkHistory!, key, storedOf(l)) !== undefined) continue;
    const e = l as EndedLink & { householdId: string };
    entry(e.householdId).ended.push({ memberId: e.memberId, ...(e.from ? { from: e.from } : {}), to: e.to, by: e.by });
  }
  const order = (e: EndedLink) => `${e.memberId}\u0000${e.to}\u0000${e.from ?? ''}\u0000${e.by}`;
  for (const a of out.values()) a.ended.sort((x, y) => (order(x) < order(y) ? -1 : order(x) > order(y) ? 1 : 0));
  return out;
}

const storedOf = (x: unknown) => (x instanceof Y.Map ? { kind: 'map' as const } : x instanceof Y.AbstractType ? { kind: 'other' as const } : { kind: 'value' as const, value: x });

// Duplicate dismissals (不是同一户): a root of their own, kept apart from the assignments.

const dismissals = (doc: Y.Doc) => doc.getMap<unknown>('duplicateDismissals');

/** Record for the whole team that households `a` and `b` are not the same household. */
export function dismissDuplicatePair(doc: Y.Doc, a: string, b: string, by: { memberId: string; now: string }): void {
  const key = a < b ? `${a}|${b}` : `${b}|${a}`;
  const problem = checkWrite(TEAM_DOC_LAYOUT.duplicateDismissals!, key, { kind: 'value', value: { at: by.now, by: by.memberId } });
  if (problem) throw new Error(`cannot dismiss ${key}: ${problem}`);
  doc.transact(() => setField(dismissals(doc), key, { at: by.now, by: by.memberId }));
}

/** Take back every dismissal: the pairs are candidates again on every lead device. */
export function restoreDuplicatePairs(doc: Y.Doc): void {
  doc.transact(() => {
    const m = dismissals(doc);
    for (const key of [...m.keys()]) m.delete(key);
  });
}

/** The dismissed pairs (`a|b`); a key or value of the wrong form is left out. */
export function readDismissedPairs(doc: Y.Doc): Set<string> {
  const node = TEAM_DOC_LAYOUT.duplicateDismissals!;
  const out = new Set<string>();
  for (const [key, value] of dismissals(doc).entries()) if (!checkWrite(node, key, { kind: 'value', value })) out.add(key);
  return out;
}
