import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND, freshTestDatabase } from './helpers/backend';
import { adminRun as admin, api, join, spawnRelay, startTestRelay, tmpDir, type TestRelay } from './helpers/relay';

/**
 * One request sent byte for byte over a socket: fetch() and every URL parser normalise
 * `..`, `%2e%2e` and backslashes before sending, so they cannot test what the relay does
 * with them.
 */
function rawGet(url: string, target: string): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(`GET ${target} HTTP/1.1\r\nHost: ${hostname}\r\nConnection: close\r\n\r\n`));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text });
    });
  });
}

describe('admin CLI', () => {
  it('creates a team whose code makes the first lead, and manages invites, devices and backups', async () => {
    const dataDir = tmpDir();
    const created = admin(dataDir, 'team', 'create', '北山林场', '第一联户组');
    expect(created.status).toBe(0);
    const team = JSON.parse(created.stdout);
    expect(Object.keys(team).sort()).toEqual(['expiresAt', 'inviteCode', 'teamId']);
    expect(team.inviteCode).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(fs.statSync(path.join(dataDir, 'token-secret')).mode & 0o777).toBe(0o600);

    const relay = await spawnRelay(dataDir);
    let file = '';
    try {
      const lead = await join(relay.url, team.inviteCode, '王书记', 'laptop');
      expect(lead).toMatchObject({ teamId: team.teamId, teamName: '北山林场 第一联户组', role: 'lead' });
      const inv = JSON.parse(admin(dataDir, 'invite', 'create', '--team', team.teamId, '--role', 'member').stdout);
      const member = await join(relay.url, inv.code, '李明', 'phone');
      expect(member.role).toBe('member');

      const list = JSON.parse(admin(dataDir, 'team', 'list').stdout);
      expect(list).toEqual([expect.objectContaining({ teamId: team.teamId, name: '北山林场 第一联户组', devices: 2, docs: 1 })]);
      const devices = JSON.parse(admin(dataDir, 'device', 'list', '--team', team.teamId).stdout);
      expect(devices.map((d: { memberName: string }) => d.memberName).sort()).toEqual(['李明', '王书记']);

      // An online backup while the relay runs: a consistent database that opens on its own.
      file = path.join(tmpDir(), 'backup.db');
      const backup = admin(dataDir, 'backup', file);
      expect(backup.status).toBe(0);
      expect(JSON.parse(backup.stdout)).toMatchObject({ file, teams: 1, docs: 1, check: 'ok' });
      if (BACKEND === 'postgres') {
        // pg_dump's archive restores into a database of its own.
        const restored = freshTestDatabase();
        expect(spawnSync('pg_restore', ['--dbname', restored, file], { encoding: 'utf8' }).status).toBe(0);
        const c = new pg.Client(restored);
        await c.connect();
        expect((await c.query('SELECT count(*)::int AS n FROM devices')).rows[0]).toEqual({ n: 2 });
        await c.end();
      } else {
        const copy = new Database(file, { readonly: true });
        expect(copy.prepare('SELECT count(*) AS n FROM devices').get()).toEqual({ n: 2 });
        copy.close();
      }
      expect(admin(dataDir, 'backup', file).status).toBe(1); // never overwrites

      const revoked = admin(dataDir, 'device', 'revoke', member.deviceId);
      expect(JSON.parse(revoked.stdout)).toMatchObject({ deviceId: member.deviceId, revoked: true, alreadyRevoked: false });
      expect((await api(relay.url, 'GET', '/api/team', { token: member.token })).status).toBe(403);
    } finally {
      await relay.kill('SIGTERM');
    }
    expect(relay.log()).toContain('"msg":"closed"');

    const bad = admin(dataDir, 'invite', 'create', '--role', 'member');
    expect(bad.status).toBe(2);
    expect(JSON.parse(bad.stderr.split('\n')[0]!).error.code).toBe('usage');
    expect(admin(dataDir, 'device', 'list', '--team', 'nope').status).toBe(1);
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });
});

const SECRET = 'outside-the-app-directory';
const js = 'console.log("app");'.repeat(100);

describe('HTTP', () => {
  let t: TestRelay;
  let dist: string;
  beforeAll(async () => {
    // dist/ inside a directory that also holds a file no request may reach.
    const parent = tmpDir('lianhu-dist-');
    fs.writeFileSync(path.join(parent, 'secret.txt'), SECRET);
    dist = path.join(parent, 'dist');
    fs.mkdirSync(path.join(dist, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(dist, 'index.html'), `<!doctype html><title>联户走访</title>${'<!-- pad -->'.repeat(200)}`);
    fs.writeFileSync(path.join(dist, 'sw.js'), 'self.addEventListener("fetch", () => {});');
    fs.writeFileSync(path.join(dist, 'assets', 'index-abc123.js'), js);
    // As the build writes them (scripts/vite-precompress.ts): the relay never compresses.
    fs.writeFileSync(path.join(dist, 'assets', 'index-abc123.js.gz'), zlib.gzipSync(js));
    fs.writeFileSync(path.join(dist, 'assets', 'index-abc123.js.br'), zlib.brotliCompressSync(js));
    fs.writeFileSync(path.join(dist, 'manifest.webmanifest'), '{"name":"联户走访"}');
    t = await startTestRelay({ config: { staticDir: dist } });
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(path.dirname(dist), { recursive: true, force: true });
  });

  it('serves the PWA with the right cache headers and falls back to index.html for app routes', async () => {
    const index = await fetch(`${t.url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(await index.text()).toContain('联户走访');
    const sw = await fetch(`${t.url}/sw.js`);
    expect(sw.headers.get('cache-control')).toBe('no-cache');
    expect(sw.headers.get('content-type')).toContain('javascript');
    const asset = await fetch(`${t.url}/assets/index-abc123.js`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-encoding')).toBe('gzip');
    expect(asset.headers.get('vary')).toBe('Accept-Encoding');
    expect(await asset.text()).toContain('console.log("app")');
    const brotli = await fetch(`${t.url}/assets/index-abc123.js`, { headers: { 'Accept-Encoding': 'gzip, br' } });
    expect(brotli.headers.get('content-encoding')).toBe('br');
    expect(brotli.headers.get('content-type')).toContain('javascript');
    expect(await brotli.text()).toContain('console.log("app")');
    const identity = await fetch(`${t.url}/assets/index-abc123.js`, { headers: { 'Accept-Encoding': 'identity' } });
    expect(identity.headers.get('content-encoding')).toBeNull();
    expect(await identity.text()).toBe(js);
    const deep = await fetch(`${t.url}/households/0193/visits/new`);
    expect(deep.status).toBe(200);
    expect(deep.headers.get('cache-control')).toBe('no-cache');
    expect(await deep.text()).toContain('<title>联户走访</title>');
    expect((await fetch(`${t.url}/assets/missing-123.js`)).status).toBe(404);
    const etag = index.headers.get('etag')!;
    const notModified = await fetch(`${t.url}/`, { headers: { 'If-None-Match': etag } });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('cache-control')).toBe('no-cache');
  });

  it('never serves a file outside the app directory, however the path is spelled', async () => {
    // Sanity: the raw client does reach files inside dist/.
    const inside = await rawGet(t.url, '/manifest.webmanifest');
    expect(inside.status).toBe(200);
    expect(inside.text).toContain('{"name":');
    const targets = [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E/secret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e%2fsecret.txt',
      '/..\\secret.txt',
      '/%5c..%5csecret.txt',
      '/..%5csecret.txt',
      `/${path.join(path.dirname(dist), 'secret.txt')}`,
      `//${path.join(path.dirname(dist), 'secret.txt')}`,
      '/%00/../secret.txt',
    ];
    for (const target of targets) {
      const answer = await rawGet(t.url, target);
      expect(answer.text, target).not.toContain(SECRET);
      expect([400, 404], `${target} answered ${answer.status}`).toContain(answer.status);
    }
  });

  it('answers /healthz and JSON errors under /api', async () => {
    const h = await api(t.url, 'GET', '/healthz');
    expect(h.status).toBe(200);
    expect(h.json.status).toBe('ok');
    // It says which stores, never where they are (no file path or host for strangers).
    expect(h.json.stores).toEqual({ database: { kind: BACKEND, ok: true }, bus: { kind: 'single', ok: true } });
    const missing = await api(t.url, 'GET', '/api/nothing-here');
    expect(missing).toMatchObject({ status: 404, json: { error: { code: 'not_found' } } });
    const notJson = await fetch(`${t.url}/api/invites/redeem`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{oops' });
    expect(notJson.status).toBe(400);
    expect((await notJson.json()).error.code).toBe('bad_json');
    const upgrade = await fetch(`${t.url}/not-sync`, { headers: { Connection: 'Upgrade', Upgrade: 'websocket' } }).catch((e: Error) => e);
    expect(upgrade).toBeTruthy();
  });
});
