import type { IncomingMessage, ServerResponse } from 'node:http';
import { readTeam, upsertTeamMember } from '#docs/team-doc';
import { API, type ApiDevice } from '#domain/api-contract';
import { newId } from '#domain/ids';
import type { DeviceRow } from '../auth/registry';
import { closeFor, revocationOf } from '../auth/revocation';
import { CLOSE, RelayError } from '../errors';
import type { Services } from '../services';
import { RELAY_ORIGIN } from '../sync/team-docs';
import { authenticate, requireLead } from './authenticate';
import { sendBundle } from './bundle';
import { receiveCarried } from './carried';
import { readBody, sendAnswer } from './respond';

export const deviceJson = (d: DeviceRow): ApiDevice => ({
  deviceId: d.id,
  memberId: d.member_id,
  memberName: d.member_name,
  deviceName: d.device_name,
  role: d.role,
  createdAt: d.created_at,
  lastSeenAt: d.last_seen_at,
  revokedAt: d.revoked_at,
  revokeReason: d.revoke_reason,
  retiredAt: d.retired_at,
  wipeToldAt: d.wipe_told_at,
  wipedAt: d.wiped_at,
});

/** A percent-encoded path segment; malformed encoding is the caller's mistake (400), not ours. */
export function decodePathSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new RelayError(400, 'bad_request', 'malformed percent-encoding in the path');
  }
}

/** The JSON API under /api. Each handler authenticates first (except redeeming an invite). */
/** `client` is the caller's address (through trusted proxies: the phone's, not the proxy's). */
export async function handleApi(s: Services, req: IncomingMessage, res: ServerResponse, url: URL, client: string): Promise<void> {
  const route = `${req.method} ${url.pathname}`;
  switch (route) {
    case 'POST /api/invites/redeem':
      return redeem(s, req, res, client);
    case 'POST /api/token/refresh': {
      const c = await authenticate(s, req, { forRefresh: true });
      if (c.role !== c.device.role) await s.registry.setRole(c.device.id, c.role);
      const t = await s.tokens.sign({ deviceId: c.device.id, teamId: c.claims.teamId, memberId: c.claims.memberId, role: c.role });
      return sendAnswer(res, 200, API.refreshToken.answer, { ...t, teamId: c.claims.teamId, memberId: c.claims.memberId, role: c.role, deviceId: c.device.id });
    }
    case 'POST /api/invites': {
      const c = await authenticate(s, req);
      requireLead(c);
      const { role, memberId } = await readBody(req, API.createInvite.request);
      const invite = await s.registry.createInvite({ teamId: c.claims.teamId, role, createdBy: c.device.id, ttlDays: s.config.inviteTtlDays, ...(memberId ? { memberId } : {}) });
      return sendAnswer(res, 201, API.createInvite.answer, invite);
    }
    case 'GET /api/invites': {
      const c = await authenticate(s, req);
      requireLead(c);
      return sendAnswer(res, 200, API.invites.answer, { invites: await s.registry.openInvites(c.claims.teamId) });
    }
    case 'GET /api/changes': {
      const c = await authenticate(s, req);
      const raw = url.searchParams.get('since') ?? '0';
      const since = Number(raw);
      if (!Number.isSafeInteger(since) || since < 0) throw new RelayError(400, 'bad_request', 'since is a non-negative integer');
      return sendAnswer(res, 200, API.changes.answer, await s.feed.changes(c.reader, since));
    }
    case 'GET /api/bundle': {
      const c = await authenticate(s, req);
      return sendBundle(s, c, url.searchParams, res);
    }
    case 'GET /api/devices': {
      const c = await authenticate(s, req);
      requireLead(c);
      return sendAnswer(res, 200, API.devices.answer, { devices: (await s.registry.devices(c.claims.teamId)).map(deviceJson) });
    }
    case 'POST /api/devices/key': {
      // A device that joined before signing keys registers its key (once; ADR 0023).
      const c = await authenticate(s, req);
      const { publicKey } = await readBody(req, API.registerKey.request);
      if (!(await s.registry.registerKey(c.device.id, publicKey))) throw new RelayError(409, 'key_exists', 'this device already registered another signing key');
      s.log.info({ device: c.device.id }, 'signing key registered');
      return sendAnswer(res, 200, API.registerKey.answer, { deviceId: c.device.id, registered: true });
    }
    case 'POST /api/carried': {
      // Carried files a replaced phone holds go up with its last upload (ADR 0029).
      const c = await authenticate(s, req, { lastUpload: true });
      return receiveCarried(s, c, req, res);
    }
    case 'POST /api/devices/retire': {
      // A replaced phone's last upload is done: from now on it is refused (ADR 0029).
      const c = await authenticate(s, req, { lastUpload: true });
      if (!(await s.registry.retire(c.device.id))) throw new RelayError(409, 'not_replaced', 'this device is not a replaced one waiting for its last upload');
      s.sessions.closeDevice(c.device.id, CLOSE.deviceRevoked);
      const at = (await s.registry.device(c.device.id))!.retired_at!;
      s.log.info({ device: c.device.id }, 'replaced device made its last upload');
      return sendAnswer(res, 200, API.retireDevice.answer, { deviceId: c.device.id, at });
    }
    case 'POST /api/devices/wiped': {
      // A lost phone erased itself; the lead sees when (ADR 0029). Said once.
      const c = await authenticate(s, req, { wiped: true });
      if (!(await s.registry.wiped(c.device.id))) throw new RelayError(409, 'not_lost', 'this device is not a lost one, or already said it was erased');
      const at = (await s.registry.device(c.device.id))!.wiped_at!;
      s.log.info({ device: c.device.id }, 'lost device confirmed it erased itself');
      return sendAnswer(res, 200, API.deviceWiped.answer, { deviceId: c.device.id, at });
    }
    case 'GET /api/team': {
      const c = await authenticate(s, req);
      const team = readTeam(await s.teamDocs.get(c.claims.teamId));
      return sendAnswer(res, 200, API.team.answer, {
        teamId: c.claims.teamId,
        name: team.name || ((await s.registry.team(c.claims.teamId))?.name ?? ''),
        seq: await s.store.currentSeq(c.claims.teamId),
        me: { deviceId: c.device.id, memberId: c.claims.memberId, role: c.role },
      });
    }
  }
  const revoke = /^\/api\/devices\/([^/]+)\/revoke$/.exec(url.pathname);
  if (revoke && req.method === 'POST') {
    const c = await authenticate(s, req);
    const id = decodePathSegment(revoke[1]!);
    const target = await s.registry.device(id);
    if (!target || target.team_id !== c.claims.teamId) throw new RelayError(404, 'not_found', 'no such device in this team');
    if (id !== c.device.id) requireLead(c);
    // No body (an older app, a script): a plain revocation, as before reasons existed.
    const hasBody = req.headers['content-type'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    const { reason } = hasBody ? await readBody(req, API.revokeDevice.request) : { reason: undefined };
    await s.registry.revoke(id, reason ?? null);
    const now = (await s.registry.device(id))!;
    // The phone learns at once if it is connected: lost erases itself, replaced makes its
    // last upload on a new socket (ADR 0029). A repeated revoke answers with the reason that holds.
    const held = now.revoke_reason;
    const closed = s.sessions.closeDevice(id, revocationOf(now) === 'retiring' ? CLOSE.deviceReplaced : (closeFor(revocationOf(now)) ?? CLOSE.deviceRevoked));
    // …and on every other relay at once (they would also notice within a second by polling).
    await s.cluster.publish({ type: 'device-revoked', deviceId: id, ...(held ? { close: held } : {}) }).catch((e: unknown) => s.log.warn({ err: String(e) }, 'could not tell the other relays'));
    s.log.info({ by: c.device.id, device: id, reason: held, socketsClosed: closed }, 'device revoked');
    return sendAnswer(res, 200, API.revokeDevice.answer, { deviceId: id, revoked: true, reason: held });
  }
  const cancel = /^\/api\/invites\/([^/]+)\/cancel$/.exec(url.pathname);
  if (cancel && req.method === 'POST') {
    const c = await authenticate(s, req);
    requireLead(c);
    const id = decodePathSegment(cancel[1]!);
    // Used, expired, cancelled, another team's or unknown: all the same to the caller.
    if (!(await s.registry.cancelInvite(c.claims.teamId, id))) throw new RelayError(404, 'not_found', 'no such open invite in this team');
    s.log.info({ by: c.device.id, invite: id }, 'invite cancelled');
    return sendAnswer(res, 200, API.cancelInvite.answer, { inviteId: id, cancelled: true });
  }
  throw new RelayError(404, 'not_found', `no ${req.method} ${url.pathname}`);
}

/**
 * `POST /api/invites/redeem {code, memberName, deviceName, memberId?}`. `memberId` keeps the
 * id a device that started alone already wrote into its records; it may not name someone
 * already on the roster (that needs an invite made for that member).
 */
async function redeem(s: Services, req: IncomingMessage, res: ServerResponse, ip: string): Promise<void> {
  if (!s.redeemFailures.has(ip)) throw new RelayError(429, 'rate_limited', 'too many wrong invite codes; wait a minute');
  const { code, memberName, deviceName, memberId: wantedId, teamId: rejoining, publicKey } = await readBody(req, API.redeemInvite.request);

  let invite;
  try {
    invite = await s.registry.peekInvite(code);
  } catch (e) {
    s.redeemFailures.take(ip);
    throw e;
  }
  if (rejoining && rejoining !== invite.teamId) throw new RelayError(409, 'team_mismatch', 'this invite code is for another team than the one this device is in');
  const teamDoc = await s.teamDocs.get(invite.teamId);
  const roster = new Set(readTeam(teamDoc).members.map((m) => m.id));
  let memberId: string;
  if (invite.memberId) {
    if (wantedId && wantedId !== invite.memberId) throw new RelayError(409, 'member_mismatch', 'this invite is for another member');
    memberId = invite.memberId;
  } else if (wantedId) {
    if (roster.has(wantedId)) throw new RelayError(409, 'member_exists', 'that member is already on the team; ask the lead for an invite for that member');
    memberId = wantedId;
  } else {
    memberId = newId();
  }
  const device = await s.registry.redeem(code, { memberId, memberName, deviceName, ...(publicKey ? { publicKey } : {}) });
  teamDoc.transact(() => upsertTeamMember(teamDoc, { id: memberId, name: memberName, role: invite.role, joinedAt: device.created_at }), RELAY_ORIGIN);
  // The roster change is stored before the device is told it joined.
  await s.relayWrites.flushed(teamDoc.name);
  const t = await s.tokens.sign({ deviceId: device.id, teamId: invite.teamId, memberId, role: invite.role });
  s.log.info({ team: invite.teamId, device: device.id, member: memberId, role: invite.role }, 'device joined');
  sendAnswer(res, 201, API.redeemInvite.answer, {
    ...t,
    teamId: invite.teamId,
    teamName: readTeam(teamDoc).name || ((await s.registry.team(invite.teamId))?.name ?? ''),
    memberId,
    role: invite.role,
    deviceId: device.id,
  });
}
