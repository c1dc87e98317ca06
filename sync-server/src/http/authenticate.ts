import type { IncomingMessage } from 'node:http';
import type { Role } from '#domain/team';
import type { DeviceRow } from '../auth/registry';
import { TokenError, type DeviceClaims } from '../auth/tokens';
import { RelayError } from '../errors';
import type { Services } from '../services';
import type { Reader } from '../storage/change-feed';
import { bearer } from './respond';
import { revocationOf } from '../auth/revocation';

/** An authenticated API caller: a device not revoked (or revoked, where `authenticate`'s options let it in), with the role that counts now. */
export interface Caller {
  claims: DeviceClaims;
  device: DeviceRow;
  role: Role;
  reader: Reader;
}

/**
 * `forRefresh`: an expired token is accepted (for a long grace). `lastUpload`: a replaced
 * phone still owing its last upload is let in (uploads, token refresh, saying it is done).
 * `wiped`: a lost phone is let in to say it erased itself. Everything else a revoked device
 * asks is refused, with what it must do (ADR 0029).
 */
export async function authenticate(s: Services, req: IncomingMessage, opts: { forRefresh?: boolean; lastUpload?: boolean; wiped?: boolean } = {}): Promise<Caller> {
  const token = bearer(req);
  if (!token) throw new RelayError(401, 'token_invalid', 'send Authorization: Bearer <device token>');
  let claims: DeviceClaims;
  try {
    claims = await s.tokens.verify(token, opts);
  } catch (e) {
    if (e instanceof TokenError) {
      throw e.problem === 'token-expired'
        ? new RelayError(401, 'token_expired', 'the device token has expired: refresh it (POST /api/token/refresh)')
        : new RelayError(401, 'token_invalid', 'the device token is not valid');
    }
    throw e;
  }
  const device = await s.registry.device(claims.deviceId);
  if (!device || device.team_id !== claims.teamId) throw new RelayError(401, 'token_invalid', 'unknown device');
  const revocation = revocationOf(device);
  if (revocation === 'lost' && !opts.wiped) {
    await s.registry.wipeTold(device.id);
    throw new RelayError(403, 'device_lost', 'this device was revoked as lost: erase every local record now');
  }
  if (revocation === 'retiring' && !opts.lastUpload && !opts.forRefresh) {
    throw new RelayError(403, 'device_replaced', 'this device was replaced: upload what it holds, then POST /api/devices/retire');
  }
  if (revocation === 'revoked') throw new RelayError(403, 'device_revoked', 'this device was revoked by the team lead');
  if (!s.httpBuckets.take(claims.deviceId)) throw new RelayError(429, 'rate_limited', 'too many requests from this device; retry shortly');
  await s.teamDocs.get(claims.teamId);
  const role = s.access.role(claims);
  return { claims, device, role, reader: { teamId: claims.teamId, memberId: claims.memberId, deviceId: claims.deviceId, lead: role === 'lead' } };
}

export function requireLead(c: Caller): void {
  if (c.role !== 'lead') throw new RelayError(403, 'forbidden', 'only a team lead may do this');
}
