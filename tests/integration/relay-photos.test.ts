import crypto from 'node:crypto';
import { Upload } from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { teamDocName } from '@/docs/schema';
import { linkMembers } from '@/docs/team-doc';
import { actor, newHousehold } from './helpers/fixtures';
import { Device, startTestRelay, teamWith, type Joined, type TestRelay } from './helpers/relay';

let t: TestRelay;
beforeAll(async () => {
  t = await startTestRelay({ limits: { maxUploadBytes: 1024 * 1024 } });
});
afterAll(async () => {
  await t.close();
});

const b64 = (s: string) => Buffer.from(s).toString('base64');
const sha = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

function metadata(m: Record<string, string>): string {
  return Object.entries(m)
    .map(([k, v]) => `${k} ${b64(v)}`)
    .join(',');
}

/** Create an upload by hand (POST); returns the response. */
function create(token: string, size: number, meta: Record<string, string>) {
  return fetch(`${t.url}/files/uploads`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Tus-Resumable': '1.0.0', 'Upload-Length': String(size), 'Upload-Metadata': metadata(meta) },
  });
}

function patch(token: string, location: string, offset: number, body: Uint8Array) {
  return fetch(new URL(location, t.url), {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${token}`, 'Tus-Resumable': '1.0.0', 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream' },
    body: new Uint8Array(body),
  });
}

function tusUpload(token: string, data: Buffer, meta: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const up = new Upload(data, {
      endpoint: `${t.url}/files/uploads`,
      headers: { Authorization: `Bearer ${token}` },
      metadata: meta,
      chunkSize: 64 * 1024,
      retryDelays: [],
      onError: reject,
      onSuccess: () => resolve(),
    });
    up.start();
  });
}

const download = (sha256: string, token?: string) => fetch(`${t.url}/files/${sha256}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });

describe('photos', () => {
  it('refuses a wrong SHA-256 and serves the right one only to devices that may read the household', async () => {
    const { teamId, lead, members } = await teamWith(t, ['上传者', '旁人']);
    const [uploader, bystander] = members as [Joined, Joined];
    const other = await teamWith(t, [], '别的班组');
    const dev = new Device(t.wsUrl, lead.token);
    const team = new Y.Doc();
    const teamP = dev.attach(teamDocName(teamId), team);
    const h = newHousehold(teamId, actor(lead.memberId));
    const hp = dev.attach(h.name, h.doc);
    linkMembers(team, h.id, [uploader.memberId], actor(lead.memberId));
    await Promise.all([dev.saved(teamP), dev.saved(hp)]);
    dev.destroy();

    // A JPEG as far as its first bytes go (the relay serves photos by what their bytes are).
    const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), crypto.randomBytes(300 * 1024 - 4)]);
    const right = sha(photo);
    const wrong = sha(Buffer.from('something else'));

    // Declared hash does not match the bytes: refused when the last byte arrives, nothing stored.
    const c = await create(uploader.token, photo.length, { sha256: wrong, mime: 'image/jpeg', householdId: h.id });
    expect(c.status).toBe(201);
    const p = await patch(uploader.token, c.headers.get('location')!, 0, photo);
    expect(p.status).toBe(460);
    expect((await p.json()).error.code).toBe('upload_sha256_mismatch');
    expect((await download(wrong, uploader.token)).status).toBe(404);
    expect((await download(right, uploader.token)).status).toBe(404);

    // The right one, resumable in 64 KB pieces through tus-js-client.
    await tusUpload(uploader.token, photo, { sha256: right, mime: 'image/jpeg', householdId: h.id });
    const mine = await download(right, uploader.token);
    expect(mine.status).toBe(200);
    expect(mine.headers.get('content-type')).toBe('image/jpeg');
    expect(mine.headers.get('cache-control')).toContain('immutable');
    expect(sha(new Uint8Array(await mine.arrayBuffer()))).toBe(right);
    expect((await download(right, lead.token)).status).toBe(200);
    expect((await download(right, bystander.token)).status).toBe(404);
    expect((await download(right, other.lead.token)).status).toBe(404);
    expect((await download(right)).status).toBe(401);
    expect((await fetch(`${t.url}/files/${right}`, { method: 'HEAD', headers: { Authorization: `Bearer ${lead.token}` } })).status).toBe(200);

    // Writing a photo to someone else's household, or another's upload, or too big a file.
    const forbidden = await create(bystander.token, 10, { sha256: right, mime: 'image/jpeg', householdId: h.id });
    expect(forbidden.status).toBe(403);
    const open = await create(uploader.token, 10, { sha256: right, mime: 'image/jpeg', householdId: h.id });
    const loc = open.headers.get('location')!;
    expect((await patch(lead.token, loc, 0, new Uint8Array(10))).status).toBe(404);
    expect((await fetch(new URL(loc, t.url), { headers: { Authorization: `Bearer ${uploader.token}` } })).status).toBe(405);
    expect((await create(uploader.token, 2 * 1024 * 1024, { sha256: right, mime: 'image/jpeg', householdId: h.id })).status).toBe(413);
    expect((await create(uploader.token, 10, { sha256: right, mime: 'application/pdf', householdId: h.id })).status).toBe(400);
  });
});
