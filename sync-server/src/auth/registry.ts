import crypto from 'node:crypto';
import * as Y from 'yjs';
import type { DevicePublicKey } from '#domain/device-key';
import { teamDocName } from '#docs/schema';
import { initTeam } from '#docs/team-doc';
import { ID_SEGMENT, type RevokeReason } from '#domain/api-contract';
import { newId } from '#domain/ids';
import type { Role } from '#domain/team';
import { RelayError } from '../errors';
import { nowIso } from '../storage/db';
import type { DocStore } from '../storage/doc-store';
import type { Sql } from '../storage/sql';
import { revocationOf, type Revocation } from './revocation';

export interface TeamRow {
  id: string;
  name: string;
  created_at: string;
  seq: number;
}

export interface DeviceRow {
  id: string;
  team_id: string;
  member_id: string;
  member_name: string;
  device_name: string;
  role: Role;
  created_at: string;
  last_seen_at: string | null;
  revoked_at: string | null;
  /** JSON of the device's public signing key (ADR 0023), or null: joined before keys */
  public_key: string | null;
  key_at: string | null;
  /** why it was revoked (ADR 0029); null: before reasons existed, or not revoked */
  revoke_reason: RevokeReason | null;
  /** a replaced device said its last upload was done: refused from then on */
  retired_at: string | null;
  /** a lost device was told to erase itself */
  wipe_told_at: string | null;
  /** a lost device said it had erased everything */
  wiped_at: string | null;
}

export interface Invite {
  code: string;
  inviteId: string;
  teamId: string;
  role: Role;
  memberId?: string;
  expiresAt: string;
}

// One definition for the API's request schemas and the registry's own checks.
export { ID_SEGMENT };

const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32: no I, L, O, U

/** An invite code people can read aloud and type: 12 characters (60 bits) as XXXX-XXXX-XXXX. */
export function newInviteCode(): string {
  const bytes = crypto.randomBytes(12);
  let s = '';
  for (const b of bytes) s += CODE_ALPHABET[b & 31];
  return `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8, 12)}`;
}

/** Case, spaces, dashes and the look-alikes O/I/L do not matter when a code is typed. */
export function normalizeInviteCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

const hashCode = (code: string) => crypto.createHash('sha256').update(normalizeInviteCode(code)).digest('hex');

/**
 * The name an invite is listed and cancelled by: a hash of the code's hash, so the list
 * never gives away anything that would help guess the code.
 */
export const inviteIdOf = (codeHash: string) => crypto.createHash('sha256').update(`invite-id:${codeHash}`).digest('base64url').slice(0, 22);

/** An invite that can still be redeemed, as a lead's team page lists it. */
export interface OpenInviteRow {
  inviteId: string;
  role: Role;
  memberId?: string;
  createdAt: string;
  expiresAt: string;
}

/**
 * Teams, invite codes and devices in SQLite. Used by the relay's HTTP API and by the admin
 * CLI (a separate process on the same database file).
 */
const Q = {
  team: 'SELECT * FROM teams WHERE id = @id',
  teams: `SELECT t.*, (SELECT count(*) FROM devices d WHERE d.team_id = t.id AND d.revoked_at IS NULL) AS devices,
            (SELECT count(*) FROM docs x WHERE x.team_id = t.id) AS docs
     FROM teams t ORDER BY t.created_at`,
  insertTeam: 'INSERT INTO teams (id, name, created_at, seq) VALUES (@id, @name, @at, 0)',
  insertInvite: 'INSERT INTO invites (code_hash, team_id, role, member_id, created_by, created_at, expires_at) VALUES (@hash, @team, @role, @member, @by, @at, @expires)',
  invite: 'SELECT team_id, role, member_id, expires_at, used_at FROM invites WHERE code_hash = @hash',
  useInvite: 'UPDATE invites SET used_at = @at, used_by_device = @device WHERE code_hash = @hash AND used_at IS NULL',
  insertDevice: `INSERT INTO devices (id, team_id, member_id, member_name, device_name, role, created_at, last_seen_at, public_key, key_at)
     VALUES (@id, @team, @member, @memberName, @deviceName, @role, @at, @at, @key, @keyAt)`,
  // First key wins: a key is never replaced (a stolen token must not swap in its own key).
  setKey: 'UPDATE devices SET public_key = @key, key_at = @at WHERE id = @id AND public_key IS NULL',
  openInvites: 'SELECT code_hash, role, member_id, created_at, expires_at FROM invites WHERE team_id = @team AND used_at IS NULL AND expires_at > @now ORDER BY created_at, code_hash',
  // Cancelling expires the invite now: redeeming it then answers `invite_expired`, and no
  // schema change is needed for a state the table can already say.
  cancelInvite: 'UPDATE invites SET expires_at = @now WHERE code_hash = @hash AND team_id = @team AND used_at IS NULL AND expires_at > @now',
  device: 'SELECT * FROM devices WHERE id = @id',
  devices: 'SELECT * FROM devices WHERE team_id = @team ORDER BY created_at, id',
  revoke: 'UPDATE devices SET revoked_at = @at, revoke_reason = @reason WHERE id = @id AND revoked_at IS NULL',
  // A replaced phone that has not yet made its last upload may still be called lost (it did
  // not turn up, or it was stolen after all); nothing else changes a reason once given.
  lostAfterAll: `UPDATE devices SET revoke_reason = 'lost' WHERE id = @id AND revoke_reason = 'replaced' AND retired_at IS NULL`,
  retire: `UPDATE devices SET retired_at = @at WHERE id = @id AND revoke_reason = 'replaced' AND retired_at IS NULL`,
  wipeTold: `UPDATE devices SET wipe_told_at = @at WHERE id = @id AND revoke_reason = 'lost' AND wipe_told_at IS NULL`,
  wiped: `UPDATE devices SET wiped_at = @at WHERE id = @id AND revoke_reason = 'lost' AND wiped_at IS NULL`,
  touch: 'UPDATE devices SET last_seen_at = @at WHERE id = @id',
  setRole: 'UPDATE devices SET role = @role WHERE id = @id',
};

/**
 * Teams, invite codes and devices in the relay's database. Used by the relay's HTTP API and
 * by the admin CLI (a separate process on the same database).
 */
export class Registry {
  constructor(
    private readonly db: Sql,
    private readonly store: DocStore,
  ) {}

  team(id: string): Promise<TeamRow | undefined> {
    return this.db.get<TeamRow>(Q.team, { id });
  }

  teams(): Promise<(TeamRow & { devices: number; docs: number })[]> {
    return this.db.all(Q.teams);
  }

  /** Create a team with its team doc and a code that makes its redeemer the first lead. */
  async createTeam(name: string, inviteTtlDays: number): Promise<{ teamId: string; inviteCode: string; expiresAt: string }> {
    const clean = name.trim();
    if (!clean || clean.length > 80) throw new RelayError(400, 'team_name_invalid', 'a team name has 1 to 80 characters');
    const teamId = newId();
    const doc = new Y.Doc();
    initTeam(doc, { teamId, name: clean });
    const update = Y.encodeStateAsUpdate(doc);
    doc.destroy();
    const invite = await this.db.tx(async (tx) => {
      await tx.run(Q.insertTeam, { id: teamId, name: clean, at: nowIso() });
      await this.store.append(teamDocName(teamId), update, null, undefined, tx);
      return this.createInvite({ teamId, role: 'lead', createdBy: 'admin', ttlDays: inviteTtlDays }, tx);
    });
    return { teamId, inviteCode: invite.code, expiresAt: invite.expiresAt };
  }

  async createInvite(a: { teamId: string; role: Role; createdBy: string; ttlDays: number; memberId?: string }, via: Sql = this.db): Promise<Invite> {
    if (!(await via.get(Q.team, { id: a.teamId }))) throw new RelayError(404, 'team_not_found', `no team ${a.teamId}`);
    if (a.role !== 'member' && a.role !== 'lead') throw new RelayError(400, 'role_invalid', 'role is member or lead');
    if (a.memberId !== undefined && !ID_SEGMENT.test(a.memberId)) throw new RelayError(400, 'member_id_invalid', 'memberId is 1-64 of [0-9a-zA-Z_-]');
    const code = newInviteCode();
    const hash = hashCode(code);
    const expiresAt = new Date(Date.now() + a.ttlDays * 86400_000).toISOString();
    await via.run(Q.insertInvite, { hash, team: a.teamId, role: a.role, member: a.memberId ?? null, by: a.createdBy, at: nowIso(), expires: expiresAt });
    return { code, inviteId: inviteIdOf(hash), teamId: a.teamId, role: a.role, ...(a.memberId ? { memberId: a.memberId } : {}), expiresAt };
  }

  /** Look an invite up without using it. */
  async peekInvite(code: string): Promise<{ teamId: string; role: Role; memberId: string | null }> {
    const row = await this.db.get<{ team_id: string; role: Role; member_id: string | null; expires_at: string; used_at: string | null }>(Q.invite, { hash: hashCode(code) });
    if (!row) throw new RelayError(404, 'invite_invalid', 'no such invite code');
    if (row.used_at) throw new RelayError(410, 'invite_used', 'this invite code was already used');
    if (Date.parse(row.expires_at) < Date.now()) throw new RelayError(410, 'invite_expired', 'this invite code has expired');
    return { teamId: row.team_id, role: row.role, memberId: row.member_id };
  }

  /** Use an invite and register the device, in one transaction (a code works once). */
  async redeem(code: string, device: { memberId: string; memberName: string; deviceName: string; publicKey?: DevicePublicKey }): Promise<DeviceRow> {
    const hash = hashCode(code);
    const invite = await this.peekInvite(code);
    const id = newId();
    const at = nowIso();
    await this.db.tx(async (tx) => {
      if ((await tx.run(Q.useInvite, { at, device: id, hash })) !== 1) throw new RelayError(410, 'invite_used', 'this invite code was already used');
      await tx.run(Q.insertDevice, { id, team: invite.teamId, member: device.memberId, memberName: device.memberName, deviceName: device.deviceName, role: invite.role, at, key: device.publicKey ? JSON.stringify(device.publicKey) : null, keyAt: device.publicKey ? at : null });
    });
    return (await this.device(id))!;
  }

  /** Invites of a team not used, expired or cancelled, oldest first. */
  async openInvites(teamId: string): Promise<OpenInviteRow[]> {
    const rows = await this.db.all<{ code_hash: string; role: Role; member_id: string | null; created_at: string; expires_at: string }>(Q.openInvites, { team: teamId, now: nowIso() });
    return rows.map((r) => ({ inviteId: inviteIdOf(r.code_hash), role: r.role, ...(r.member_id ? { memberId: r.member_id } : {}), createdAt: r.created_at, expiresAt: r.expires_at }));
  }

  /** Cancel an open invite of the team; false when there is no such open invite. */
  async cancelInvite(teamId: string, inviteId: string): Promise<boolean> {
    const now = nowIso();
    const rows = await this.db.all<{ code_hash: string }>(Q.openInvites, { team: teamId, now });
    const row = rows.find((r) => inviteIdOf(r.code_hash) === inviteId);
    if (!row) return false;
    return (await this.db.run(Q.cancelInvite, { hash: row.code_hash, team: teamId, now })) === 1;
  }

  device(id: string): Promise<DeviceRow | undefined> {
    return this.db.get<DeviceRow>(Q.device, { id });
  }

  devices(teamId: string): Promise<DeviceRow[]> {
    return this.db.all<DeviceRow>(Q.devices, { team: teamId });
  }

  /**
   * Register the signing key of a device that joined before keys (ADR 0023). True when stored
   * or when the device already holds this very key; false when it holds another one.
   */
  async registerKey(deviceId: string, key: DevicePublicKey): Promise<boolean> {
    const json = JSON.stringify(key);
    if ((await this.db.run(Q.setKey, { key: json, at: nowIso(), id: deviceId })) === 1) return true;
    return (await this.device(deviceId))?.public_key === json;
  }

  /**
   * Revoke a device for a reason (ADR 0029); false when nothing changed (unknown, or already
   * revoked — except a replaced phone still owing its last upload, which may become lost).
   */
  async revoke(deviceId: string, reason: RevokeReason | null): Promise<boolean> {
    if ((await this.db.run(Q.revoke, { at: nowIso(), id: deviceId, reason })) === 1) return true;
    return reason === 'lost' && (await this.db.run(Q.lostAfterAll, { id: deviceId })) === 1;
  }

  /** A replaced device's last upload is done; false when it was not waiting for one. */
  async retire(deviceId: string): Promise<boolean> {
    return (await this.db.run(Q.retire, { at: nowIso(), id: deviceId })) === 1;
  }

  /** A lost device was told to erase itself (the first time only). */
  async wipeTold(deviceId: string): Promise<void> {
    await this.db.run(Q.wipeTold, { at: nowIso(), id: deviceId });
  }

  /** A lost device confirmed it erased everything; false when it was not a lost device or had said so already. */
  async wiped(deviceId: string): Promise<boolean> {
    return (await this.db.run(Q.wiped, { at: nowIso(), id: deviceId })) === 1;
  }

  async touch(deviceId: string): Promise<void> {
    await this.db.run(Q.touch, { at: nowIso(), id: deviceId });
  }

  async setRole(deviceId: string, role: Role): Promise<void> {
    await this.db.run(Q.setRole, { role, id: deviceId });
  }

  /** Devices among `ids` that are revoked now, with where they stand (a retiring one may stay connected). */
  async revokedAmong(ids: string[]): Promise<{ id: string; revocation: Revocation }[]> {
    if (ids.length === 0) return [];
    const p: Record<string, string> = {};
    ids.forEach((id, i) => (p[`d${i}`] = id));
    const rows = await this.db.all<Pick<DeviceRow, 'id' | 'revoked_at' | 'revoke_reason' | 'retired_at'>>(
      `SELECT id, revoked_at, revoke_reason, retired_at FROM devices WHERE revoked_at IS NOT NULL AND id IN (${ids.map((_, i) => `@d${i}`).join(',')})`,
      p,
    );
    return rows.map((r) => ({ id: r.id, revocation: revocationOf(r) }));
  }
}
