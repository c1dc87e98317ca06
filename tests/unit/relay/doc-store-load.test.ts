// @vitest-environment node
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createLogger } from '../../../sync-server/src/logger';
import { DocStore } from '../../../sync-server/src/storage/doc-store';
import { openSqlite, type SqliteDb } from '../../../sync-server/src/storage/sqlite-db';

describe('DocStore.loadInto', () => {
  let dir: string;
  let db: SqliteDb;
  let store: DocStore;
  const name = 'team1/household/h1';
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lianhu-doc-load-'));
    db = openSqlite(dir);
    store = new DocStore(db, createLogger('silent'));
    await db.run(`INSERT INTO teams (id, name, created_at, seq) VALUES ('team1', 'n', 'now', 0)`);
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A doc written in `n` steps, each stored as the device's update; returns the writer's doc. */
  async function written(n: number): Promise<{ doc: Y.Doc; bytes: number }> {
    const doc = new Y.Doc();
    const parts: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => parts.push(u));
    for (let i = 0; i < n; i++) doc.getMap('visits').set(`v${i}`, { said: `第${i}次`, at: i });
    for (const u of parts) await store.append(name, u, { deviceId: 'd1', memberId: 'm1' });
    return { doc, bytes: parts.reduce((a, u) => a + u.length, 0) };
  }

  it('applies snapshot and updates once, without an update event, and the listeners work afterwards', async () => {
    const { doc } = await written(3);
    expect(await store.compact(name)).toBe(true);
    const more = new Y.Doc();
    Y.applyUpdate(more, Y.encodeStateAsUpdate(doc));
    const later: Uint8Array[] = [];
    more.on('update', (u: Uint8Array) => later.push(u));
    more.getMap('visits').set('v9', { said: '后来', at: 9 });
    await store.append(name, later[0]!, { deviceId: 'd1', memberId: 'm1' });

    const target = new Y.Doc();
    const events: Uint8Array[] = [];
    target.on('update', (u: Uint8Array) => events.push(u));
    const row = await store.row(name);
    const loaded = await store.loadInto(name, target);
    expect(loaded).toBe(row!.snapshot!.length + later[0]!.length);
    expect(events).toHaveLength(0);
    expect(Object.keys(target.getMap('visits').toJSON()).sort()).toEqual(['v0', 'v1', 'v2', 'v9']);
    expect(Y.encodeStateVector(target)).toEqual(Y.encodeStateVector(more));
    target.getMap('visits').set('v10', { said: '再后来', at: 10 });
    expect(events).toHaveLength(1);
  });

  it('serves what loads when a stored update is broken, and quarantines the broken one', async () => {
    const { doc } = await written(2);
    await db.run('INSERT INTO updates (doc, data, device, at) VALUES (@doc, @data, NULL, @at)', { doc: name, data: new Uint8Array([1, 1, 200, 1, 0, 4, 0]), at: 'now' });
    const target = new Y.Doc();
    await store.loadInto(name, target);
    expect(target.getMap('visits').toJSON()).toEqual(doc.getMap('visits').toJSON());
    expect(await db.get<{ n: number }>('SELECT count(*) AS n FROM quarantine')).toEqual({ n: 1 });
  });
});
