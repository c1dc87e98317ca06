import * as Y from 'yjs';
import type { Role, TeamMember, TeamSettings } from '#domain/team';
import { DEFAULT_TEAM_SETTINGS } from '#domain/team';
import { checkWrite, childNode, recordKeySchema, TEAM_DOC_LAYOUT, TEAM_MEMBER_LAYOUT } from '#domain/doc-layout';
import * as v from 'valibot';
import { SCHEMA_VERSION } from './schema';
import { childMap, issuesOf, setField, str, validAt } from './ymap';

/**
 * The team doc: `meta`, `members` (roster and roles), `assignments` (household id → a map
 * of linked member ids), `tags` (the team's own tags with labels), `settings`. The relay
 * reads `assignments` to decide what each member's device may open.
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
  /** household id → linked member ids (sorted) */
  assignments: Map<string, string[]>;
  /** duplicate merges: source household id → the household it was merged into */
  merges: Map<string, string>;
  tags: CustomTag[];
  settings: TeamSettings;
}

const root = (doc: Y.Doc) => ({
  meta: doc.getMap<unknown>('meta'),
  members: doc.getMap<unknown>('members'),
  assignments: doc.getMap<unknown>('assignments'),
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

/** Link members to a household. Links are keys of their own so concurrent links all stick. */
export function linkMembers(doc: Y.Doc, householdId: string, memberIds: string[], by: { memberId: string; now: string }): void {
  doc.transact(() => {
    const links = childMap(root(doc).assignments, householdId);
    for (const id of memberIds) if (!links.has(id)) links.set(id, { at: by.now, by: by.memberId });
  });
}

export function unlinkMembers(doc: Y.Doc, householdId: string, memberIds: string[]): void {
  doc.transact(() => {
    const links = root(doc).assignments.get(householdId);
    if (!(links instanceof Y.Map)) return;
    for (const id of memberIds) links.delete(id);
  });
}

/**
 * A member leaves: mark them left and move every household linked to them to `successorId`
 * in the same transaction, so no household is left without anyone for a moment.
 */
export function memberLeaves(doc: Y.Doc, memberId: string, successorId: string, by: { memberId: string; now: string }): number {
  let moved = 0;
  doc.transact(() => {
    const r = root(doc);
    setField(childMap(r.members, memberId), 'leftAt', by.now);
    for (const [, links] of r.assignments.entries()) {
      if (!(links instanceof Y.Map) || !links.has(memberId)) continue;
      links.delete(memberId);
      if (!links.has(successorId)) links.set(successorId, { at: by.now, by: by.memberId });
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
    if (from instanceof Y.Map) {
      const to = childMap(r.assignments, targetId);
      for (const memberId of from.keys()) if (!to.has(memberId)) to.set(memberId, { at: by.now, by: by.memberId });
    }
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
    merges,
    tags: tags.sort((a, b) => (a.key < b.key ? -1 : 1)),
    settings: {
      defaultVisitIntervalDays: setting('defaultVisitIntervalDays'),
      dueSoonDays: setting('dueSoonDays'),
      requestDueDays: setting('requestDueDays'),
    },
  };
}
