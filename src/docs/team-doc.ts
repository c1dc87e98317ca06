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
 * The team doc: `meta`, `members` (roster and roles), `assignments` (household id → a map
 * of linked member ids, each with when it was made), `linkHistory` (household id → every link
 * that ended: who, from when, until when — each under a key of its own, ADR 0020), `tags`
 * (the team's own tags with labels), `settings`. The relay reads `assignments` to decide what each member's device may open.
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

/** Link members to a household. Links are keys of their own so concurrent links all stick. */
export function linkMembers(doc: Y.Doc, householdId: string, memberIds: string[], by: Actor): void {
  doc.transact(() => {
    const links = childMap(root(doc).assignments, householdId);
    for (const id of memberIds) if (!links.has(id)) links.set(id, { at: by.now, by: by.memberId });
  });
}

/**
 * Unlink members from a household. The household counts as assigned from now on (its entry
 * stays, even empty): unlinking its registering member makes it nobody's, not theirs again.
 */
export function unlinkMembers(doc: Y.Doc, householdId: string, memberIds: string[], by: Actor): void {
  doc.transact(() => {
    const r = root(doc);
    const links = childMap(r.assignments, householdId);
    for (const id of memberIds) {
      const link = links.get(id) as { at?: unknown } | undefined;
      // A member not linked here: the household's registering member (theirs until now), or nobody to end.
      endLink(r, householdId, id, typeof link?.at === 'string' ? link.at : undefined, by);
      links.delete(id);
    }
  });
}

/**
 * A member leaves: mark them left and move every household linked to them to `successorId`
 * in the same transaction, so no household is left without anyone for a moment.
 * `registered`: households that are the member's only because they registered them (never
 * assigned, so not in `assignments`): they go to the successor too.
 */
export function memberLeaves(doc: Y.Doc, memberId: string, successorId: string, by: Actor, registered: readonly string[] = []): number {
  let moved = 0;
  doc.transact(() => {
    const r = root(doc);
    setField(childMap(r.members, memberId), 'leftAt', by.now);
    const linkedIds = [...r.assignments.entries()].filter(([, links]) => links instanceof Y.Map && links.has(memberId)).map(([hid]) => hid);
    for (const hid of linkedIds) {
      unlinkMembers(doc, hid, [memberId], by);
      linkMembers(doc, hid, [successorId], by);
      moved++;
    }
    const ended = new Set([...r.linkHistory.values()].map((e) => (e as { householdId?: unknown } | null)?.householdId));
    for (const hid of registered) {
      if (r.assignments.has(hid) || ended.has(hid)) continue;
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
  doc.transact(() => {
    const r = root(doc);
    setField(r.merges, sourceId, { into: targetId, at: by.now, by: by.memberId });
    const from = r.assignments.get(sourceId);
    if (from instanceof Y.Map) linkMembers(doc, targetId, [...from.keys()], by);
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

/** Linked member ids of one household, read straight from the doc (the relay uses this). */
export function linkedMembers(doc: Y.Doc, householdId: string): string[] {
  const links = root(doc).assignments.get(householdId);
  return links instanceof Y.Map ? [...links.keys()].sort() : [];
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
  const assignments = new Map<string, string[]>();
  for (const [hid, links] of r.assignments.entries()) {
    if (!(links instanceof Y.Map) || !v.is(recordKeySchema, hid)) continue;
    const ids = [...links.keys()].filter((k) => v.is(recordKeySchema, k));
    if (ids.length > 0) assignments.set(hid, ids.sort());
  }
  const assignmentHistory = readAssignmentHistory(r);
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
 * (what breaks it is left out). A household with an entry in either map is assigned, even
 * when nobody is linked to it now (src/domain/assignment.ts).
 */
function readAssignmentHistory(r: ReturnType<typeof root>): Map<string, HouseholdAssignment> {
  const out = new Map<string, HouseholdAssignment>();
  const entry = (hid: string) => {
    let a = out.get(hid);
    if (!a) out.set(hid, (a = { links: {}, ended: [] }));
    return a;
  };
  const linkNode = childNode(TEAM_DOC_LAYOUT.assignments!, '')!;
  for (const [hid, links] of r.assignments.entries()) {
    if (!(links instanceof Y.Map) || !v.is(recordKeySchema, hid)) continue;
    const a = entry(hid);
    for (const [memberId, link] of links.entries()) {
      if (checkWrite(linkNode, memberId, storedOf(link)) === undefined) a.links[memberId] = (link as { at: string }).at;
    }
  }
  for (const [key, link] of r.linkHistory.entries()) {
    if (checkWrite(TEAM_DOC_LAYOUT.linkHistory!, key, storedOf(link)) !== undefined) continue;
    const e = link as EndedLink & { householdId: string };
    entry(e.householdId).ended.push({ memberId: e.memberId, ...(e.from ? { from: e.from } : {}), to: e.to, by: e.by });
  }
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
