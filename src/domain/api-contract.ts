import * as v from 'valibot';
import { checkPublicKey, type DevicePublicKey } from './device-key';
import { memberNameSchema, roleSchema, type Role } from './team';
import { isoDateTime, requiredText } from './validation';
import { TEXT_LIMITS } from './limits';

/**
 * The relay's JSON API (`/api/*`, docs/sync-protocol.md "API"): one valibot schema per request
 * body and per answer. The relay checks every request body with them and types its answers
 * from them; the app checks every answer with them. Both import this one file, so a field
 * renamed on one side only fails the typecheck or a test, not a phone in the field.
 *
 * Objects are `v.object`: keys the schema does not name are dropped, not refused, so an older
 * app and a newer relay (or the reverse) still understand each other.
 */

/** Member and device ids: what a doc name segment allows (src/docs/schema.ts). */
export const ID_SEGMENT = /^[0-9a-zA-Z_-]{1,64}$/;

export const REVOKE_REASONS = ['replaced', 'lost'] as const;
export type RevokeReason = (typeof REVOKE_REASONS)[number];

const segment = v.pipe(v.string(), v.regex(ID_SEGMENT));
/** sequence numbers and counts */
const count = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const docNames = v.array(v.pipe(v.string(), v.maxLength(300)));

/** An optional field where `null` and `''` also mean "not given", as the relay always took them. */
function omittable<T extends string>(schema: v.GenericSchema<unknown, T>) {
  return v.pipe(
    v.nullish(v.union([v.literal(''), schema])),
    v.transform((x): T | undefined => (x === '' || x == null ? undefined : (x as T))),
  );
}

// ── requests ────────────────────────────────────────────────────────────────────────────

/** A device's public signing key (JWK of an ECDSA P-256 point; ADR 0023). */
const publicKeySchema = v.pipe(
  v.unknown(),
  v.check((k) => checkPublicKey(k) !== undefined, 'a JWK of an ECDSA P-256 public key'),
  v.transform((k): DevicePublicKey => checkPublicKey(k)!),
);

export const redeemInviteRequest = v.object({
  // typed or scanned; the relay normalises case, spaces and dashes itself
  code: v.pipe(v.string(), v.nonEmpty(), v.maxLength(64)),
  memberName: memberNameSchema,
  deviceName: requiredText(TEXT_LIMITS.deviceName),
  /** the id a device that started alone already wrote into its records */
  memberId: omittable(segment),
  /**
   * the team a joined device is joining again (after a revocation): a code of another team
   * is refused (`409 team_mismatch`) before it is used, so the phone's records never end up
   * under a team they do not belong to
   */
  teamId: omittable(segment),
  /** the device's signing key: a file it exports is applied on its authority when a colleague carries it (ADR 0023) */
  publicKey: v.optional(publicKeySchema),
});

/** `POST /api/devices/key`: a device that joined before keys registers one (once). */
export const registerKeyRequest = v.object({ publicKey: publicKeySchema });

export const createInviteRequest = v.object({
  role: v.nullish(v.union([v.pipe(v.literal(''), v.transform((): Role => 'member')), roleSchema]), 'member'),
  /** an invite for that member's next device */
  memberId: omittable(segment),
});

// ── answers ─────────────────────────────────────────────────────────────────────────────

const session = {
  token: v.pipe(v.string(), v.nonEmpty()),
  expiresAt: isoDateTime,
  teamId: segment,
  memberId: segment,
  role: roleSchema,
  deviceId: segment,
};

export const redeemInviteAnswer = v.object({ ...session, teamName: v.string() });
/** `role` is the one that counts now: a lead may have changed it */
export const refreshTokenAnswer = v.object(session);

export const createInviteAnswer = v.object({
  code: v.pipe(v.string(), v.nonEmpty()),
  /** how `GET /api/invites` names it (a relay from before the list sent none) */
  inviteId: v.optional(segment),
  teamId: segment,
  role: roleSchema,
  memberId: v.optional(segment),
  expiresAt: isoDateTime,
});

/**
 * An invite not yet used, expired or cancelled (`GET /api/invites`). The code itself is not
 * kept by the relay (only its hash), so an invite is named by `inviteId`, derived from that hash.
 */
export const openInviteSchema = v.object({
  inviteId: segment,
  role: roleSchema,
  /** an invite for that member's next device */
  memberId: v.optional(segment),
  createdAt: isoDateTime,
  expiresAt: isoDateTime,
});

export const invitesAnswer = v.object({ invites: v.array(openInviteSchema) });

export const cancelInviteAnswer = v.object({ inviteId: segment, cancelled: v.literal(true) });

export const changesAnswer = v.object({
  seq: count,
  changed: docNames,
  // a relay from before `readable` existed sent none: nothing to count
  readable: v.optional(count, 0),
  revoked: docNames,
  /** `since` is ahead of the relay (restored from a backup): start over and upload everything */
  reset: v.optional(v.literal(true)),
});

export const teamAnswer = v.object({
  teamId: segment,
  name: v.string(),
  seq: count,
  me: v.object({ deviceId: segment, memberId: segment, role: roleSchema }),
});

export const deviceSchema = v.object({
  deviceId: segment,
  memberId: segment,
  memberName: v.string(),
  deviceName: v.string(),
  role: roleSchema,
  createdAt: isoDateTime,
  lastSeenAt: v.nullable(isoDateTime),
  revokedAt: v.nullable(isoDateTime),
  // ADR 0029. Optional: an older relay does not send them (nothing of it was ever erased).
  /** why it was revoked; null: revoked before reasons existed */
  revokeReason: v.optional(v.nullable(v.picklist(REVOKE_REASONS)), null),
  /** a replaced phone said its last upload was done */
  retiredAt: v.optional(v.nullable(isoDateTime), null),
  /** a lost phone was told to erase itself (its first contact after the revocation) */
  wipeToldAt: v.optional(v.nullable(isoDateTime), null),
  /** a lost phone said it had erased everything */
  wipedAt: v.optional(v.nullable(isoDateTime), null),
});

export const devicesAnswer = v.object({ devices: v.array(deviceSchema) });

/**
 * Why a lead revokes a phone (ADR 0029): `replaced` — the old phone may upload what it holds
 * one last time, then stops; `lost` — on its next contact it erases every local record.
 */
export const revokeDeviceRequest = v.object({
  /** absent (an older app, a script): stopped at once, nothing uploaded or erased */
  reason: v.optional(v.picklist(REVOKE_REASONS)),
});

/** `reason`: the one that holds now (a second revoke does not change it, except replaced → lost). */
export const revokeDeviceAnswer = v.object({ deviceId: segment, revoked: v.literal(true), reason: v.optional(v.nullable(v.picklist(REVOKE_REASONS)), null) });

/** `POST /api/devices/retire` (a replaced phone's last upload is done) and `/wiped` (a lost phone erased itself). */
export const deviceEndAnswer = v.object({ deviceId: segment, at: isoDateTime });

export const registerKeyAnswer = v.object({ deviceId: segment, registered: v.literal(true) });

/**
 * `POST /api/carried`: a signed file delivered by a carrier, applied with its exporter's
 * rights. Per doc: `applied` (it changed the relay's doc), `unchanged` (the relay had it) or
 * `read-only` (the exporter may read but not write it, e.g. a member and the team doc: not
 * applied, as on a socket).
 */
export const carriedAnswer = v.object({
  exporter: v.object({ deviceId: segment, memberId: segment }),
  docs: v.array(v.object({ name: v.pipe(v.string(), v.maxLength(300)), result: v.picklist(['applied', 'unchanged', 'read-only']) })),
  photos: count,
});

/** Every error answer, with its HTTP status. `path` names the first field of a request body that does not match its schema. */
export const errorAnswer = v.object({
  error: v.object({ code: v.string(), message: v.string(), path: v.optional(v.string()) }),
});

/**
 * Every endpoint with a JSON body in or out. `GET /api/bundle` answers with a bundle file
 * (docs/sync-protocol.md "Bundle format"), not JSON; only its errors are `errorAnswer`.
 */
export const API = {
  redeemInvite: { method: 'POST', path: '/api/invites/redeem', request: redeemInviteRequest, answer: redeemInviteAnswer, status: 201 },
  refreshToken: { method: 'POST', path: '/api/token/refresh', request: undefined, answer: refreshTokenAnswer, status: 200 },
  createInvite: { method: 'POST', path: '/api/invites', request: createInviteRequest, answer: createInviteAnswer, status: 201 },
  invites: { method: 'GET', path: '/api/invites', request: undefined, answer: invitesAnswer, status: 200 },
  cancelInvite: { method: 'POST', path: '/api/invites/<inviteId>/cancel', request: undefined, answer: cancelInviteAnswer, status: 200 },
  changes: { method: 'GET', path: '/api/changes', request: undefined, answer: changesAnswer, status: 200 },
  team: { method: 'GET', path: '/api/team', request: undefined, answer: teamAnswer, status: 200 },
  devices: { method: 'GET', path: '/api/devices', request: undefined, answer: devicesAnswer, status: 200 },
  revokeDevice: { method: 'POST', path: '/api/devices/<deviceId>/revoke', request: revokeDeviceRequest, answer: revokeDeviceAnswer, status: 200 },
  retireDevice: { method: 'POST', path: '/api/devices/retire', request: undefined, answer: deviceEndAnswer, status: 200 },
  deviceWiped: { method: 'POST', path: '/api/devices/wiped', request: undefined, answer: deviceEndAnswer, status: 200 },
  registerKey: { method: 'POST', path: '/api/devices/key', request: registerKeyRequest, answer: registerKeyAnswer, status: 200 },
  /** the body is the `.lianhu` file itself (gzip), not JSON */
  carried: { method: 'POST', path: '/api/carried', request: undefined, answer: carriedAnswer, status: 200 },
} as const;

export type RedeemInviteRequest = v.InferOutput<typeof redeemInviteRequest>;
export type CreateInviteRequest = v.InferOutput<typeof createInviteRequest>;
export type RedeemInviteAnswer = v.InferOutput<typeof redeemInviteAnswer>;
export type RefreshTokenAnswer = v.InferOutput<typeof refreshTokenAnswer>;
export type CreateInviteAnswer = v.InferOutput<typeof createInviteAnswer>;
export type OpenInvite = v.InferOutput<typeof openInviteSchema>;
export type InvitesAnswer = v.InferOutput<typeof invitesAnswer>;
export type CancelInviteAnswer = v.InferOutput<typeof cancelInviteAnswer>;
export type ChangesAnswer = v.InferOutput<typeof changesAnswer>;
export type TeamAnswer = v.InferOutput<typeof teamAnswer>;
export type ApiDevice = v.InferOutput<typeof deviceSchema>;
export type DevicesAnswer = v.InferOutput<typeof devicesAnswer>;
export type RevokeDeviceAnswer = v.InferOutput<typeof revokeDeviceAnswer>;
export type DeviceEndAnswer = v.InferOutput<typeof deviceEndAnswer>;
export type CarriedAnswer = v.InferOutput<typeof carriedAnswer>;
export type ErrorAnswer = v.InferOutput<typeof errorAnswer>;

export type ContractCheck<T> = { ok: true; value: T } | { ok: false; path: string; message: string };

/** Check a body against its schema; on failure, the first failing field as a dotted path ('' for the body itself). */
export function checkBody<S extends v.GenericSchema>(schema: S, body: unknown): ContractCheck<v.InferOutput<S>> {
  const r = v.safeParse(schema, body);
  if (r.success) return { ok: true, value: r.output };
  const issue = r.issues[0];
  return { ok: false, path: v.getDotPath(issue) ?? '', message: issue.message };
}

/**
 * The error code of a request body that does not match: `<field>_invalid` for its first
 * failing field (memberName → `member_name_invalid`, the codes the relay answered before it
 * had schemas), `bad_request` for the body as a whole.
 */
export function invalidBodyCode(path: string): string {
  const field = path.split('.')[0];
  if (!field) return 'bad_request';
  return `${field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}_invalid`;
}
