import type * as Y from 'yjs';
import { parseDocName } from '#docs/schema';
import { readTeam } from '#docs/team-doc';
import { mergeGroups, resolveMerges } from '#domain/merge';
import { ownersWithAccess, ownershipKey, type RequestOwnership } from '#domain/request-access';
import type { Role } from '#domain/team';
import { nowIso } from '../storage/db';
import type { DocStore } from '../storage/doc-store';
import type { Sql } from '../storage/sql';
import type { DeviceClaims } from './tokens';

export type Decision = { ok: true; readOnly: boolean; via: 'lead' | 'team-doc' | 'linked' | 'unlink-grace' | 'new-household' } | { ok: false; reason: 'forbidden' };

interface TeamState {
  /** household id → linked member ids, from the team doc (both its link maps, through readTeam) */
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

const Q = {
  creators: `SELECT household_id, created_by_member FROM docs WHERE team_id = @team AND kind = 'household' AND created_by_member IS NOT NULL`,
  rows: 'SELECT household_id, member_id, active FROM access WHERE team_id = @team',
  upsert: `INSERT INTO access (team_id, household_id, member_id, active, seq, changed_at, device_id) VALUES (@team, @hid, @member, @active, @seq, @at, @device)
     ON CONFLICT (team_id, household_id, member_id) DO UPDATE SET active = @active, seq = @seq, changed_at = @at, device_id = @device`,
  one: 'SELECT active, changed_at FROM access WHERE team_id = @team AND household_id = @hid AND member_id = @member',
  anyActive: 'SELECT 1 AS x FROM access WHERE team_id = @team AND household_id = @hid AND active = 1 LIMIT 1',
  requestOwners: 'SELECT household_id, request_id, owner_id, closed_at FROM request_owners WHERE team_id = @team',
  requestOwnersOf: 'SELECT request_id, owner_id, closed_at FROM request_owners WHERE team_id = @team AND household_id = @hid',
  dropRequestOwners: 'DELETE FROM request_owners WHERE team_id = @team AND household_id = @hid',
  addRequestOwner: 'INSERT INTO request_owners (team_id, household_id, request_id, owner_id, closed_at) VALUES (@team, @hid, @rid, @owner, @closed)',
};

/** Longest wait a Node timer takes (about 24.8 days); a later expiry is looked at again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Who may open what. A lead: every doc of the team. A member: the team doc read-only, and
 * the households they may reach: linked to them in the team doc (`readTeam`: its `links` and
 * the `assignments` older apps wrote, ADR 0021), or created by them, or owning one of its
 * requests (open, or closed less than `closedRequestMs` ago: ADR 0024,
 * src/domain/request-access.ts), or merged with one of those (a merged group is read as one
 * file), or unlinked from them less than the grace period ago (so writes made offline still
 * land). Those reachable households live in the
 * `access` table, each change stamped with the team sequence so the change feed can say
 * "newly linked" and "revoked".
 */
export class AccessControl {
  private readonly teams = new Map<string, TeamState>();
  /** team → `member role doc` → decision; emptied whenever the team's access may have changed */
  private readonly cache = new Map<string, Map<string, CachedDecision>>();
  /** team → settles when the access rows reflect the team doc as last read */
  private readonly refreshing = new Map<string, Promise<void>>();

  constructor(
    private readonly db: Sql,
    private readonly store: DocStore,
    private readonly unlinkGraceMs: number,
    private readonly onError: (e: unknown, teamId: string) => void = () => undefined,
    private readonly closedRequestMs = unlinkGraceMs,
  ) {}

  /** team → the refresh that takes away access of closed requests once they have aged */
  private readonly ageTimers = new Map<string, ReturnType<typeof setTimeout>>();

  /** Stop the aging timers (the relay is closing). */
  close(): void {
    for (const t of this.ageTimers.values()) clearTimeout(t);
    this.ageTimers.clear();
  }

  /** Whether the team doc has been read (the relay keeps team docs loaded while it runs). */
  knows(teamId: string): boolean {
    return this.teams.has(teamId);
  }

  /**
   * Read the live team doc after it loaded or changed, and record access that changed.
   * Refreshes of one team run one after the other; `decide` waits for the last one.
   */
  syncTeam(teamId: string, teamDoc: Y.Doc): Promise<void> {
    const snap = readTeam(teamDoc);
    const roles = new Map<string, Role>(snap.members.map((m) => [m.id, m.role]));
    const left = new Set(snap.members.filter((m) => m.leftAt).map((m) => m.id));
    this.teams.set(teamId, { assignments: snap.assignments, mergeGroups: mergeGroups(resolveMerges(snap.merges)), roles, left });
    return this.queueRefresh(teamId);
  }

  /** Recompute the team's access rows after the ones queued before; `decide` waits for it. */
  private queueRefresh(teamId: string): Promise<void> {
    this.cache.delete(teamId);
    const next = (this.refreshing.get(teamId) ?? Promise.resolve())
      .then(() => this.refresh(teamId))
      .catch((e: unknown) => this.onError(e, teamId))
      // Decisions made while the rows were being written may be stale.
      .finally(() => this.cache.delete(teamId));
    this.refreshing.set(teamId, next);
    void next.then(() => this.refreshing.get(teamId) === next && this.refreshing.delete(teamId));
    return next;
  }

  /** Settles once the access rows reflect the team doc as last read. */
  async settled(teamId: string): Promise<void> {
    await this.refreshing.get(teamId);
  }

  /**
   * A household doc got its first content (call inside the transaction that stored it, with
   * its sequence number): its creator may reach it from now on.
   */
  async householdCreated(tx: Sql, teamId: string, householdId: string, by: { memberId: string; deviceId: string }, seq: number): Promise<void> {
    this.cache.delete(teamId);
    if (this.teams.get(teamId)?.assignments.has(householdId)) return;
    await tx.run(Q.upsert, { team: teamId, hid: householdId, member: by.memberId, active: 1, seq, at: nowIso(), device: by.deviceId });
  }

  /**
   * A household's stored requests may have changed owners (call inside the transaction that
   * stored the write, with what the live doc holds after it): their owners are recorded, and
   * `true` says the team's access must be worked out again (`requestOwnersChanged`, after
   * the commit). `known` is the ownership last recorded for this doc by this relay, if any,
   * so that a write that touches no request costs no statement.
   */
  async recordRequestOwners(tx: Sql, teamId: string, householdId: string, owners: RequestOwnership[], known?: string): Promise<boolean> {
    const live = owners.filter((o) => !o.deletedAt && o.ownerId);
    const key = ownershipKey(live);
    if (known === key) return false;
    const rows = await tx.all<{ request_id: string; owner_id: string; closed_at: string | null }>(Q.requestOwnersOf, { team: teamId, hid: householdId });
    const stored = ownershipKey(rows.map((r) => ({ requestId: r.request_id, ownerId: r.owner_id, ...(r.closed_at ? { closedAt: r.closed_at } : {}) })));
    if (stored === key) return false;
    await tx.run(Q.dropRequestOwners, { team: teamId, hid: householdId });
    for (const o of live) await tx.run(Q.addRequestOwner, { team: teamId, hid: householdId, rid: o.requestId, owner: o.ownerId, closed: o.closedAt ?? null });
    return true;
  }

  /** After `recordRequestOwners` said so and its transaction committed: who reaches what is worked out again. */
  requestOwnersChanged(teamId: string): Promise<void> {
    if (!this.teams.has(teamId)) return Promise.resolve();
    return this.queueRefresh(teamId);
  }

  /** The role that counts: the team doc's (leads may promote and demote), else the token's. */
  role(claims: DeviceClaims): Role {
    return this.teams.get(claims.teamId)?.roles.get(claims.memberId) ?? claims.role;
  }

  async decide(claims: DeviceClaims, docName: string, now = Date.now()): Promise<Decision> {
    return (await this.judge(claims, docName, now)).decision;
  }

  /**
   * `decide`, remembered until the team doc changes, a household is created, or an unlink
   * grace runs out: cheap enough to ask on every write of an open socket.
   */
  async decideCached(claims: DeviceClaims, docName: string, now = Date.now()): Promise<Decision> {
    let team = this.cache.get(claims.teamId);
    const key = `${claims.memberId}\u0000${claims.role}\u0000${docName}`;
    const hit = team?.get(key);
    if (hit && now < hit.until) return hit.decision;
    const judged = await this.judge(claims, docName, now);
    if (!team || team.size >= MAX_CACHED_PER_TEAM) {
      team = new Map();
      this.cache.set(claims.teamId, team);
    }
    team.set(key, judged);
    return judged.decision;
  }

  private async judge(claims: DeviceClaims, docName: string, now: number): Promise<CachedDecision> {
    const forever = (decision: Decision): CachedDecision => ({ decision, until: Infinity });
    const parsed = parseDocName(docName);
    if (!parsed || parsed.teamId !== claims.teamId) return forever({ ok: false, reason: 'forbidden' });
    if (this.teams.get(claims.teamId)?.left.has(claims.memberId)) return forever({ ok: false, reason: 'forbidden' });
    if (this.role(claims) === 'lead') return forever({ ok: true, readOnly: false, via: 'lead' });
    if (parsed.kind === 'team') return forever({ ok: true, readOnly: true, via: 'team-doc' });
    const hid = parsed.id!;
    await this.settled(claims.teamId);
    const row = await this.db.get<{ active: number; changed_at: string }>(Q.one, { team: claims.teamId, hid, member: claims.memberId });
    if (row?.active) return forever({ ok: true, readOnly: false, via: 'linked' });
    if (row) {
      const ends = Date.parse(row.changed_at) + this.unlinkGraceMs;
      if (now < ends) return { decision: { ok: true, readOnly: false, via: 'unlink-grace' }, until: ends };
    }
    // A household no one has stored or been linked to yet is being created by this device.
    if (!row && !this.teams.get(claims.teamId)?.assignments.has(hid) && !(await this.db.get(Q.anyActive, { team: claims.teamId, hid })) && !(await this.store.exists(docName))) {
      return forever({ ok: true, readOnly: false, via: 'new-household' });
    }
    return forever({ ok: false, reason: 'forbidden' });
  }

  /** Work the team's access out again when the next closed request has aged (the earliest `until`). */
  private ageAt(teamId: string, until: number, now: number): void {
    const old = this.ageTimers.get(teamId);
    if (old) clearTimeout(old);
    this.ageTimers.delete(teamId);
    if (!Number.isFinite(until)) return;
    const timer = setTimeout(
      () => {
        this.ageTimers.delete(teamId);
        void this.queueRefresh(teamId);
      },
      Math.min(Math.max(until - now, 0) + 50, MAX_TIMER_MS),
    );
    timer.unref?.();
    this.ageTimers.set(teamId, timer);
  }

  /** Recompute who reaches which household and record the differences under one new sequence number. */
  private async refresh(teamId: string): Promise<void> {
    const team = this.teams.get(teamId);
    if (!team) return;
    const want = new Set<string>();
    const key = (hid: string, member: string) => `${hid}\u0000${member}`;
    for (const [hid, members] of team.assignments) for (const m of members) want.add(key(hid, m));
    // The access rule (docs/sync-protocol.md): a member reaches what is linked to them or what they created.
    for (const c of await this.db.all<{ household_id: string; created_by_member: string }>(Q.creators, { team: teamId })) want.add(key(c.household_id, c.created_by_member));
    // ... or the household of a request they own (ADR 0024): open, or closed not long ago.
    const now = Date.now();
    const byHousehold = new Map<string, RequestOwnership[]>();
    for (const r of await this.db.all<{ household_id: string; request_id: string; owner_id: string; closed_at: string | null }>(Q.requestOwners, { team: teamId })) {
      let list = byHousehold.get(r.household_id);
      if (!list) byHousehold.set(r.household_id, (list = []));
      list.push({ requestId: r.request_id, ownerId: r.owner_id, ...(r.closed_at ? { closedAt: r.closed_at } : {}) });
    }
    let nextAging = Infinity;
    for (const [hid, requests] of byHousehold) {
      for (const [member, until] of ownersWithAccess(requests, now, this.closedRequestMs)) {
        want.add(key(hid, member));
        nextAging = Math.min(nextAging, until);
      }
    }
    this.ageAt(teamId, nextAging, now);
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
    for (const r of await this.db.all<{ household_id: string; member_id: string; active: number }>(Q.rows, { team: teamId })) {
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
    await this.db.tx(async (tx) => {
      const seq = await this.store.nextSeq(tx, teamId);
      const at = nowIso();
      for (const c of changes) await tx.run(Q.upsert, { team: teamId, hid: c.hid, member: c.member, active: c.active, seq, at, device: null });
    });
  }
}
