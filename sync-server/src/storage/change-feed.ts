import { householdDocName, teamDocName } from '#docs/schema';
import type { DocStore } from './doc-store';
import type { Params, Sql } from './sql';

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

const relevant = '(CASE WHEN d.last_device IS NOT DISTINCT FROM @device THEN d.other_seq ELSE d.last_seq END)';
const Q = {
  leadChanged: `SELECT d.name FROM docs d WHERE d.team_id = @team AND ${relevant} > @since ORDER BY d.name`,
  leadCount: 'SELECT count(*) AS n FROM docs WHERE team_id = @team',
  teamDocChanged: `SELECT d.name FROM docs d WHERE d.name = @name AND ${relevant} > @since`,
  memberChanged: `SELECT d.name FROM access a JOIN docs d ON d.team_id = a.team_id AND d.kind = 'household' AND d.household_id = a.household_id
     WHERE a.team_id = @team AND a.member_id = @member AND a.active = 1
       AND (${relevant} > @since OR (a.seq > @since AND a.device_id IS DISTINCT FROM @device))
     ORDER BY d.name`,
  memberCount: `SELECT count(*) AS n FROM access a JOIN docs d ON d.team_id = a.team_id AND d.kind = 'household' AND d.household_id = a.household_id
     WHERE a.team_id = @team AND a.member_id = @member AND a.active = 1`,
  revoked: 'SELECT household_id FROM access WHERE team_id = @team AND member_id = @member AND active = 0 AND seq > @since ORDER BY household_id',
  leadNames: 'SELECT name FROM docs WHERE team_id = @team AND name > @after ORDER BY name LIMIT @limit',
  memberNames: `SELECT d.name FROM docs d WHERE d.team_id = @team AND d.name > @after AND (d.kind = 'team' OR EXISTS (
       SELECT 1 FROM access a WHERE a.team_id = d.team_id AND a.household_id = d.household_id AND a.member_id = @member AND a.active = 1))
     ORDER BY d.name LIMIT @limit`,
};

/**
 * "What changed since N", CouchDB-style, without a row per change: each doc keeps the newest
 * sequence (`last_seq`, by `last_device`) and the newest by anyone else (`other_seq`), so
 * "changed after N by someone other than device D" is one comparison per doc. A device's own
 * uploads therefore do not come back to it as changes.
 */
export class ChangeFeed {
  constructor(
    private readonly db: Sql,
    private readonly store: DocStore,
  ) {}

  async changes(reader: Reader, sinceIn: number): Promise<Changes> {
    const seq = await this.store.currentSeq(reader.teamId);
    const reset = sinceIn > seq;
    const since = reset ? 0 : sinceIn;
    const p = { team: reader.teamId, member: reader.memberId, device: reader.deviceId, since };
    const names = async (sql: string, params: Params) => (await this.db.all<{ name: string }>(sql, params)).map((r) => r.name);
    let changed: string[];
    let revoked: string[] = [];
    if (reader.lead) {
      changed = await names(Q.leadChanged, p);
    } else {
      const teamDoc = teamDocName(reader.teamId);
      changed = [...(await names(Q.teamDocChanged, { ...p, name: teamDoc })), ...(await names(Q.memberChanged, p))];
      if (since > 0) revoked = (await this.db.all<{ household_id: string }>(Q.revoked, p)).map((r) => householdDocName(reader.teamId, r.household_id));
    }
    const readable = await this.readableCount(reader);
    return reset ? { seq, changed, readable, revoked, reset: true } : { seq, changed, readable, revoked };
  }

  /** How many docs this device may read in all. */
  async readableCount(reader: Reader): Promise<number> {
    if (reader.lead) return (await this.db.get<{ n: number }>(Q.leadCount, { team: reader.teamId }))?.n ?? 0;
    const teamDoc = (await this.store.exists(teamDocName(reader.teamId))) ? 1 : 0;
    return teamDoc + ((await this.db.get<{ n: number }>(Q.memberCount, { team: reader.teamId, member: reader.memberId }))?.n ?? 0);
  }

  /** Names of the docs this device may read, in name order after `after`. */
  async readableNames(reader: Reader, after: string, limit: number): Promise<string[]> {
    const p = { team: reader.teamId, member: reader.memberId, after, limit };
    return (await this.db.all<{ name: string }>(reader.lead ? Q.leadNames : Q.memberNames, p)).map((r) => r.name);
  }
}
