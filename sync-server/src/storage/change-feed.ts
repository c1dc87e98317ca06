import { householdDocName, teamDocName } from '#docs/schema';
import type { Db } from './db';
import type { DocStore } from './doc-store';

export interface Reader {
  teamId: string;
  memberId: string;
  deviceId: string;
  lead: boolean;
}

export interface Changes {
  /** the team sequence this answer is consistent with; ask `since` it next time */
  seq: number;
  /** docs this device may read that changed after `since` (by anyone but this device), or became readable */
  changed: string[];
  /** how many docs this device may read in all */
  readable: number;
  /** docs this device could read before and no longer may (unlinked) */
  revoked: string[];
  /** `since` is ahead of the relay (it was restored from a backup): start over with a bundle and upload everything */
  reset?: true;
}

/**
 * "What changed since N", CouchDB-style, without a row per change: each doc keeps the newest
 * sequence (`last_seq`, by `last_device`) and the newest by anyone else (`other_seq`), so
 * "changed after N by someone other than device D" is one comparison per doc. A device's own
 * uploads therefore do not come back to it as changes.
 */
export class ChangeFeed {
  private readonly q;

  constructor(
    db: Db,
    private readonly store: DocStore,
  ) {
    const relevant = '(CASE WHEN d.last_device IS @device THEN d.other_seq ELSE d.last_seq END)';
    this.q = {
      leadChanged: db.prepare<object, { name: string }>(`SELECT d.name FROM docs d WHERE d.team_id = @team AND ${relevant} > @since ORDER BY d.name`),
      leadCount: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM docs WHERE team_id = ?'),
      teamDocChanged: db.prepare<object, { name: string }>(`SELECT d.name FROM docs d WHERE d.name = @name AND ${relevant} > @since`),
      memberChanged: db.prepare<object, { name: string }>(
        `SELECT d.name FROM access a JOIN docs d ON d.team_id = a.team_id AND d.kind = 'household' AND d.household_id = a.household_id
         WHERE a.team_id = @team AND a.member_id = @member AND a.active = 1
           AND (${relevant} > @since OR (a.seq > @since AND a.device_id IS NOT @device))
         ORDER BY d.name`,
      ),
      memberCount: db.prepare<object, { n: number }>(
        `SELECT count(*) AS n FROM access a JOIN docs d ON d.team_id = a.team_id AND d.kind = 'household' AND d.household_id = a.household_id
         WHERE a.team_id = @team AND a.member_id = @member AND a.active = 1`,
      ),
      revoked: db.prepare<object, { household_id: string }>(
        'SELECT household_id FROM access WHERE team_id = @team AND member_id = @member AND active = 0 AND seq > @since ORDER BY household_id',
      ),
      leadNames: db.prepare<object, { name: string }>('SELECT name FROM docs WHERE team_id = @team AND name > @after ORDER BY name LIMIT @limit'),
      memberNames: db.prepare<object, { name: string }>(
        `SELECT d.name FROM docs d WHERE d.team_id = @team AND d.name > @after AND (d.kind = 'team' OR EXISTS (
           SELECT 1 FROM access a WHERE a.team_id = d.team_id AND a.household_id = d.household_id AND a.member_id = @member AND a.active = 1))
         ORDER BY d.name LIMIT @limit`,
      ),
    };
  }

  changes(reader: Reader, sinceIn: number): Changes {
    const seq = this.store.currentSeq(reader.teamId);
    const reset = sinceIn > seq;
    const since = reset ? 0 : sinceIn;
    const p = { team: reader.teamId, member: reader.memberId, device: reader.deviceId, since };
    let changed: string[];
    let readable: number;
    let revoked: string[] = [];
    if (reader.lead) {
      changed = this.q.leadChanged.all(p).map((r) => r.name);
      readable = this.readableCount(reader);
    } else {
      const teamDoc = teamDocName(reader.teamId);
      changed = [...this.q.teamDocChanged.all({ ...p, name: teamDoc }).map((r) => r.name), ...this.q.memberChanged.all(p).map((r) => r.name)];
      readable = this.readableCount(reader);
      if (since > 0) revoked = this.q.revoked.all(p).map((r) => householdDocName(reader.teamId, r.household_id));
    }
    return reset ? { seq, changed, readable, revoked, reset: true } : { seq, changed, readable, revoked };
  }

  /** How many docs this device may read in all. */
  readableCount(reader: Reader): number {
    if (reader.lead) return this.q.leadCount.get(reader.teamId)?.n ?? 0;
    return (this.store.exists(teamDocName(reader.teamId)) ? 1 : 0) + (this.q.memberCount.get({ team: reader.teamId, member: reader.memberId })?.n ?? 0);
  }

  /** Names of the docs this device may read, in name order after `after`. */
  readableNames(reader: Reader, after: string, limit: number): string[] {
    const p = { team: reader.teamId, member: reader.memberId, after, limit };
    return (reader.lead ? this.q.leadNames : this.q.memberNames).all(p).map((r) => r.name);
  }
}
