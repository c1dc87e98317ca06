import type * as Y from 'yjs';
import { parseDocName } from '#docs/schema';
import { readTeam } from '#docs/team-doc';
import { mergeGroups, resolveMerges } from '#domain/merge';
import type { Role } from '#domain/team';
import { nowIso, type Db } from '../storage/db';
import type { DocStore } from '../storage/doc-store';
import type { DeviceClaims } from './tokens';

export type Decision = { ok: true; readOnly: boolean; via: 'lead' | 'team-doc' | 'linked' | 'unlink-grace' | 'new-household' } | { ok: false; reason: 'forbidden' };

interface TeamState {
  /** household id → linked member ids, from the team doc */
  assignments: Map<string, string[]>;
  /** merge groups (root → every household id of the group), from the team doc */
  mergeGroups: Map<string, string[]>;
  /** member id → role, from the team doc */
  roles: Map<string, Role>;
  /** members marked as left in the team doc: they reach nothing */
  left: Set<string>;
}

/** A decision and until when it holds (an unlink grace runs out by itself). */
interface CachedDecision {
  decision: Decision;
  until: number;
}

/** Cached decisions kept per team before the cache is simply emptied. */
const MAX_CACHED_PER_TEAM = 50_000;

/**
 * Who may open what. A lead: every doc of the team. A member: the team doc read-only, and
 * the households they may reach: linked to them in the team doc's `assignments`, or created
 * by them, or merged with one of those (a merged group is read as one file), or unlinked
 * from them less than the grace period ago (so writes made offline still land). Those reachable households live in the
 * `access` table, each change stamped with the team sequence so the change feed can say
 * "newly linked" and "revoked".
 */
export class AccessControl {
  private readonly teams = new Map<string, TeamState>();
  /** team → `member role doc` → decision; emptied whenever the team's access may have changed */
  private readonly cache = new Map<string, Map<string, CachedDecision>>();
  private readonly q;

  constructor(
    private readonly db: Db,
    private readonly store: DocStore,
    private readonly unlinkGraceMs: number,
  ) {
    this.q = {
      creators: db.prepare<[string], { household_id: string; created_by_member: string }>(
        `SELECT household_id, created_by_member FROM docs WHERE team_id = ? AND kind = 'household' AND created_by_member IS NOT NULL`,
      ),
      rows: db.prepare<[string], { household_id: string; member_id: string; active: number }>('SELECT household_id, member_id, active FROM access WHERE team_id = ?'),
      upsert: db.prepare(
        `INSERT INTO access (team_id, household_id, member_id, active, seq, changed_at, device_id) VALUES (@team, @hid, @member, @active, @seq, @at, @device)
         ON CONFLICT (team_id, household_id, member_id) DO UPDATE SET active = @active, seq = @seq, changed_at = @at, device_id = @device`,
      ),
      one: db.prepare<[string, string, string], { active: number; changed_at: string }>('SELECT active, changed_at FROM access WHERE team_id = ? AND household_id = ? AND member_id = ?'),
      anyActive: db.prepare<[string, string], { x: number }>('SELECT 1 AS x FROM access WHERE team_id = ? AND household_id = ? AND active = 1 LIMIT 1'),
    };
  }

  /** Whether the team doc has been read (the relay keeps team docs loaded while it runs). */
  knows(teamId: string): boolean {
    return this.teams.has(teamId);
  }

  /** Read the live team doc after it loaded or changed, and record access that changed. */
  syncTeam(teamId: string, teamDoc: Y.Doc): void {
    const snap = readTeam(teamDoc);
    const roles = new Map<string, Role>(snap.members.map((m) => [m.id, m.role]));
    const left = new Set(snap.members.filter((m) => m.leftAt).map((m) => m.id));
    this.teams.set(teamId, { assignments: snap.assignments, mergeGroups: mergeGroups(resolveMerges(snap.merges)), roles, left });
    this.cache.delete(teamId);
    this.refresh(teamId);
  }

  /**
   * A household doc got its first content (call inside the transaction that stored it, with
   * its sequence number): its creator may reach it from now on.
   */
  householdCreated(teamId: string, householdId: string, by: { memberId: string; deviceId: string }, seq: number): void {
    this.cache.delete(teamId);
    if (this.teams.get(teamId)?.assignments.has(householdId)) return;
    this.q.upsert.run({ team: teamId, hid: householdId, member: by.memberId, active: 1, seq, at: nowIso(), device: by.deviceId });
  }

  /** The role that counts: the team doc's (leads may promote and demote), else the token's. */
  role(claims: DeviceClaims): Role {
    return this.teams.get(claims.teamId)?.roles.get(claims.memberId) ?? claims.role;
  }

  decide(claims: DeviceClaims, docName: string, now = Date.now()): Decision {
    return this.judge(claims, docName, now).decision;
  }

  /**
   * `decide`, remembered until the team doc changes, a household is created, or an unlink
   * grace runs out: cheap enough to ask on every write of an open socket.
   */
  decideCached(claims: DeviceClaims, docName: string, now = Date.now()): Decision {
    let team = this.cache.get(claims.teamId);
    const key = `${claims.memberId}\u0000${claims.role}\u0000${docName}`;
    const hit = team?.get(key);
    if (hit && now < hit.until) return hit.decision;
    const judged = this.judge(claims, docName, now);
    if (!team || team.size >= MAX_CACHED_PER_TEAM) {
      team = new Map();
      this.cache.set(claims.teamId, team);
    }
    team.set(key, judged);
    return judged.decision;
  }

  private judge(claims: DeviceClaims, docName: string, now: number): CachedDecision {
    const forever = (decision: Decision): CachedDecision => ({ decision, until: Infinity });
    const parsed = parseDocName(docName);
    if (!parsed || parsed.teamId !== claims.teamId) return forever({ ok: false, reason: 'forbidden' });
    if (this.teams.get(claims.teamId)?.left.has(claims.memberId)) return forever({ ok: false, reason: 'forbidden' });
    if (this.role(claims) === 'lead') return forever({ ok: true, readOnly: false, via: 'lead' });
    if (parsed.kind === 'team') return forever({ ok: true, readOnly: true, via: 'team-doc' });
    const hid = parsed.id!;
    const row = this.q.one.get(claims.teamId, hid, claims.memberId);
    if (row?.active) return forever({ ok: true, readOnly: false, via: 'linked' });
    if (row) {
      const ends = Date.parse(row.changed_at) + this.unlinkGraceMs;
      if (now < ends) return { decision: { ok: true, readOnly: false, via: 'unlink-grace' }, until: ends };
    }
    // A household no one has stored or been linked to yet is being created by this device.
    if (!row && !this.q.anyActive.get(claims.teamId, hid) && !this.store.exists(docName) && !this.teams.get(claims.teamId)?.assignments.has(hid)) {
      return forever({ ok: true, readOnly: false, via: 'new-household' });
    }
    return forever({ ok: false, reason: 'forbidden' });
  }

  /** Recompute who reaches which household and record the differences under one new sequence number. */
  private refresh(teamId: string): void {
    const team = this.teams.get(teamId);
    if (!team) return;
    const want = new Set<string>();
    const key = (hid: string, member: string) => `${hid}\u0000${member}`;
    for (const [hid, members] of team.assignments) for (const m of members) want.add(key(hid, m));
    // The access rule (docs/sync-protocol.md): a member reaches what is linked to them or what they created.
    for (const c of this.q.creators.all(teamId)) want.add(key(c.household_id, c.created_by_member));
    // A merged group is read as one file (src/domain/merge.ts): whoever reaches one of its
    // households reaches all of them, or the merged view would miss records.
    for (const ids of team.mergeGroups.values()) {
      const members = new Set<string>();
      for (const k of want) {
        const [hid, member] = k.split('\u0000') as [string, string];
        if (ids.includes(hid)) members.add(member);
      }
      for (const hid of ids) for (const m of members) want.add(key(hid, m));
    }
    const changes: { hid: string; member: string; active: number }[] = [];
    const seen = new Set<string>();
    for (const r of this.q.rows.all(teamId)) {
      const k = key(r.household_id, r.member_id);
      seen.add(k);
      const active = want.has(k) ? 1 : 0;
      if (active !== r.active) changes.push({ hid: r.household_id, member: r.member_id, active });
    }
    for (const k of want) {
      if (seen.has(k)) continue;
      const [hid, member] = k.split('\u0000') as [string, string];
      changes.push({ hid, member, active: 1 });
    }
    if (changes.length === 0) return;
    this.db.transaction(() => {
      const seq = this.store.nextSeq(teamId);
      const at = nowIso();
      for (const c of changes) this.q.upsert.run({ team: teamId, hid: c.hid, member: c.member, active: c.active, seq, at, device: null });
    })();
  }
}
