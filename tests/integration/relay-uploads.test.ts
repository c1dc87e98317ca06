import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addVisit, createHousehold, readHousehold } from '@/docs/household-doc';
import { newId } from '@/domain/ids';
import { sha256Hex } from '@/sync/sha256';
import { clientDevice, syncOnce, waitForStatus } from './helpers/client-device';
import { actor, profile } from './helpers/fixtures';
import { inviteByApi, join, relayProcessPerTest, waitFor, type ChildRelay, type Joined } from './helpers/relay';

const relays = relayProcessPerTest();
/** The current test's DATA_DIR (what the relay keeps on disk is checked there). */
let dataDir: string | undefined;

const KiB = 1024;
const b64 = (s: string) => Buffer.from(s).toString('base64');

async function relayWith(env: Record<string, string>): Promise<{ relay: ChildRelay; a: Joined; b: Joined }> {
  const { relay: child, dataDir: dir, inviteCode } = await relays.startWithTeam(env);
  dataDir = dir;
  const lead = await join(child.url, inviteCode, '王书记', 'laptop');
  const member = async (name: string) => join(child.url, await inviteByApi(child.url, lead), name, `${name}-phone`);
  return { relay: child, a: await member('上传很多的'), b: await member('正常上传的') };
}

/** POST a tus upload of `size` bytes for a new household of this device; returns status, error code and location. */
async function begin(relay: ChildRelay, who: Joined, size: number, bytes?: Buffer): Promise<{ status: number; code?: string; location?: string }> {
  const sha256 = crypto.createHash('sha256').update(bytes ?? Buffer.alloc(0)).digest('hex');
  const meta = `sha256 ${b64(sha256)},mime ${b64('image/jpeg')},householdId ${b64(newId())}`;
  const res = await fetch(`${relay.url}/files/uploads`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${who.token}`, 'Tus-Resumable': '1.0.0', 'Upload-Length': String(size), 'Upload-Metadata': meta },
  });
  const text = await res.text();
  let code: string | undefined;
  try {
    code = JSON.parse(text).error?.code;
  } catch {
    code = undefined;
  }
  return { status: res.status, code, location: res.headers.get('location') ?? undefined };
}

async function upload(relay: ChildRelay, who: Joined, bytes: Buffer, mime: string): Promise<string> {
  const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  const meta = `sha256 ${b64(sha256)},mime ${b64(mime)},householdId ${b64(newId())}`;
  const res = await fetch(`${relay.url}/files/uploads`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${who.token}`, 'Tus-Resumable': '1.0.0', 'Upload-Length': String(bytes.length), 'Upload-Metadata': meta },
  });
  await res.arrayBuffer();
  expect(res.status).toBe(201);
  expect(await send(relay, who, res.headers.get('location')!, 0, bytes)).toBe(204);
  return sha256;
}

async function send(relay: ChildRelay, who: Joined, location: string, offset: number, body: Buffer): Promise<number> {
  const res = await fetch(new URL(location, relay.url), {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${who.token}`, 'Tus-Resumable': '1.0.0', 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream' },
    body: new Uint8Array(body),
  });
  await res.arrayBuffer();
  return res.status;
}

const unfinishedOnDisk = () => fs.readdirSync(path.join(dataDir!, 'uploads')).filter((f) => !f.endsWith('.json')).length;

describe('unfinished uploads', () => {
  it('a device cannot fill the disk with uploads it never finishes: per-device count and bytes, a total cap, expiry', async () => {
    const { relay, a, b } = await relayWith({
      MAX_UNFINISHED_UPLOADS_PER_DEVICE: '3',
      MAX_UNFINISHED_UPLOAD_BYTES_PER_DEVICE: String(500 * KiB),
      MAX_UNFINISHED_UPLOAD_BYTES: String(800 * KiB),
      UPLOAD_EXPIRY_HOURS: String(20 / 3600), // 20 s: long enough for the steps before the sweep on a loaded machine
    });
    // Device a starts uploads and sends part of each (what the flood did, at a bounded size).
    const first = await begin(relay, a, 200 * KiB);
    expect(first.status).toBe(201);
    expect(await send(relay, a, first.location!, 0, Buffer.alloc(100 * KiB, 1))).toBe(204);
    expect((await begin(relay, a, 200 * KiB)).status).toBe(201);
    expect(await begin(relay, a, 200 * KiB)).toMatchObject({ status: 429, code: 'upload_quota' }); // 600 KiB > 500
    expect((await begin(relay, a, 50 * KiB)).status).toBe(201);
    expect(await begin(relay, a, 10 * KiB)).toMatchObject({ status: 429, code: 'upload_quota' }); // a 4th
    // Another device has its own quota, until the relay's total is reached.
    expect((await begin(relay, b, 300 * KiB)).status).toBe(201);
    expect(await begin(relay, b, 100 * KiB)).toMatchObject({ status: 507, code: 'insufficient_storage' }); // 850 KiB > 800
    expect(unfinishedOnDisk()).toBe(4);
    // A finished upload stops counting at once: 750 + 10 KiB, finished, then 50 KiB fits under 800.
    const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), crypto.randomBytes(10 * KiB - 4)]);
    const small = await begin(relay, b, photo.length, photo);
    expect(small.status).toBe(201);
    expect(await send(relay, b, small.location!, 0, photo)).toBe(204);
    expect((await begin(relay, b, 50 * KiB)).status).toBe(201);
    expect(unfinishedOnDisk()).toBe(5);

    // Expiry: hours in production, seconds here; the sweep takes the files and their quota.
    await waitFor(() => unfinishedOnDisk() === 0, 60_000, 'expired uploads swept');
    expect((await begin(relay, a, 200 * KiB)).status).toBe(201);
    expect((await begin(relay, b, 300 * KiB)).status).toBe(201);
  });
});

describe('photo types', () => {
  it('serves a photo as what its bytes are, not what the upload declared, and refuses bytes that are no image (415), storing nothing', async () => {
    const { relay, a } = await relayWith({});
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), crypto.randomBytes(2 * KiB)]);
    const asPng = await upload(relay, a, png, 'image/jpeg');
    const get = async (sha: string) => {
      const res = await fetch(`${relay.url}/files/${sha}`, { headers: { Authorization: `Bearer ${a.token}` } });
      await res.arrayBuffer();
      return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), nosniff: res.headers.get('x-content-type-options') };
    };
    expect(await get(asPng)).toEqual({ status: 200, type: 'image/png', disposition: null, nosniff: 'nosniff' });

    // An HTML page declared as a JPEG, honest about its hash and size: refused when its last byte arrives.
    const page = Buffer.from('<!doctype html><script>alert(document.cookie)</script>'.padEnd(2 * KiB, ' '));
    const created = await begin(relay, a, page.length, page);
    expect(created.status).toBe(201);
    const res = await fetch(new URL(created.location!, relay.url), {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${a.token}`, 'Tus-Resumable': '1.0.0', 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' },
      body: new Uint8Array(page),
    });
    expect(res.status).toBe(415);
    expect((await res.json()).error).toMatchObject({ code: 'upload_not_a_photo' });
    const sha = crypto.createHash('sha256').update(page).digest('hex');
    expect((await get(sha)).status).toBe(404);
    expect(fs.existsSync(path.join(dataDir!, 'blobs', sha.slice(0, 2), sha))).toBe(false);
    expect(unfinishedOnDisk()).toBe(0); // the upload is over: no bytes left behind, no quota held
    expect(relay.log()).toMatch(/upload_not_a_photo.*upload refused/);
  });

  it('a photo the relay refuses as no image stays on the device with its visit, is sent once, and does not hold the device at "photos pending"', async () => {
    const { relay, a } = await relayWith({});
    const d = await clientDevice(relay.url, a, `refused-${newId().slice(-6)}`);
    try {
      await waitForStatus(d, (s) => s.state === 'synced', 15_000, 'first sync');
      const id = newId();
      const bytes = new Uint8Array(Buffer.from('PK\x03\x04 not a photo at all'.padEnd(3 * KiB, '.')));
      const sha256 = await sha256Hex(bytes);
      await d.records.db.blobs.add({ sha256, mime: 'image/jpeg', size: bytes.length, blob: new Blob([bytes], { type: 'image/jpeg' }), createdAt: new Date().toISOString(), uploaded: 0, householdId: id });
      await d.records.commit(d.household(id), (doc) => createHousehold(doc, { id, teamId: a.teamId, profile: profile('何大娘') }, actor(a.memberId)));
      await d.records.commit(d.household(id), (doc) =>
        addVisit(doc, { id: newId(), kind: 'home', visitorIds: [a.memberId], visitedAt: new Date().toISOString(), observations: {}, said: '照片坏了', notes: '', photos: [{ sha256, mime: 'image/jpeg', size: bytes.length }] }, actor(a.memberId)),
      );
      await waitForStatus(d, (s) => s.state === 'synced' && s.pendingHouseholds === 0 && s.pendingPhotos === 0, 15_000, 'synced, the refused photo not pending');
      await syncOnce(d);
      expect(d.engine.status).toMatchObject({ state: 'synced', pendingPhotos: 0, pendingHouseholds: 0 });
      expect(await d.records.db.blobs.get(sha256)).toMatchObject({ uploaded: 2, size: bytes.length });
      const { visits } = readHousehold(await d.records.doc(d.household(id)));
      expect(visits.map((v) => v.photos.map((p) => p.sha256))).toEqual([[sha256]]);
      expect(relay.log().match(/upload_not_a_photo/g)).toHaveLength(1);
    } finally {
      await d.close();
    }
  });
});
