import type { LocalRecords } from '@/db/local-records';
import { isLocalTeam, saveIdentity, saveSession, type Identity } from '@/db/identity';
import type { DevicePublicKey } from '@/domain/device-key';
import { API, checkBody, errorAnswer, type RedeemInviteAnswer } from '@/domain/api-contract';

/**
 * Joining a team: redeem an invite code at the relay (`POST /api/invites/redeem`, see
 * docs/sync-protocol.md), then — for a device that started alone — move every local doc
 * from its `local-…` team id to the team's id, so nothing typed before joining is lost.
 */

export { finishRekey, rekeyLocalDocs } from './rekey';
import { finishRekey } from './rekey';

export type RedeemResult = RedeemInviteAnswer;

export type JoinErrorCode = 'invite_rejected' | 'network' | 'server';

export class JoinError extends Error {
  constructor(
    readonly code: JoinErrorCode,
    /** the relay's own error code, when it gave one */
    readonly serverCode?: string,
    /** what was wrong, for logs: e.g. the field of an answer that does not match the contract */
    detail?: string,
  ) {
    super([code, serverCode, detail].filter(Boolean).join(': '));
    this.name = 'JoinError';
  }
  get messageKey(): string {
    // Refusals a person can act on get their own words: who should make which code.
    if (this.serverCode === 'member_exists') return 'errors.inviteNotForYou';
    if (this.serverCode === 'member_mismatch') return 'errors.inviteForOther';
    if (this.serverCode === 'team_mismatch') return 'errors.inviteOtherTeam';
    return { invite_rejected: 'errors.inviteRejected', network: 'errors.network', server: 'errors.server' }[this.code];
  }
}

/** An invite as typed or scanned: the bare code, or a link carrying `?code=`. */
export function parseInviteCode(raw: string): string {
  const text = raw.trim();
  if (/^https?:\/\//i.test(text)) {
    try {
      return new URL(text).searchParams.get('code')?.trim() ?? '';
    } catch {
      return '';
    }
  }
  return text.replace(/\s+/g, '');
}

export async function redeemInvite(args: { code: string; memberName: string; deviceName: string; memberId?: string; teamId?: string; publicKey?: DevicePublicKey }, fetchImpl: typeof fetch = fetch): Promise<RedeemResult> {
  let res: Response;
  try {
    res = await fetchImpl('/api/invites/redeem', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(args),
    });
  } catch {
    throw new JoinError('network');
  }
  const body: unknown = await res.json().catch(() => undefined);
  const error = checkBody(errorAnswer, body);
  const serverCode = error.ok ? error.value.error.code : undefined;
  if (res.status >= 400 && res.status < 500) throw new JoinError('invite_rejected', serverCode);
  if (!res.ok) throw new JoinError('server', serverCode);
  // An answer that does not match the contract (src/domain/api-contract.ts) is the relay's
  // fault: nothing of it is stored as this device's identity.
  const answer = checkBody(API.redeemInvite.answer, body);
  if (!answer.ok) throw new JoinError('server', undefined, `the answer does not match the API contract at ${answer.path || 'its top level'}`);
  return answer.value;
}

/**
 * Join with a redeemed invite: store the session, switch the identity to the team (keeping
 * `rekeyFrom` until the local docs are moved, so a crash resumes the move), move the docs.
 */
export async function joinTeam(records: LocalRecords, identity: Identity, redeemed: RedeemResult): Promise<Identity> {
  await saveSession(records.db, { token: redeemed.token, expiresAt: redeemed.expiresAt });
  const from = isLocalTeam(identity.teamId) && identity.teamId !== redeemed.teamId ? identity.teamId : undefined;
  const next: Identity = {
    ...identity,
    memberId: redeemed.memberId,
    deviceId: redeemed.deviceId,
    teamId: redeemed.teamId,
    teamName: redeemed.teamName,
    role: redeemed.role,
    rekeyFrom: from,
  };
  if (!from) delete next.rekeyFrom;
  await saveIdentity(records.db, next);
  return finishRekey(records, next);
}
