import { describe, expect, it } from 'vitest';
import { API, checkBody, errorAnswer, invalidBodyCode } from '@/domain/api-contract';
import type { Invite, OpenInviteRow } from '../../../sync-server/src/auth/registry';
import type { Changes } from '../../../sync-server/src/storage/change-feed';

// Answers in the shapes the relay builds them: typed with the relay's own types where it has
// them, so a field renamed there stops compiling here. relay-api-contract.test.ts checks the
// answers of a running relay against the same schemas.
const ids = { teamId: '0193a5c2-7f00-7000-8000-000000000001', memberId: 'my-own-member-id', deviceId: '0193a5c2-7f00-7000-8000-000000000003' };
const session = { token: 'eyJhbGciOiJIUzI1NiJ9.e30.sig', expiresAt: '2027-01-06T01:00:00.000Z', ...ids, role: 'member' as const };
const invite: Invite = { code: 'ABCD-EFGH-JKMN', inviteId: 'q3X9v0Zb_kL2m-Aa8sD1fw', teamId: ids.teamId, role: 'lead', memberId: ids.memberId, expiresAt: '2026-12-21T01:00:00.000Z' };
const openInvite: OpenInviteRow = { inviteId: invite.inviteId, role: 'member', memberId: ids.memberId, createdAt: '2026-12-07T01:00:00.000Z', expiresAt: invite.expiresAt };
const changes: Changes = { seq: 12, changed: [`h:${ids.teamId}:abc`], readable: 3, revoked: [], reset: true };
const device = { ...ids, memberName: '吴敏', deviceName: 'phone', role: 'lead' as const, createdAt: '2026-12-01T08:00:00.000Z', lastSeenAt: null, revokedAt: '2026-12-02T08:00:00.000Z', revokeReason: 'lost', retiredAt: null, wipeToldAt: '2026-12-02T09:00:00.000Z', wipedAt: '2026-12-02T09:00:01.000Z' };

const answers: { [K in keyof typeof API]: unknown } = {
  redeemInvite: { ...session, teamName: '一班' },
  refreshToken: session,
  createInvite: invite,
  invites: { invites: [openInvite] },
  cancelInvite: { inviteId: invite.inviteId, cancelled: true },
  changes,
  team: { teamId: ids.teamId, name: '一班', seq: 4, me: { deviceId: ids.deviceId, memberId: ids.memberId, role: 'member' } },
  devices: { devices: [device] },
  revokeDevice: { deviceId: ids.deviceId, revoked: true, reason: 'lost' },
  retireDevice: { deviceId: ids.deviceId, at: '2026-12-03T08:00:00.000Z' },
  deviceWiped: { deviceId: ids.deviceId, at: '2026-12-03T08:00:00.000Z' },
  registerKey: { deviceId: ids.deviceId, registered: true },
  carried: { exporter: { deviceId: ids.deviceId, memberId: ids.memberId }, docs: [{ name: `h:${ids.teamId}:abc`, result: 'applied' }], photos: 1 },
};

/** A value of another JSON type than `value`. */
function wrongType(value: unknown): unknown {
  if (typeof value === 'string') return 42;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return 'yes';
  return 'x'; // null, arrays, objects
}

describe('API contract: answers', () => {
  it.each(Object.keys(API) as (keyof typeof API)[])('%s: the answer the relay sends is accepted', (name) => {
    expect(checkBody(API[name].answer, answers[name])).toMatchObject({ ok: true });
  });

  it.each(Object.keys(API) as (keyof typeof API)[])('%s: every field of the wrong type is refused, with its path', (name) => {
    const answer = answers[name] as Record<string, unknown>;
    for (const [key, value] of Object.entries(answer)) {
      const checked = checkBody(API[name].answer, { ...answer, [key]: wrongType(value) });
      expect(checked, key).toMatchObject({ ok: false, path: key });
    }
    expect(checkBody(API[name].answer, 'not an object')).toMatchObject({ ok: false, path: '' });
  });

  it('refuses a nested field of the wrong type and a device list that is no list', () => {
    expect(checkBody(API.devices.answer, { devices: [{ ...device, lastSeenAt: 'yesterday' }] })).toMatchObject({ ok: false, path: 'devices.0.lastSeenAt' });
    expect(checkBody(API.team.answer, { ...(answers.team as object), me: { ...ids, role: 'admin' } })).toMatchObject({ ok: false, path: 'me.role' });
    expect(checkBody(API.changes.answer, { ...changes, seq: -1 })).toMatchObject({ ok: false, path: 'seq' });
    expect(checkBody(API.changes.answer, { ...changes, seq: 1.5 })).toMatchObject({ ok: false, path: 'seq' });
  });

  it('takes a change feed without `readable` (an older relay) as zero readable docs', () => {
    expect(checkBody(API.changes.answer, { seq: 1, changed: [], revoked: [] })).toEqual({ ok: true, value: { seq: 1, changed: [], readable: 0, revoked: [] } });
  });

  it('reads error answers, with and without a path', () => {
    expect(checkBody(errorAnswer, { error: { code: 'member_name_invalid', message: 'memberName: errors.required', path: 'memberName' } }).ok).toBe(true);
    expect(checkBody(errorAnswer, { error: { code: 'forbidden', message: 'only a team lead may do this' } }).ok).toBe(true);
    expect(checkBody(errorAnswer, { error: 'forbidden' })).toMatchObject({ ok: false, path: 'error' });
    expect(checkBody(errorAnswer, '<html>502 Bad Gateway</html>')).toMatchObject({ ok: false });
  });
});

describe('API contract: request bodies', () => {
  const redeem = { code: 'ABCD-EFGH-JKMN', memberName: ' 吴敏 ', deviceName: ' phone ', memberId: 'my-own-member-id' };

  it('accepts what the app sends, trimmed, and takes null or "" as a field not given', () => {
    expect(checkBody(API.redeemInvite.request, redeem)).toEqual({ ok: true, value: { ...redeem, memberName: '吴敏', deviceName: 'phone' } });
    expect(checkBody(API.redeemInvite.request, { ...redeem, memberId: null })).toMatchObject({ ok: true, value: { memberId: undefined } });
    expect(checkBody(API.createInvite.request, {})).toEqual({ ok: true, value: { role: 'member' } });
    expect(checkBody(API.createInvite.request, { role: '', memberId: '' })).toEqual({ ok: true, value: { role: 'member', memberId: undefined } });
    expect(checkBody(API.createInvite.request, { role: 'lead', memberId: 'm-1' })).toEqual({ ok: true, value: { role: 'lead', memberId: 'm-1' } });
  });

  it.each([
    ['code', 7],
    ['code', ''],
    ['code', 'X'.repeat(65)],
    ['memberName', ['吴敏']],
    ['memberName', '   '],
    ['memberName', '名'.repeat(41)],
    ['deviceName', false],
    ['deviceName', 'p'.repeat(61)],
    ['memberId', 12],
    ['memberId', 'has space'],
    ['memberId', 'x'.repeat(65)],
  ])('redeem: %s = %j is refused as <field>_invalid', (field, value) => {
    const checked = checkBody(API.redeemInvite.request, { ...redeem, [field]: value });
    expect(checked).toMatchObject({ ok: false, path: field });
    if (!checked.ok) expect(invalidBodyCode(checked.path)).toBe(`${field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}_invalid`);
  });

  it.each([
    ['role', 'admin'],
    ['role', 1],
    ['role', { role: 'lead' }],
    ['memberId', true],
    ['memberId', '../etc'],
  ])('invite: %s = %j is refused', (field, value) => {
    expect(checkBody(API.createInvite.request, { [field]: value })).toMatchObject({ ok: false, path: field });
  });

  it('names the codes the relay answered before it had schemas, and bad_request for the body itself', () => {
    expect(['memberName', 'deviceName', 'memberId', 'role', 'code', ''].map(invalidBodyCode)).toEqual([
      'member_name_invalid',
      'device_name_invalid',
      'member_id_invalid',
      'role_invalid',
      'code_invalid',
      'bad_request',
    ]);
    expect(checkBody(API.redeemInvite.request, 'code=ABCD')).toMatchObject({ ok: false, path: '' });
  });
});
