import { CLOSE, type CloseReason } from '../errors';
import type { DeviceRow } from './registry';

/**
 * Where a device stands after a lead's revocation (ADR 0029):
 * - `active`: not revoked;
 * - `retiring`: revoked as replaced, its last upload not yet done — it may write (sockets,
 *   photos, carried files) and refresh its token, but reads nothing new;
 * - `lost`: revoked as lost — every contact is told to erase the phone;
 * - `revoked`: stopped (a replaced phone after its last upload, or revoked without a reason).
 */
export type Revocation = 'active' | 'retiring' | 'lost' | 'revoked';

export function revocationOf(d: Pick<DeviceRow, 'revoked_at' | 'revoke_reason' | 'retired_at'>): Revocation {
  if (!d.revoked_at) return 'active';
  if (d.revoke_reason === 'lost') return 'lost';
  if (d.revoke_reason === 'replaced' && !d.retired_at) return 'retiring';
  return 'revoked';
}

/** How a socket of a device in this state is closed; undefined: it may stay. */
export function closeFor(r: Revocation): CloseReason | undefined {
  return r === 'lost' ? CLOSE.deviceLost : r === 'revoked' ? CLOSE.deviceRevoked : undefined;
}
