import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeEnd, encodeHeader, encodeSignature } from '@/docs/bundle';
import { generateDeviceKey, signBytes } from '@/docs/bundle-signature';
import { API, checkBody, errorAnswer } from '@/domain/api-contract';
import { openDatabase } from '../../sync-server/src/storage/db';
import { testDatabaseUrl } from './helpers/backend';
import { api, join, relayProcessPerTest } from './helpers/relay';

// The API contract (src/domain/api-contract.ts) against a relay in its own process: every
// answer matches its schema, and a request body that does not match is a 400 with a code and
// the failing field, never a 500, with nothing stored.

const relays = relayProcessPerTest();

/** A POST with this exact body text (the `api` helper only sends what JSON.stringify makes). */
async function postRaw(url: string, route: string, body: string, token?: string): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${url}${route}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body,
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

/** What the relay stored of teams, invites and devices, read from its database. */
async function stored(dataDir: string): Promise<{ invites: number; usedInvites: number; devices: number; seq: number }> {
  const db = await openDatabase(dataDir, testDatabaseUrl(dataDir));
  const count = async (sql: string) => Number((await db.get<{ n: number | string }>(sql))?.n);
  try {
    return {
      invites: await count('SELECT count(*) AS n FROM invites'),
      usedInvites: await count('SELECT count(*) AS n FROM invites WHERE used_at IS NOT NULL'),
      devices: await count('SELECT count(*) AS n FROM devices'),
      seq: await count('SELECT max(seq) AS n FROM teams'),
    };
  } finally {
    await db.close();
  }
}

/** Each body that does not match: the raw text sent, the status and code expected, the field named. */
type Case = [label: string, body: string, status: number, code: string, path?: string];

async function expectRefused(url: string, route: string, cases: Case[], token?: string): Promise<void> {
  const answers = [];
  for (const [label, body] of cases) answers.push({ label, ...(await postRaw(url, route, body, token)) });
  expect(answers.filter((a) => a.status >= 500)).toEqual([]);
  for (const [i, [label, , status, code, path]] of cases.entries()) {
    const a = answers[i]!;
    expect([label, a.status, checkBody(errorAnswer, a.json)]).toMatchObject([label, status, { ok: true, value: { error: { code, ...(path !== undefined ? { path } : {}) } } }]);
  }
}

const json = (v: unknown) => JSON.stringify(v);

describe('API contract on a running relay', () => {
  it('every answer of /api matches its schema', async () => {
    const { relay, inviteCode } = await relays.startWithTeam();
    const answers: { name: keyof typeof API; status: number; json: unknown }[] = [];

    const redeemed = await api(relay.url, 'POST', '/api/invites/redeem', { body: { code: inviteCode, memberName: '王书记', deviceName: 'laptop' } });
    answers.push({ name: 'redeemInvite', ...redeemed });
    const lead = redeemed.json as { token: string };
    answers.push({ name: 'refreshToken', ...(await api(relay.url, 'POST', '/api/token/refresh', { token: lead.token })) });
    const invited = await api(relay.url, 'POST', '/api/invites', { token: lead.token, body: { role: 'member' } });
    answers.push({ name: 'createInvite', ...invited });
    answers.push({ name: 'invites', ...(await api(relay.url, 'GET', '/api/invites', { token: lead.token })) });
    const spare = await api(relay.url, 'POST', '/api/invites', { token: lead.token, body: { role: 'lead' } });
    answers.push({ name: 'cancelInvite', ...(await api(relay.url, 'POST', `/api/invites/${spare.json.inviteId}/cancel`, { token: lead.token })) });
    const member = await join(relay.url, invited.json.code, '吴敏', 'phone');
    answers.push({ name: 'changes', ...(await api(relay.url, 'GET', '/api/changes?since=0', { token: member.token })) });
    answers.push({ name: 'team', ...(await api(relay.url, 'GET', '/api/team', { token: member.token })) });
    answers.push({ name: 'devices', ...(await api(relay.url, 'GET', '/api/devices', { token: lead.token })) });
    // The member's device registers its signing key, then delivers a file it signed (ADR 0023).
    const key = await generateDeviceKey();
    answers.push({ name: 'registerKey', ...(await api(relay.url, 'POST', '/api/devices/key', { token: member.token, body: { publicKey: key.publicKey } })) });
    const header = encodeHeader({ teamId: member.teamId, createdAt: new Date().toISOString(), source: { kind: 'device', deviceId: member.deviceId, memberId: member.memberId, memberName: '吴敏' } });
    const file = zlib.gzipSync(Buffer.concat([header, encodeSignature(await signBytes(key.privateKey, member.deviceId, header)), encodeEnd({ docs: 0, photos: 0 })]));
    const delivered = await fetch(`${relay.url}/api/carried`, { method: 'POST', headers: { Authorization: `Bearer ${member.token}`, 'Content-Type': 'application/gzip' }, body: file });
    answers.push({ name: 'carried', status: delivered.status, json: await delivered.json() });
    // Replaced: the phone says its last upload is done; lost: another phone says it erased itself (ADR 0029).
    answers.push({ name: 'revokeDevice', ...(await api(relay.url, 'POST', `/api/devices/${member.deviceId}/revoke`, { token: lead.token, body: { reason: 'replaced' } })) });
    answers.push({ name: 'retireDevice', ...(await api(relay.url, 'POST', '/api/devices/retire', { token: member.token })) });
    const lost = await join(relay.url, (await api(relay.url, 'POST', '/api/invites', { token: lead.token, body: {} })).json.code, '赵敏', 'phone');
    expect((await api(relay.url, 'POST', `/api/devices/${lost.deviceId}/revoke`, { token: lead.token, body: { reason: 'lost' } })).status).toBe(200);
    answers.push({ name: 'deviceWiped', ...(await api(relay.url, 'POST', '/api/devices/wiped', { token: lost.token })) });
    answers.push({ name: 'devices', ...(await api(relay.url, 'GET', '/api/devices', { token: lead.token })) });

    for (const a of answers) expect([a.name, a.status, checkBody(API[a.name].answer, a.json)]).toMatchObject([a.name, API[a.name].status, { ok: true }]);
    expect(answers.map((a) => a.name).sort()).toEqual([...Object.keys(API), 'devices'].sort());
    // …and the error answers
    const revoked = await api(relay.url, 'GET', '/api/team', { token: member.token });
    const notLead = await api(relay.url, 'GET', '/api/devices', { token: (await join(relay.url, (await api(relay.url, 'POST', '/api/invites', { token: lead.token, body: {} })).json.code, '李强', 'phone')).token });
    for (const e of [revoked, notLead]) expect([e.status, checkBody(errorAnswer, e.json)]).toMatchObject([403, { ok: true }]);
  });

  it('POST /api/invites/redeem: a body that does not match is a 400 naming the field, and nothing is stored', async () => {
    const { relay, dataDir, inviteCode: code } = await relays.startWithTeam();
    const ok = { code, memberName: '王书记', deviceName: 'laptop' };
    const before = await stored(dataDir);
    await expectRefused(relay.url, '/api/invites/redeem', [
      ['not JSON', '{"code":', 400, 'bad_json'],
      ['an array', json([ok]), 400, 'bad_request'],
      ['null', 'null', 400, 'bad_request'],
      ['a string', json('code'), 400, 'bad_request'],
      ['empty object', '{}', 400, 'code_invalid', 'code'],
      ['code a number', json({ ...ok, code: 12 }), 400, 'code_invalid', 'code'],
      ['a public key that is a private key', json({ ...ok, publicKey: { kty: 'EC', crv: 'P-256', x: 'x'.repeat(43), y: 'y'.repeat(43), d: 'd'.repeat(43) } }), 400, 'public_key_invalid', 'publicKey'],
      ['code 10 000 characters', json({ ...ok, code: 'A'.repeat(10_000) }), 400, 'code_invalid', 'code'],
      ['memberName a number', json({ ...ok, memberName: 5 }), 400, 'member_name_invalid', 'memberName'],
      ['memberName an object', json({ ...ok, memberName: { toString: 'x' } }), 400, 'member_name_invalid', 'memberName'],
      ['memberName 5 000 characters', json({ ...ok, memberName: '名'.repeat(5_000) }), 400, 'member_name_invalid', 'memberName'],
      ['deviceName missing', json({ code, memberName: '王书记' }), 400, 'device_name_invalid', 'deviceName'],
      ['deviceName a list', json({ ...ok, deviceName: ['laptop'] }), 400, 'device_name_invalid', 'deviceName'],
      ['memberId with a slash', json({ ...ok, memberId: '../lead' }), 400, 'member_id_invalid', 'memberId'],
      ['memberId a number', json({ ...ok, memberId: 7 }), 400, 'member_id_invalid', 'memberId'],
      ['memberId true', json({ ...ok, memberId: true }), 400, 'member_id_invalid', 'memberId'],
      ['a body over 64 KB', json({ ...ok, deviceName: 'x'.repeat(70_000) }), 413, 'payload_too_large'],
    ]);
    expect(await stored(dataDir)).toEqual(before);
    // The code was not used up by any of them.
    const joined = await api(relay.url, 'POST', '/api/invites/redeem', { body: ok });
    expect([joined.status, checkBody(API.redeemInvite.answer, joined.json).ok]).toEqual([201, true]);
    expect(await stored(dataDir)).toMatchObject({ usedInvites: 1, devices: 1 });
  });

  it('POST /api/invites: a body that does not match is a 400 naming the field, and no invite is made', async () => {
    const { relay, dataDir, inviteCode } = await relays.startWithTeam();
    const lead = await join(relay.url, inviteCode, '王书记', 'laptop');
    const before = await stored(dataDir);
    await expectRefused(
      relay.url,
      '/api/invites',
      [
        ['not JSON', 'role=lead', 400, 'bad_json'],
        ['an array', json([{ role: 'lead' }]), 400, 'bad_request'],
        ['role unknown', json({ role: 'admin' }), 400, 'role_invalid', 'role'],
        ['role a number', json({ role: 1 }), 400, 'role_invalid', 'role'],
        ['role a list', json({ role: ['lead'] }), 400, 'role_invalid', 'role'],
        ['memberId with a space', json({ role: 'member', memberId: 'a b' }), 400, 'member_id_invalid', 'memberId'],
        ['memberId 100 characters', json({ role: 'member', memberId: 'm'.repeat(100) }), 400, 'member_id_invalid', 'memberId'],
        ['memberId an object', json({ memberId: { id: 'm1' } }), 400, 'member_id_invalid', 'memberId'],
      ],
      lead.token,
    );
    expect(await stored(dataDir)).toEqual(before);
    const made = await api(relay.url, 'POST', '/api/invites', { token: lead.token, body: { role: '', memberId: null } });
    expect([made.status, checkBody(API.createInvite.answer, made.json)]).toMatchObject([201, { ok: true, value: { role: 'member' } }]);
    expect((await stored(dataDir)).invites).toBe(before.invites + 1);
  });
});
