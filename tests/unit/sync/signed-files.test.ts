import { afterEach, describe, expect, it } from 'vitest';
import { localTeamId, type Identity } from '@/db/identity';
import { LocalRecords } from '@/db/local-records';
import { BundleError, decodeBundle, encodeEnd, encodeHeader, encodeSignature } from '@/docs/bundle';
import { generateDeviceKey, signBytes, verifyBytes } from '@/docs/bundle-signature';
import { createHousehold, readHousehold } from '@/docs/household-doc';
import { householdDocName, parseDocName, teamDocName } from '@/docs/schema';
import { initTeam, readTeam, upsertTeamMember } from '@/docs/team-doc';
import { deliverCarriedFiles, listCarried, type CarriedFile } from '@/sync/carried-files';
import { ensureRegisteredKey, loadSigningKey, saveSigningKey } from '@/sync/device-key';
import { importOrCarry } from '@/sync/file-import';
import { exportBundle } from '@/sync/file-sync';
import { actor, profile } from '../db/fixtures';

// Signed exports and their delivery by a carrier (docs/adr/0023-carried-file-delivery.md).

const open: LocalRecords[] = [];
afterEach(async () => {
  for (const r of open.splice(0)) await r.close();
});

async function phone(teamId: string, who: Partial<Identity> = {}): Promise<{ records: LocalRecords; identity: Identity }> {
  const records = new LocalRecords({ dbName: `signed-${Math.random()}` });
  open.push(records);
  await records.start(teamId);
  const identity: Identity = { memberId: 'm1', memberName: '吴敏', deviceId: 'dev-1', deviceName: 'phone', teamId, teamName: '一班', role: 'member', createdAt: actor.now, ...who };
  return { records, identity };
}

async function inflate(blob: Blob): Promise<Uint8Array> {
  return new Uint8Array(await new Response(blob.stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
}

describe('signing a file', () => {
  it('verifies with the device’s public key over every byte before the signature, and fails for a changed byte or another key', async () => {
    const key = await generateDeviceKey();
    const other = await generateDeviceKey();
    const data = new TextEncoder().encode('LIANHUB1 some records');
    const sig = await signBytes(key.privateKey, 'dev-1', data);
    expect(sig).toMatchObject({ alg: 'ES256', deviceId: 'dev-1' });
    expect(await verifyBytes(key.publicKey, sig, data)).toBe(true);
    const changed = data.slice();
    changed[3] = changed[3]! ^ 1;
    expect(await verifyBytes(key.publicKey, sig, changed)).toBe(false);
    expect(await verifyBytes(other.publicKey, sig, data)).toBe(false);
    expect(await verifyBytes(key.publicKey, { ...sig, sig: 'A'.repeat(86) }, data)).toBe(false);
    expect(await verifyBytes(key.publicKey, { ...sig, sig: '!!' }, data)).toBe(false);
  });

  it('a joined phone with a registered key signs its export; a never-joined phone or one whose key is not registered does not', async () => {
    const { records, identity } = await phone('t1');
    await records.commit(householdDocName('t1', 'h1'), (doc) => createHousehold(doc, { id: 'h1', teamId: 't1', profile: profile() }, actor));
    expect((await exportBundle(records, identity)).signed).toBe(false);
    const key = await generateDeviceKey();
    await saveSigningKey(records.db, key);
    expect((await exportBundle(records, identity)).signed).toBe(false);
    await saveSigningKey(records.db, { ...key, deviceId: 'dev-1' });
    const out = await exportBundle(records, identity);
    expect(out.signed).toBe(true);
    const raw = await inflate(out.blob);
    const bundle = decodeBundle(raw);
    expect(bundle.signature).toMatchObject({ alg: 'ES256', deviceId: 'dev-1' });
    expect(await verifyBytes(key.publicKey, bundle.signature!, raw.subarray(0, bundle.signature!.signedLength))).toBe(true);

    const local = await phone(localTeamId('x1'));
    await saveSigningKey(local.records.db, { ...key, deviceId: 'dev-1' });
    expect((await exportBundle(local.records, local.identity)).signed).toBe(false);
  });

  it('the reader takes one signature record, just before the end', async () => {
    const key = await generateDeviceKey();
    const header = encodeHeader({ teamId: 't1', createdAt: actor.now, source: { kind: 'device', deviceId: 'dev-1' } });
    const sig = encodeSignature(await signBytes(key.privateKey, 'dev-1', header));
    const join = (...parts: Uint8Array[]) => new Uint8Array(parts.flatMap((p) => [...p]));
    expect(decodeBundle(join(header, sig, encodeEnd({ docs: 0, photos: 0 }))).signature?.signedLength).toBe(header.length);
    const codeOf = (bytes: Uint8Array) => {
      try {
        decodeBundle(bytes);
        return 'ok';
      } catch (e) {
        return e instanceof BundleError ? e.message : String(e);
      }
    };
    expect(codeOf(join(header, sig, sig, encodeEnd({ docs: 0, photos: 0 })))).toMatch(/content after the signature/);
    const bad = join(header, encodeSignature({ alg: 'ES256', deviceId: 'dev-1', sig: 'x' }), encodeEnd({ docs: 0, photos: 0 }));
    expect(codeOf(bad)).toMatch(/bad signature record/);
  });
});

describe('the device key', () => {
  it('a phone that joined before keys registers one, once; a failed registration keeps the same key for the next try; a new device id gets a new key', async () => {
    const { records } = await phone('t1');
    const sent: unknown[] = [];
    let fail = true;
    const register = async (k: unknown) => {
      sent.push(k);
      if (fail) throw new Error('offline');
    };
    await expect(ensureRegisteredKey(records.db, 'dev-1', register)).rejects.toThrow('offline');
    expect((await loadSigningKey(records.db))?.deviceId).toBeUndefined();
    fail = false;
    const key = await ensureRegisteredKey(records.db, 'dev-1', register);
    expect(key.deviceId).toBe('dev-1');
    expect(sent).toEqual([key.publicKey, key.publicKey]);
    await ensureRegisteredKey(records.db, 'dev-1', register);
    expect(sent).toHaveLength(2);
    const again = await ensureRegisteredKey(records.db, 'dev-2', register);
    expect(again.publicKey).not.toEqual(key.publicKey);
    // Kept as a CryptoKey that cannot be exported (structured clone in IndexedDB).
    expect((await loadSigningKey(records.db))?.privateKey.extractable).toBe(false);
  });
});

describe('delivering carried files', () => {
  async function carrying(): Promise<{ records: LocalRecords; carried: CarriedFile[] }> {
    const { records } = await phone('t1', { memberId: 'm2', memberName: '李强', deviceId: 'dev-2' });
    const file = (id: string, signed: boolean): CarriedFile => ({
      id,
      teamId: 't1',
      from: { memberId: 'm1', memberName: '吴敏', deviceId: 'dev-1' },
      exportedAt: actor.now,
      receivedAt: `2026-05-01T10:0${id}:00.000Z`,
      households: 1,
      photos: 0,
      changesOnly: false,
      filename: `${id}.lianhu`,
      file: new Blob([id]),
      signed,
    });
    for (const [id, signed] of [['1', true], ['2', true], ['3', false], ['4', true]] as const) await records.db.settings.put({ key: `carried.${id}`, value: file(id, signed) });
    return { records, carried: await listCarried(records.db, 't1') };
  }

  it('marks each file by the relay’s answer: delivered, refused for good (with its code), or waiting to try again; unsigned files are never sent', async () => {
    const { records } = await carrying();
    // The relay answers in the order the files go (oldest first); a Blob read back from the
    // test's IndexedDB is not a Blob, so the fake does not read it.
    type Answer = () => Promise<{ docs: { result: string }[]; photos: number }>;
    const queue: Answer[] = [
      async () => ({ docs: [{ result: 'applied' }, { result: 'unchanged' }, { result: 'read-only' }], photos: 1 }),
      async () => Promise.reject(Object.assign(new Error('403'), { serverCode: 'exporter_revoked' })),
      async () => Promise.reject(Object.assign(new Error('422'), { serverCode: 'exporter_no_key' })),
    ];
    let calls = 0;
    const relay = { deliverCarried: async () => (calls++, queue.shift()!()) };
    expect(await deliverCarriedFiles(records.db, 't1', relay)).toEqual({ delivered: 1, refused: 1, waiting: 1 });
    expect(calls).toBe(3);
    const byId = Object.fromEntries((await listCarried(records.db, 't1')).map((c) => [c.id, c.delivery]));
    expect(byId).toMatchObject({ '1': { state: 'delivered', docs: 2, photos: 1 }, '2': { state: 'refused', code: 'exporter_revoked' }, '3': undefined, '4': { state: 'waiting', code: 'exporter_no_key' } });
    // Next run: only the waiting one goes again.
    queue.push(async () => ({ docs: [{ result: 'applied' }], photos: 0 }));
    expect(await deliverCarriedFiles(records.db, 't1', relay)).toEqual({ delivered: 1, refused: 0, waiting: 0 });
    expect(calls).toBe(4);
    expect((await listCarried(records.db, 't1')).find((c) => c.id === '4')?.delivery).toMatchObject({ state: 'delivered' });
  });

  it('stops at a network failure and keeps every file waiting', async () => {
    const { records } = await carrying();
    let calls = 0;
    const relay = { deliverCarried: async () => (calls++, Promise.reject(Object.assign(new Error('offline'), { code: 'network' }))) };
    expect(await deliverCarriedFiles(records.db, 't1', relay)).toEqual({ delivered: 0, refused: 0, waiting: 1 });
    expect(calls).toBe(1);
  });
});

describe('a lead imports the file of a phone that never joined', () => {
  it('moves its households into the team, puts the member on the roster under the id the records carry, and links what they registered', async () => {
    const local = localTeamId('abc');
    const member = await phone(local, { memberId: 'solo-1', memberName: '孙丽', deviceId: 'solo-dev', teamName: '' });
    const by = { ...actor, memberId: 'solo-1' };
    for (const id of ['h1', 'h2']) await member.records.commit(householdDocName(local, id), (doc) => createHousehold(doc, { id, teamId: local, profile: profile({ headName: `户${id}` }) }, by));
    const file = (await exportBundle(member.records, member.identity)).blob;

    const lead = await phone('t1', { memberId: 'lead-1', memberName: '王书记', deviceId: 'lead-dev', role: 'lead' });
    await lead.records.commit(teamDocName('t1'), (doc) => {
      initTeam(doc, { teamId: 't1', name: '一班' });
      upsertTeamMember(doc, { id: 'lead-1', name: '王书记', role: 'lead', joinedAt: actor.now });
    });
    const outcome = await importOrCarry(lead.records, file, lead.identity);
    expect(outcome).toMatchObject({ kind: 'adopted', member: { id: 'solo-1', name: '孙丽' }, households: 2 });
    const names = (await lead.records.docs.storedNames()).filter((n) => parseDocName(n)?.kind === 'household').sort();
    expect(names).toEqual([householdDocName('t1', 'h1'), householdDocName('t1', 'h2')]);
    expect(readHousehold(await lead.records.doc(names[0]!)).household).toMatchObject({ id: 'h1', teamId: 't1', createdBy: 'solo-1' });
    const team = readTeam(await lead.records.doc(teamDocName('t1')));
    expect(team.members.find((m) => m.id === 'solo-1')).toMatchObject({ name: '孙丽', role: 'member' });
    expect(team.assignments.get('h1')).toEqual(['solo-1']);

    // A member (not a lead) cannot take another team's file, local or not; nothing changes.
    const other = await phone('t1', { memberId: 'm9', deviceId: 'd9' });
    await expect(importOrCarry(other.records, file, other.identity)).rejects.toMatchObject({ code: 'bundle_foreign_team' });
    expect((await other.records.docs.storedNames()).filter((n) => parseDocName(n)?.kind === 'household')).toEqual([]);
  });
});
