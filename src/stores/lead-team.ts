import { defineStore } from 'pinia';
import { computed } from 'vue';
import type * as Y from 'yjs';
import { localRecords } from '@/db/instance';
import { teamDocName } from '@/docs/schema';
import { linkMembers, memberLeaves, mergeHouseholds, setMemberRole, unlinkMembers, unmergeHousehold, upsertTeamMember } from '@/docs/team-doc';
import { linkedWhoLeft, type RosterEntry } from '@/domain/assignment';
import { DomainError } from '@/domain/errors';
import type { HouseholdRow } from '@/domain/projection';
import { parseMemberName, type Role, type TeamMember } from '@/domain/team';
import { useIdentityStore } from './identity';
import { rememberedRoster } from './remembered-roster';
import { useTeamStore } from './team';

/** A lead action that does not make sense (an unknown member, a merge into itself, …). */
export class LeadActionError extends DomainError {
  constructor(code: 'not_lead' | 'unknown_member' | 'member_left' | 'same_member' | 'same_household' | 'nothing_selected') {
    super(code, `lead.errors.${code}`);
    this.name = 'LeadActionError';
  }
}

/**
 * The lead's changes to the team doc: who looks after which household, roles, a member
 * leaving, duplicate merges. Each action is one write through the one write path, so it is
 * on disk before the screen says so; the team doc is a CRDT, so changes made offline on two
 * devices merge (links are map keys: concurrent links all stick).
 */
export const useLeadTeamStore = defineStore('lead-team', () => {
  const identity = useIdentityStore();
  const team = useTeamStore();

  // Until the team doc is read (after a cold start's first screen), the roster as it was
  // last read: a lead page opened cold draws its members' rows and asks for their figures
  // at once (the figures worker computed them ahead with the same roster).
  const remembered = rememberedRoster(localRecords().db.name) ?? [];
  const members = computed<TeamMember[]>(() => team.snapshot?.members ?? remembered);
  const activeMembers = computed(() => members.value.filter((m) => !m.leftAt));
  const assignments = computed(() => team.snapshot?.assignments ?? new Map<string, string[]>());
  const merges = computed(() => team.snapshot?.merges ?? new Map<string, string>());
  /** household id → members it is still linked to who have left (it counts as unassigned; the lead is told whom it was meant for) */
  const linkedLeft = computed(() => {
    const roster = new Map<string, RosterEntry>(members.value.map((m) => [m.id, { role: m.role, ...(m.leftAt ? { leftAt: m.leftAt } : {}) }]));
    const out = new Map<string, string[]>();
    for (const [hid, a] of team.snapshot?.assignmentHistory ?? []) {
      const left = linkedWhoLeft(a, roster);
      if (left.length) out.set(hid, left);
    }
    return out;
  });
  const me = computed(() => members.value.find((m) => m.id === identity.memberId));
  /** The team doc's word wins over what the invite said: a lead can promote or demote. */
  const isLead = computed(() => (me.value?.role ?? identity.identity?.role) === 'lead');

  function actor() {
    return { memberId: identity.memberId, now: new Date().toISOString() };
  }

  function commit(write: (doc: Y.Doc) => void): Promise<void> {
    if (!isLead.value) throw new LeadActionError('not_lead');
    return localRecords().commit(teamDocName(identity.teamId), write);
  }

  function requireActive(memberId: string): TeamMember {
    const m = members.value.find((x) => x.id === memberId);
    if (!m) throw new LeadActionError('unknown_member');
    if (m.leftAt) throw new LeadActionError('member_left');
    return m;
  }

  /** Link members to households (added to whoever is linked already). */
  async function link(householdIds: string[], memberIds: string[]): Promise<void> {
    if (!householdIds.length || !memberIds.length) throw new LeadActionError('nothing_selected');
    memberIds.forEach(requireActive);
    const by = actor();
    // One transaction: the team doc's writers index its links once for all the households.
    await commit((doc) =>
      doc.transact(() => {
        for (const h of householdIds) linkMembers(doc, h, memberIds, by);
      }),
    );
  }

  async function unlink(householdIds: string[], memberIds: string[]): Promise<void> {
    if (!householdIds.length || !memberIds.length) throw new LeadActionError('nothing_selected');
    const by = actor();
    await commit((doc) =>
      doc.transact(() => {
        for (const h of householdIds) unlinkMembers(doc, h, memberIds, by);
      }),
    );
  }

  /** Hand households to one member: they alone are linked afterwards. */
  async function assign(householdIds: string[], memberId: string): Promise<void> {
    if (!householdIds.length) throw new LeadActionError('nothing_selected');
    requireActive(memberId);
    const by = actor();
    const current = assignments.value;
    await commit((doc) =>
      doc.transact(() => {
        for (const h of householdIds) {
          const others = (current.get(h) ?? []).filter((id) => id !== memberId);
          if (others.length) unlinkMembers(doc, h, others, by);
          linkMembers(doc, h, [memberId], by);
        }
      }),
    );
  }

  /**
   * A member leaves; every household linked to them goes to the successor in the same write —
   * those the lead assigned them and those that are theirs because they registered them
   * (found in `rows`: linked to them but never assigned).
   */
  async function leave(memberId: string, successorId: string, rows: readonly Pick<HouseholdRow, 'id' | 'linkedMemberIds' | 'mergedInto'>[] = []): Promise<void> {
    if (memberId === successorId) throw new LeadActionError('same_member');
    requireActive(memberId);
    requireActive(successorId);
    const by = actor();
    const assigned = team.snapshot?.assignmentHistory ?? new Map();
    const registered = rows.filter((r) => !r.mergedInto && r.linkedMemberIds.includes(memberId) && !assigned.has(r.id)).map((r) => r.id);
    await commit((doc) => {
      memberLeaves(doc, memberId, successorId, by, registered);
    });
  }

  async function setRole(memberId: string, role: Role): Promise<void> {
    requireActive(memberId);
    await commit((doc) => setMemberRole(doc, memberId, role));
  }

  async function rename(memberId: string, name: string): Promise<void> {
    const m = requireActive(memberId);
    const clean = parseMemberName(name);
    await commit((doc) => upsertTeamMember(doc, { ...m, name: clean }));
  }

  /** Merge a duplicate household file into another (by reference: see src/domain/merge.ts). */
  async function merge(sourceId: string, targetId: string): Promise<void> {
    if (sourceId === targetId) throw new LeadActionError('same_household');
    const by = actor();
    await commit((doc) => mergeHouseholds(doc, sourceId, targetId, by));
  }

  async function unmerge(sourceId: string): Promise<void> {
    await commit((doc) => unmergeHousehold(doc, sourceId));
  }

  return { members, activeMembers, assignments, merges, linkedLeft, isLead, link, unlink, assign, leave, setRole, rename, merge, unmerge };
});
