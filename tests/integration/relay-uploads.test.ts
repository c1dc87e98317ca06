import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '@/domain/ids';
import { adminCli, api, spawnRelay, tmpDir, waitFor, type ChildRelay, type Joined } from './helpers/relay';

let child: ChildRelay | undefined;
let dataDir: string | undefined;
afterEach(async () => {
  await child?.kill();
  child = undefined;
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  dataDir = undefined;
});

const KiB = 1024;
const b64 = (s: string) => Buffer.from(s).toString('base64');

async function relayWith(env: Record<string, string>): Promise<{ relay: ChildRelay; a: Joined; b: Joined }> {
  dataDir = tmpDir();
  const { inviteCode } = adminCli(dataDir, 'team', 'create', '一班') as { inviteCode: string };
  child = await spawnRelay(dataDir, env);
  const lead = (await api(child.url, 'POST', '/api/invites/redeem', { body: { code: inviteCode, memberName: '王书记', deviceName: 'laptop' } })).json as Joined;
  const join = async (name: string) => {
    const code = (await api(child!.url, 'POST', '/api/invites', { token: lead.token, body: { role: 'member' } })).json.code as string;
    return (await api(child!.url, 'POST', '/api/invites/redeem', { body: { code, memberName: name, deviceName: `${name}-phone` } })).json as Joined;
  };
  return { relay: child, a: await join('上传很多的'), b: await join('正常上传的') };
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
      UPLOAD_EXPIRY_HOURS: String(4 / 3600), // 4 s
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
    await waitFor(() => unfinishedOnDisk() === 0, 20_000, 'expired uploads swept');
    expect((await begin(relay, a, 200 * KiB)).status).toBe(201);
    expect((await begin(relay, b, 300 * KiB)).status).toBe(201);
  });
});

describe('photo types', () => {
  it('serves a photo as what its bytes are, not what the upload declared', async () => {
    const { relay, a } = await relayWith({});
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), crypto.randomBytes(2 * KiB)]);
    const page = Buffer.from('<!doctype html><script>alert(document.cookie)</script>'.padEnd(2 * KiB, ' '));
    const asPng = await upload(relay, a, png, 'image/jpeg');
    const asPage = await upload(relay, a, page, 'image/jpeg');
    const get = async (sha: string) => {
      const res = await fetch(`${relay.url}/files/${sha}`, { headers: { Authorization: `Bearer ${a.token}` } });
      await res.arrayBuffer();
      return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), nosniff: res.headers.get('x-content-type-options') };
    };
    expect(await get(asPng)).toEqual({ status: 200, type: 'image/png', disposition: null, nosniff: 'nosniff' });
    expect(await get(asPage)).toEqual({ status: 200, type: 'application/octet-stream', disposition: 'attachment', nosniff: 'nosniff' });
    expect(relay.log()).toMatch(/"declared":"image\/jpeg","sniffed":"application\/octet-stream".*not the image type it declared/);
  });
});
