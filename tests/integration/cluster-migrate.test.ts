// `admin migrate`: a single relay's SQLite install, filled by real devices, moved into
// PostgreSQL while it runs; a relay on that database with the same DATA_DIR then serves
// everything. Runs in the integration-pg project (it needs PostgreSQL; see helpers/backend.ts).
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { teamDocName } from '@/docs/schema';
import { linkMembers } from '@/docs/team-doc';
import { migrateToPostgres } from '../../sync-server/src/admin/migrate';
import { freshTestDatabase, testDatabaseUrl } from './helpers/backend';
import { actor, newHousehold, readHousehold, visit } from './helpers/fixtures';
import { jpegBytes } from './helpers/jpeg';
import { api, Device, inviteByApi, join, ROOT, spawnRelay, tmpDir, waitFor, type ChildRelay, type Joined } from './helpers/relay';

const dataDir = tmpDir('lianhu-migrate-');
const sqliteFile = path.join(dataDir, 'lianhu.db');
/** The single relay: SQLite in DATA_DIR, whatever backend the project gives other tests. */
const SQLITE = { DATABASE_URL: '' };
let target: string;
let source: ChildRelay;
let migrated: ChildRelay | undefined;
let teamId: string;
let lead: Joined;
/** a second lead, on another device: its catch-up after the move includes everything the first one wrote */
let colead: Joined;
let member: Joined;
let lost: Joined;
let pendingInvite: string;
let photo: { sha256: string; bytes: Buffer };
/** the lead's households and what was said on each visit */
const households: { id: string; name: string; said: string[] }[] = [];
/** the member's own household, written to while the migration runs */
let busy: { id: string; name: string; doc: Y.Doc };
let report: Record<string, unknown> & { teamSeqs: Record<string, number>; differences: string[] };

const adminArgs = (...args: string[]) => ['--import', 'tsx', path.join(ROOT, 'sync-server/src/admin.ts'), ...args];
const adminEnv = (extra: Record<string, string>) => ({ ...process.env, DATA_DIR: dataDir, ...extra });

function admin(extra: Record<string, string>, ...args: string[]) {
  const out = spawnSync(process.execPath, adminArgs(...args), { cwd: ROOT, env: adminEnv(extra), encoding: 'utf8' });
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

/** The admin CLI without blocking this process (its devices keep writing meanwhile). */
function adminAsync(extra: Record<string, string>, ...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, adminArgs(...args), { cwd: ROOT, env: adminEnv(extra), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  proc.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((resolve) => proc.once('close', (status) => resolve({ status, stdout, stderr })));
}

const said = (doc: Y.Doc) => readHousehold(doc).visits.map((v) => v.said).sort();

async function query<T>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client(url);
  await c.connect();
  try {
    return (await c.query(sql, values)).rows as T[];
  } finally {
    await c.end();
  }
}

async function uploadPhoto(url: string, token: string, householdId: string): Promise<{ sha256: string; bytes: Buffer }> {
  const bytes = Buffer.from(jpegBytes(50_000, 7));
  const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  const meta = Object.entries({ sha256, mime: 'image/jpeg', householdId })
    .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
    .join(',');
  const tus = { Authorization: `Bearer ${token}`, 'Tus-Resumable': '1.0.0' };
  const created = await fetch(`${url}/files/uploads`, { method: 'POST', headers: { ...tus, 'Upload-Length': String(bytes.length), 'Upload-Metadata': meta } });
  expect(created.status).toBe(201);
  const patched = await fetch(new URL(created.headers.get('location')!, url), {
    method: 'PATCH',
    headers: { ...tus, 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' },
    body: new Uint8Array(bytes),
  });
  expect(patched.status).toBe(204);
  return { sha256, bytes };
}

beforeAll(async () => {
  target =
    testDatabaseUrl(dataDir) ??
    (() => {
      throw new Error('the migrate tests run in the integration-pg project (LIANHU_TEST_BACKEND=postgres)');
    })();
  const team = JSON.parse(admin(SQLITE, 'team', 'create', '迁移班组').stdout) as { teamId: string; inviteCode: string };
  teamId = team.teamId;
  source = await spawnRelay(dataDir, SQLITE);
  lead = await join(source.url, team.inviteCode, '王书记', 'laptop');
  colead = await join(source.url, await inviteByApi(source.url, lead, 'lead'), '周主任', 'zhou-phone');
  member = await join(source.url, await inviteByApi(source.url, lead), '李明', 'li-phone');
  lost = await join(source.url, await inviteByApi(source.url, lead), '赵刚', 'lost-phone');
  pendingInvite = await inviteByApi(source.url, lead);

  // The lead registers households with visits and gives the first one to the member.
  const dev = new Device(source.wsUrl, lead.token);
  const teamDoc = dev.attach(teamDocName(teamId), new Y.Doc());
  await dev.saved(teamDoc);
  for (let i = 0; i < 3; i++) {
    const h = newHousehold(teamId, actor(lead.memberId), `户主${i}`);
    const texts = [`第${i}户第一次`, `第${i}户第二次`];
    for (const t of texts) visit(h.doc, actor(lead.memberId), t);
    await dev.saved(dev.attach(h.name, h.doc));
    households.push({ id: h.id, name: h.name, said: texts.sort() });
  }
  linkMembers(teamDoc.document, households[0]!.id, [member.memberId], actor(lead.memberId));
  await dev.saved(teamDoc);
  dev.destroy();
  photo = await uploadPhoto(source.url, lead.token, households[0]!.id);

  // The member's own household (the relay records who created it).
  const phone = new Device(source.wsUrl, member.token);
  busy = newHousehold(teamId, actor(member.memberId), '钱大妈');
  visit(busy.doc, actor(member.memberId), '迁移前');
  await phone.saved(phone.attach(busy.name, busy.doc));
  phone.destroy();

  expect(admin(SQLITE, 'device', 'revoke', lost.deviceId).status).toBe(0);
  // A quarantined update, as the relay keeps one that does not load (no device can cause it on purpose).
  const file = new Database(sqliteFile);
  file.prepare(`INSERT INTO quarantine (doc, data, reason, source, at) VALUES (?, ?, 'does not apply on the stored state', 'update', ?)`).run(busy.name, Buffer.from([1, 2, 3]), new Date().toISOString());
  file.close();
});

afterAll(async () => {
  await Promise.all([source?.kill(), migrated?.kill()]);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('admin migrate from one SQLite relay to PostgreSQL', () => {
  it('copies a running install while a phone keeps writing, and checks the copy against its snapshot', async () => {
    const phone = new Device(source.wsUrl, member.token);
    const p = phone.attach(busy.name, busy.doc);
    await phone.saved(p);
    let n = 0;
    const writer = setInterval(() => visit(busy.doc, actor(member.memberId), `迁移中${n++}`), 30);
    const started = Date.now();
    const run = await adminAsync(SQLITE, 'migrate', '--from', `sqlite:${sqliteFile}`, '--to', target);
    clearInterval(writer);
    await phone.saved(p);
    phone.destroy();
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    report = JSON.parse(run.stdout);
    console.log(`admin migrate: ${Date.now() - started} ms with process start; ${JSON.stringify(report.seconds)}; ${n} visits written meanwhile`);
    expect(report).toMatchObject({ ok: true, copied: true, teams: 1, devices: 4, revokedDevices: 1, invites: 5, photos: 1, quarantined: 1, differences: [] });
    // the team doc, three households of the lead and one of the member
    expect(report.docs).toBe(5);
    expect(report.tables).toMatchObject({ access: expect.any(Number), blob_refs: 1 });
    expect(n).toBeGreaterThan(0);

    // Cut over: the single relay stops; what it took after the snapshot is still on the phone.
    await source.kill('SIGTERM');
  });

  it('a relay on PostgreSQL with the same DATA_DIR serves it all: tokens, catch-up, the change feed, revocation, invites, photos', async () => {
    migrated = await spawnRelay(dataDir, { DATABASE_URL: target });
    const r = migrated;
    expect((await api(r.url, 'GET', '/healthz')).json.stores.database).toMatchObject({ kind: 'postgres', ok: true });
    // Tokens signed before the move still verify: the token secret stays in DATA_DIR.
    expect((await api(r.url, 'GET', '/api/team', { token: lead.token })).status).toBe(200);
    // The revoked phone stays refused, over HTTP and on a socket.
    expect((await api(r.url, 'GET', '/api/team', { token: lost.token })).status).toBe(403);
    const thief = new Device(r.wsUrl, lost.token);
    thief.attach(households[1]!.name);
    await waitFor(() => thief.denied.size > 0 || thief.closes.some((c) => c.code === 4403), 10_000, 'revoked device refused');
    thief.destroy();

    // Another lead's device, starting from nothing, catches up every household through the change feed.
    const seq = report.teamSeqs[teamId]!;
    const feed = await api(r.url, 'GET', '/api/changes?since=0', { token: colead.token });
    expect(feed.json.seq).toBe(seq);
    expect([...feed.json.changed].sort()).toEqual([teamDocName(teamId), ...households.map((h) => h.name), busy.name].sort());
    const fresh = new Device(r.wsUrl, colead.token);
    for (const h of households) {
      const got = fresh.attach(h.name, new Y.Doc());
      await fresh.saved(got);
      expect(said(got.document)).toEqual(h.said);
    }
    const copyOfBusy = fresh.attach(busy.name, new Y.Doc());
    await fresh.saved(copyOfBusy);
    expect(said(copyOfBusy.document)).toContain('迁移前');

    // The change feed continues: a write after the move takes the next number and the member sees it.
    const before = await api(r.url, 'GET', `/api/changes?since=${seq}`, { token: member.token });
    expect(before.json).toMatchObject({ seq, changed: [] });
    const h0 = fresh.providers.get(households[0]!.name)!;
    visit(h0.document, actor(colead.memberId), '迁移后第一次');
    await fresh.saved(h0);
    const after = await api(r.url, 'GET', `/api/changes?since=${seq}`, { token: member.token });
    expect(after.json).toMatchObject({ seq: seq + 1, changed: [households[0]!.name] });

    // The member's phone comes back with what the old relay took after the snapshot; the lead sees all of it.
    const phone = new Device(r.wsUrl, member.token);
    await phone.saved(phone.attach(busy.name, busy.doc));
    await waitFor(() => said(copyOfBusy.document).length === said(busy.doc).length, 10_000, 'the lead sees every visit of the busy household');
    expect(said(copyOfBusy.document)).toEqual(said(busy.doc));
    phone.destroy();
    fresh.destroy();

    // An invite made before the move still redeems; the photo is served.
    const newcomer = await join(r.url, pendingInvite, '孙丽', 'new-phone');
    expect(newcomer.teamId).toBe(teamId);
    const got = await fetch(`${r.url}/files/${photo.sha256}`, { headers: { Authorization: `Bearer ${lead.token}` } });
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer()).equals(photo.bytes)).toBe(true);
    const list = JSON.parse(admin({ DATABASE_URL: target }, 'team', 'list').stdout);
    // four devices not revoked: the lead, the co-lead, the member and the newcomer
    expect(list).toEqual([expect.objectContaining({ teamId, devices: 4, docs: 5 })]);
  });

  it('refuses a second migrate into the now non-empty database, naming what it holds, and changes nothing', async () => {
    const state = () => query<{ seq: number; updates: string; max: string }>(target, 'SELECT (SELECT seq FROM teams) AS seq, (SELECT count(*) FROM updates) AS updates, (SELECT max(id) FROM updates) AS max');
    const before = await state();
    const again = admin(SQLITE, 'migrate', '--from', `sqlite:${sqliteFile}`, '--to', target);
    expect(again.status).toBe(1);
    const error = JSON.parse(again.stderr.split('\n')[0]!).error;
    expect(error.code).toBe('target_not_empty');
    expect(error.message).toMatch(/already holds data \(.*teams 1.*updates \d+/);
    expect(error.message).toContain('--replace');
    expect(again.stdout).toBe('');
    expect(await state()).toEqual(before);
  });

  it('reports a copy that lost an update between the copy and the check', async () => {
    const to = freshTestDatabase();
    let lostDoc = '';
    const r = await migrateToPostgres({
      from: sqliteFile,
      to,
      afterCopy: async (db) => {
        const u = (await db.get<{ id: number; doc: string }>(`SELECT id, doc FROM updates WHERE doc = @doc ORDER BY id DESC LIMIT 1`, { doc: households[2]!.name }))!;
        lostDoc = u.doc;
        await db.run('DELETE FROM updates WHERE id = @id', { id: u.id });
      },
    });
    expect(r.ok).toBe(false);
    expect(r.differences).toContainEqual(expect.stringMatching(/^table updates: (\d+) rows in SQLite, \d+ in PostgreSQL$/));
    expect(r.differences.some((d) => d.startsWith(`doc ${lostDoc}: state vector differs`))).toBe(true);
  });

  it('--verify-only passes an untouched copy and names what differs in a tampered one with the same row counts', async () => {
    const to = freshTestDatabase();
    expect(admin(SQLITE, 'migrate', '--from', `sqlite:${sqliteFile}`, '--to', to).status).toBe(0);
    const clean = admin(SQLITE, 'migrate', '--verify-only', '--from', `sqlite:${sqliteFile}`, '--to', to);
    expect(clean.status).toBe(0);
    const checked = JSON.parse(clean.stdout);
    expect(checked).toMatchObject({ ok: true, copied: false, differences: [] });

    // One household's last update swapped for another's, and the team's sequence set back.
    const [a, b] = [households[1]!.name, households[2]!.name];
    await query(to, `UPDATE updates SET data = (SELECT data FROM updates WHERE doc = $2 ORDER BY id DESC LIMIT 1) WHERE id = (SELECT max(id) FROM updates WHERE doc = $1)`, [a, b]);
    await query(to, 'UPDATE teams SET seq = seq - 1');
    const tampered = admin(SQLITE, 'migrate', '--verify-only', '--from', `sqlite:${sqliteFile}`, '--to', to);
    expect(tampered.status).toBe(1);
    const out = JSON.parse(tampered.stdout);
    expect(out.ok).toBe(false);
    expect(out.tables.updates).toBeGreaterThan(0);
    const error = JSON.parse(tampered.stderr.split('\n')[0]!).error;
    expect(error.code).toBe('migrate_check_failed');
    expect(error.message).toContain(`doc ${a}: state vector differs`);
    expect(error.message).toContain(`team ${teamId}: change sequence ${checked.teamSeqs[teamId]} in SQLite, ${checked.teamSeqs[teamId] - 1} in PostgreSQL`);
    expect(error.message).not.toContain('rows in SQLite'); // same counts: only the contents tell
  });
});
