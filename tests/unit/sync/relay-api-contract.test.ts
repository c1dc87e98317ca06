import { describe, expect, it } from 'vitest';
import { SyncError } from '@/sync/errors';
import { JoinError, redeemInvite } from '@/sync/join';
import { RelayApi, RelayHttpError } from '@/sync/relay-api';

/** A relay that answers every request with `body` (JSON) and `status`. */
function relayAnswering(body: unknown, status = 200): RelayApi {
  const fetch = (async () => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })) as typeof globalThis.fetch;
  return new RelayApi({ base: 'http://relay.test', token: () => 't', teamId: 'team', fetch });
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    (v) => {
      throw new Error(`expected a failure, got ${JSON.stringify(v)}`);
    },
    (e: unknown) => e,
  );
}

const session = { token: 'jwt', expiresAt: '2027-01-06T01:00:00.000Z', teamId: 'team', memberId: 'm1', role: 'member', deviceId: 'd1' };

describe('RelayApi: answers are checked against the API contract', () => {
  it('reads answers that match', async () => {
    expect(await relayAnswering({ seq: 3, changed: ['a'], readable: 2, revoked: [] }).changes(0)).toEqual({ seq: 3, changed: ['a'], readable: 2, revoked: [], reset: false });
    expect((await relayAnswering(session).refreshToken()).token).toBe('jwt');
    expect(await relayAnswering({ devices: [] }).devices()).toEqual([]);
  });

  it.each([
    ['changes', 'seq', (api: RelayApi) => api.changes(0), { seq: '3', changed: [], readable: 0, revoked: [] }],
    ['changes', 'changed.0', (api: RelayApi) => api.changes(0), { seq: 3, changed: [1], readable: 0, revoked: [] }],
    ['refreshToken', 'expiresAt', (api: RelayApi) => api.refreshToken(), { ...session, expiresAt: 12 }],
    ['devices', 'devices.0.memberId', (api: RelayApi) => api.devices(), { devices: [{ deviceId: 'd1' }] }],
    ['createInvite', 'role', (api: RelayApi) => api.createInvite('member'), { code: 'X', teamId: 'team', role: 'boss', expiresAt: session.expiresAt }],
    ['revokeDevice', 'revoked', (api: RelayApi) => api.revokeDevice('d1', 'lost'), { deviceId: 'd1', revoked: 'yes' }],
  ])('%s: an answer that does not match is a server error naming %s', async (_name, path, call, body) => {
    const err = await failure(call(relayAnswering(body)));
    expect(err).toBeInstanceOf(SyncError);
    expect((err as SyncError).code).toBe('server');
    expect((err as SyncError).message).toContain(`API contract at ${path}`);
  });

  it('takes the error code from an error answer, and only the status from one that is not', async () => {
    const coded = await failure(relayAnswering({ error: { code: 'device_revoked', message: 'revoked' } }, 403).changes(0));
    expect(coded).toBeInstanceOf(RelayHttpError);
    expect([(coded as RelayHttpError).serverCode, (coded as RelayHttpError).code]).toEqual(['device_revoked', 'device_revoked']);
    const garbled = await failure(relayAnswering({ error: { code: 403 } }, 403).changes(0));
    expect([(garbled as RelayHttpError).serverCode, (garbled as RelayHttpError).code]).toEqual([undefined, 'forbidden']);
  });
});

describe('redeemInvite: the answer is checked against the API contract', () => {
  const answering = (body: unknown, status = 201) => (async () => new Response(JSON.stringify(body), { status })) as typeof fetch;
  const args = { code: 'ABCD-EFGH-JKMN', memberName: '吴敏', deviceName: 'phone' };

  it('returns an answer that matches', async () => {
    expect(await redeemInvite(args, answering({ ...session, teamName: '一班' }))).toEqual({ ...session, teamName: '一班' });
  });

  it('refuses an answer that does not match as a server error, naming the field', async () => {
    const err = await failure(redeemInvite(args, answering({ ...session, teamName: '一班', role: 'owner' })));
    expect(err).toBeInstanceOf(JoinError);
    expect((err as JoinError).code).toBe('server');
    expect((err as JoinError).message).toContain('API contract at role');
  });
});
