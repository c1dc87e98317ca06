import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { encodeDoc, encodeEnd, encodeHeader, encodePhoto, encodeSignature, type BundleDoc, type BundlePhoto } from '@/docs/bundle';
import { generateDeviceKey, signBytes, type DevicePublicKey } from '@/docs/bundle-signature';
import { addVisit, createHousehold } from '@/docs/household-doc';
import { householdDocName, teamDocName } from '@/docs/schema';
import { newId } from '@/domain/ids';
import { sha256Hex } from '@/sync/sha256';
import { actor, profile } from './helpers/fixtures';
import { jpegBytes } from './helpers/jpeg';
import { api, createTeam, invite, join, startTestRelay, type Joined, type TestRelay } from './helpers/relay';

// Issue 11 item 2, delivery to the relay (docs/adr/0023-carried-file-delivery.md): a member
// carries a colleague's signed file and posts it; the relay applies it with the EXPORTER's
// rights, or refuses it whole (tampered, unsigned, expired, foreign, revoked, too large, a doc
// the exporter may not write) and writes nothing. Real relay on loopback (and on PostgreSQL in
// the integration-pg project).

let relay: TestRelay | undefined;
afterEach(async () => {
  await relay?.close();
  relay = undefined;
});

interface Member extends Joined {
  name: string;
  key?: CryptoKey;
}

async function joinWithKey(t: TestRelay, code: string, name: string): Promise<Member> {
  const key = await generateDeviceKey();
  const r = await api(t.url, 'POST', '/api/invites/redeem', { body: { code, memberName: name, deviceName: `${name}-phone`, publicKey: key.publicKey } });
  expect(r.status).toBe(201);
  return { ...(r.json as Joined), name, key: key.privateKey };
}

async function team(t: TestRelay, members: string[]) {
  const { teamId, inviteCode } = await createTeam(t);
  const lead = { ...(await join(t.url, inviteCode, '王书记', 'lead-laptop')), name: '王书记' };
  const out: Member[] = [];
  for (const m of members) out.push(await joinWithKey(t, await invite(t, teamId), m));
  return { teamId, lead, members: out };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A `.lianhu` file as the app exports it: header, docs, photos, signature (if a key), end; gzip. */
async function fileOf(a: { teamId: string; exporter: Member; docs: BundleDoc[]; photos?: BundlePhoto[]; createdAt?: string; signer?: { deviceId: string; key: CryptoKey }; tamper?: (raw: Uint8Array) => void }): Promise<Buffer> {
  const photos = a.photos ?? [];
  const signed = concat([
    encodeHeader({ teamId: a.teamId, createdAt: a.createdAt ?? new Date().toISOString(), source: { kind: 'device', deviceId: a.exporter.deviceId, memberId: a.exporter.memberId, memberName: a.exporter.name } }),
    ...a.docs.map(encodeDoc),
    ...photos.map(encodePhoto),
  ]);
  const signer = a.signer ?? (a.exporter.key ? { deviceId: a.exporter.deviceId, key: a.exporter.key } : undefined);
  const raw = concat([signed, ...(signer ? [encodeSignature(await signBytes(signer.key, signer.deviceId, signed))] : []), encodeEnd({ docs: a.docs.length, photos: photos.length })]);
  a.tamper?.(raw);
  return zlib.gzipSync(raw);
}

/** A new household written by `by`, as its v2 update (what an export carries). */
function household(teamId: string, by: Member, headName: string, photo?: { sha256: string; size: number }): { id: string; doc: BundleDoc } {
  const id = newId();
  const doc = new Y.Doc();
  createHousehold(doc, { id, teamId, profile: profile(headName) }, actor(by.memberId));
  addVisit(doc, { id: newId(), kind: 'home', visitorIds: [by.memberId], visitedAt: new Date().toISOString(), observations: {}, said: `${headName}说`, notes: '', photos: photo ? [{ ...photo, mime: 'image/jpeg' }] : [] }, actor(by.memberId));
  const update = Y.encodeStateAsUpdateV2(doc);
  doc.destroy();
  return { id, doc: { name: householdDocName(teamId, id), update } };
}

// Tests assert on the JSON's shape; typing each answer would only restate the assertions.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function deliver(t: TestRelay, carrier: Joined, body: Uint8Array): Promise<{ status: number; json: any }> {
  const res = await fetch(`${t.url}/api/carried`, { method: 'POST', headers: { Authorization: `Bearer ${carrier.token}`, 'Content-Type': 'application/gzip' }, body: body as BodyInit });
  return { status: res.status, json: await res.json() };
}

const readTeamSettings = (doc: Y.Doc) => doc.getMap('settings').toJSON();

async function writes(t: TestRelay): Promise<number> {
  return Number((await t.relay.services.db.get<{ n: number | string }>('SELECT count(*) AS n FROM updates'))!.n);
}

async function creator(t: TestRelay, name: string): Promise<{ member: string; device: string } | undefined> {
  const row = await t.relay.services.db.get<{ created_by_member: string; created_by_device: string }>('SELECT created_by_member, created_by_device FROM docs WHERE name = @name', { name });
  return row && { member: row.created_by_member, device: row.created_by_device };
}

describe('a carried file delivered to the relay', () => {
  it('is applied with the exporter’s rights: the households are the exporter’s, with the photo, and the exporter can read them; the carrier gains nothing', async () => {
    relay = await startTestRelay();
    const { teamId, members } = await team(relay, ['吴敏', '李强']);
    const [wu, li] = members as [Member, Member];
    const bytes = jpegBytes(20_000, 7);
    const sha256 = await sha256Hex(bytes);
    const a = household(teamId, wu, '张大爷', { sha256, size: bytes.length });
    const b = household(teamId, wu, '刘奶奶');
    const file = await fileOf({ teamId, exporter: wu, docs: [a.doc, b.doc], photos: [{ sha256, mime: 'image/jpeg', size: bytes.length, data: bytes }] });

    const r = await deliver(relay, li, file);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ exporter: { deviceId: wu.deviceId, memberId: wu.memberId }, docs: [{ name: a.doc.name, result: 'applied' }, { name: b.doc.name, result: 'applied' }], photos: 1 });
    // Stored under the exporter's device and member, never the carrier's.
    expect(await creator(relay, a.doc.name)).toEqual({ member: wu.memberId, device: wu.deviceId });
    // The exporter may download the photo (its ref is the exporter's); the carrier may not (it is not theirs to see).
    expect((await fetch(`${relay.url}/files/${sha256}`, { headers: { Authorization: `Bearer ${wu.token}` } })).status).toBe(200);
    expect((await fetch(`${relay.url}/files/${sha256}`, { headers: { Authorization: `Bearer ${li.token}` } })).status).toBe(404);
    // The exporter's change feed lists its households as readable; the carrier's does not.
    const wuFeed = await api(relay.url, 'GET', '/api/changes?since=0', { token: wu.token });
    const liFeed = await api(relay.url, 'GET', '/api/changes?since=0', { token: li.token });
    expect(wuFeed.json.readable).toBeGreaterThanOrEqual(2);
    expect(liFeed.json.changed).not.toContain(a.doc.name);

    // The same file again changes nothing and is answered as such (the lead importing it too doubles nothing).
    const again = await deliver(relay, li, file);
    expect([again.status, again.json.docs.map((d: { result: string }) => d.result)]).toEqual([200, ['unchanged', 'unchanged']]);
  });

  it('refuses a tampered, unsigned, expired, foreign-signed or foreign-team file, writing nothing', async () => {
    relay = await startTestRelay();
    const { teamId, members } = await team(relay, ['吴敏', '李强']);
    const [wu, li] = members as [Member, Member];
    const other = await team(relay, ['赵刚']);
    const zhao = other.members[0]!;
    const before = await writes(relay);
    const h = household(teamId, wu, '张大爷');

    // A byte of the visit's text changed after signing ("张大爷说" → "张大爷询"): still a well-formed file.
    const said = Buffer.from('说');
    const tampered = await fileOf({
      teamId,
      exporter: wu,
      docs: [h.doc],
      tamper: (raw) => {
        const at = Buffer.from(raw.buffer, raw.byteOffset, raw.length).indexOf(said);
        expect(at).toBeGreaterThan(0);
        raw[at + 2] = raw[at + 2]! ^ 0x01;
      },
    });
    const t1 = await deliver(relay, li, tampered);
    expect([t1.status, t1.json.error.code]).toEqual([422, 'signature_invalid']);
    // Unsigned (as a phone that never joined exports).
    const t2 = await deliver(relay, li, await fileOf({ teamId, exporter: { ...wu, key: undefined }, docs: [h.doc] }));
    expect([t2.status, t2.json.error.code]).toEqual([422, 'carried_unsigned']);
    // Signed by another key than the one the exporter's device registered (李强 signing as 吴敏).
    const t3 = await deliver(relay, li, await fileOf({ teamId, exporter: wu, docs: [h.doc], signer: { deviceId: wu.deviceId, key: li.key! } }));
    expect([t3.status, t3.json.error.code]).toEqual([422, 'signature_invalid']);
    // Expired: exported longer ago than CARRIED_MAX_AGE_DAYS (90).
    const old = new Date(Date.now() - 91 * 86400_000).toISOString();
    const t4 = await deliver(relay, li, await fileOf({ teamId, exporter: wu, docs: [h.doc], createdAt: old }));
    expect([t4.status, t4.json.error.code]).toEqual([410, 'signature_expired']);
    // Another team's member exporting into this team: the device is not of this team.
    const t5 = await deliver(relay, li, await fileOf({ teamId, exporter: zhao, docs: [h.doc] }));
    expect([t5.status, t5.json.error.code]).toEqual([422, 'exporter_unknown']);
    // Another team's file, carried by a member of this team.
    const z = household(other.teamId, zhao, '外队');
    const t6 = await deliver(relay, li, await fileOf({ teamId: other.teamId, exporter: zhao, docs: [z.doc] }));
    expect([t6.status, t6.json.error.code]).toEqual([403, 'carried_foreign_team']);
    // Not a Lianhu file at all.
    const t7 = await deliver(relay, li, zlib.gzipSync(Buffer.from('hello')));
    expect([t7.status, t7.json.error.code]).toEqual([422, 'bundle_not_lianhu']);

    expect(await writes(relay)).toBe(before);
    expect(await relay.relay.services.store.exists(h.doc.name)).toBe(false);
  });

  it('refuses the file of a revoked device, and an oversized upload, writing nothing', async () => {
    relay = await startTestRelay({ limits: { maxCarriedBytes: 4096 } });
    const { teamId, lead, members } = await team(relay, ['吴敏', '李强']);
    const [wu, li] = members as [Member, Member];
    const h = household(teamId, wu, '张大爷');
    const file = await fileOf({ teamId, exporter: wu, docs: [h.doc] });
    const before = await writes(relay);

    // Too large: a photo of 100 KB in a file capped at 4 KB (the file without it is under the cap).
    expect(file.length).toBeLessThan(4096);
    const bytes = jpegBytes(100_000, 3);
    const big = await fileOf({ teamId, exporter: wu, docs: [household(teamId, wu, '王家', { sha256: await sha256Hex(bytes), size: bytes.length }).doc], photos: [{ sha256: await sha256Hex(bytes), mime: 'image/jpeg', size: bytes.length, data: bytes }] });
    expect(big.length).toBeGreaterThan(4096);
    const t1 = await deliver(relay, li, big);
    expect([t1.status, t1.json.error.code]).toEqual([413, 'carried_too_large']);

    // The lead revokes 吴敏's phone (lost): a file it signed before is not delivered any more.
    expect((await api(relay.url, 'POST', `/api/devices/${wu.deviceId}/revoke`, { token: lead.token })).status).toBe(200);
    const t2 = await deliver(relay, li, file);
    expect([t2.status, t2.json.error.code]).toEqual([403, 'exporter_revoked']);

    expect(await writes(relay)).toBe(before);
    expect(await relay.relay.services.store.exists(h.doc.name)).toBe(false);
  });

  it('refuses the whole file when one doc is one the exporter may not write (another member’s household), naming it; the team doc a member may only read is left out', async () => {
    relay = await startTestRelay();
    const { teamId, members } = await team(relay, ['吴敏', '李强']);
    const [wu, li] = members as [Member, Member];
    // 李强 registered a household (his by creation); 吴敏 is not linked to it.
    const his = household(teamId, li, '李家');
    expect((await deliver(relay, wu, await fileOf({ teamId, exporter: li, docs: [his.doc] }))).status).toBe(200);
    const before = await writes(relay);

    const mine = household(teamId, wu, '张大爷');
    const edit = new Y.Doc();
    Y.applyUpdateV2(edit, his.doc.update);
    const sv = Y.encodeStateVector(edit);
    addVisit(edit, { id: newId(), kind: 'home', visitorIds: [wu.memberId], visitedAt: new Date().toISOString(), observations: {}, said: '不是我的户', notes: '', photos: [] }, actor(wu.memberId));
    const intoHis = { name: his.doc.name, update: Y.encodeStateAsUpdateV2(edit, sv) };
    const r = await deliver(relay, li, await fileOf({ teamId, exporter: wu, docs: [mine.doc, intoHis] }));
    expect([r.status, r.json.error.code, r.json.error.path]).toEqual([403, 'doc_forbidden', his.doc.name]);

    expect(await writes(relay)).toBe(before);
    expect(await relay.relay.services.store.exists(mine.doc.name)).toBe(false);

    // A member may read the team doc but not write it (a lead may): every export carries it, so
    // it is answered `read-only` and not applied, and the rest of the file is.
    const teamEdit = new Y.Doc();
    teamEdit.getMap('settings').set('x', 1);
    const r2 = await deliver(relay, li, await fileOf({ teamId, exporter: wu, docs: [{ name: teamDocName(teamId), update: Y.encodeStateAsUpdateV2(teamEdit) }, mine.doc] }));
    expect([r2.status, r2.json.docs]).toEqual([200, [{ name: teamDocName(teamId), result: 'read-only' }, { name: mine.doc.name, result: 'applied' }]]);
    expect(readTeamSettings(await relay.relay.services.teamDocs.get(teamId))).not.toHaveProperty('x');
  });

  it('a device that joined before keys registers one on its next connection (once; another key is refused); until then its files wait', async () => {
    relay = await startTestRelay();
    const { teamId, inviteCode } = await createTeam(relay);
    await join(relay.url, inviteCode, '王书记', 'lead-laptop');
    const old: Member = { ...(await join(relay.url, await invite(relay, teamId), '吴敏')), name: '吴敏' };
    const li = await joinWithKey(relay, await invite(relay, teamId), '李强');
    const key = await generateDeviceKey();
    const h = household(teamId, old, '张大爷');
    const file = await fileOf({ teamId, exporter: { ...old, key: key.privateKey }, docs: [h.doc] });

    const early = await deliver(relay, li, file);
    expect([early.status, early.json.error.code]).toEqual([422, 'exporter_no_key']);

    const reg = (publicKey: DevicePublicKey) => api(relay!.url, 'POST', '/api/devices/key', { token: old.token, body: { publicKey } });
    expect((await reg(key.publicKey)).json).toEqual({ deviceId: old.deviceId, registered: true });
    // The same key again (a lost answer) is fine; another one is refused.
    expect((await reg(key.publicKey)).status).toBe(200);
    const other = await reg((await generateDeviceKey()).publicKey);
    expect([other.status, other.json.error.code]).toEqual([409, 'key_exists']);
    // A private key is never accepted as a public one.
    const bad = await api(relay.url, 'POST', '/api/devices/key', { token: old.token, body: { publicKey: { ...key.publicKey, d: 'x'.repeat(43) } } });
    expect(bad.status).toBe(400);

    const late = await deliver(relay, li, file);
    expect([late.status, late.json.docs]).toEqual([200, [{ name: h.doc.name, result: 'applied' }]]);
    expect(await creator(relay, h.doc.name)).toEqual({ member: old.memberId, device: old.deviceId });
  });
});
