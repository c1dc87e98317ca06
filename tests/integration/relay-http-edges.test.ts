import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRelay, teamWith, type TestRelay } from './helpers/relay';

let t: TestRelay;
beforeAll(async () => {
  t = await startTestRelay();
});
afterAll(async () => {
  await t.close();
});

const BROKEN = ['%E0%A4%A', '%', '%zz', '%C3', '%ED%A0%80'];

describe('HTTP edges', () => {
  it('malformed percent-encoding anywhere in a path is a 400, never a 500', async () => {
    const { lead } = await teamWith(t, []);
    const paths = BROKEN.flatMap((b) => [`/api/devices/${b}/revoke`, `/api/${b}`, `/files/${b}`, `/files/uploads/${b}`, `/${b}`, `/assets/${b}.js`, `/healthz?x=${b}`, `/api/changes?since=${b}`]);
    const seen: Record<string, number> = {};
    for (const p of paths) {
      for (const method of ['GET', 'POST', 'PATCH', 'HEAD', 'DELETE']) {
        const res = await fetch(`${t.url}${p}`, { method, headers: { Authorization: `Bearer ${lead.token}`, 'Tus-Resumable': '1.0.0' } });
        await res.arrayBuffer();
        seen[`${method} ${p}`] = res.status;
      }
    }
    // (the static paths answer 503 here: this relay has no built app)
    expect(Object.entries(seen).filter(([, s]) => s === 500)).toEqual([]);
    expect(seen['POST /api/devices/%E0%A4%A/revoke']).toBe(400);
  });

  it('uploads answer cross-origin requests only for the configured origins (none: same origin only)', async () => {
    const { lead } = await teamWith(t, []);
    const res = await fetch(`${t.url}/files/uploads`, { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } });
    await res.arrayBuffer();
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const post = await fetch(`${t.url}/files/uploads`, { method: 'POST', headers: { Origin: 'https://evil.example', Authorization: `Bearer ${lead.token}`, 'Tus-Resumable': '1.0.0', 'Upload-Length': '10' } });
    await post.arrayBuffer();
    expect(post.headers.get('access-control-allow-origin')).toBeNull();

    const dev = await startTestRelay({ config: { corsOrigins: ['http://localhost:5173'] } });
    try {
      const ok = await fetch(`${dev.url}/files/uploads`, { method: 'OPTIONS', headers: { Origin: 'http://localhost:5173', 'Access-Control-Request-Method': 'POST' } });
      await ok.arrayBuffer();
      expect(ok.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      const other = await fetch(`${dev.url}/files/uploads`, { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } });
      await other.arrayBuffer();
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await dev.close();
    }
  });
});
