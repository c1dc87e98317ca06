// @vitest-environment node
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createLogger } from '../../../sync-server/src/logger';
import { DocStore } from '../../../sync-server/src/storage/doc-store';
import { openSqlite, type SqliteDb } from '../../../sync-server/src/storage/sqlite-db';

/** The state a bundle serves, read into a fresh doc: its visits. */
function visitsOf(v2: Uint8Array): string[] {
  const doc = new Y.Doc();
  Y.applyUpdateV2(doc, v2);
  const keys = Object.keys(doc.getMap('visits').toJSON()).sort();
  doc.destroy();
  return keys;
}

describe('DocStore.bundleState (a doc’s state kept as bundles send it)', () => {
  let dir: string;
  let db: SqliteDb;
  let store: DocStore;
  const name = 'team1/household/h1';
  const author = { deviceId: 'd1', memberId: 'm1' };
  let writer: Y.Doc;
  let pending: Uint8Array[];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lianhu-bundle-state-'));
    db = openSqlite(dir);
    store = new DocStore(db, createLogger('silent'));
    await db.run(`INSERT INTO teams (id, name, created_at, seq) VALUES ('team1', 'n', 'now', 0)`);
    writer = new Y.Doc();
    pending = [];
    writer.on('update', (u: Uint8Array) => pending.push(u));
  });
  afterEach(async () => {
    writer.destroy();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Write visits on the device's doc and store each update as the relay would. */
  async function write(...keys: string[]): Promise<void> {
    for (const k of keys) writer.getMap('visits').set(k, { said: k });
    for (const u of pending.splice(0)) await store.append(name, u, author);
  }

  const kept = async () => (await db.all<{ doc: string }>('SELECT doc FROM bundle_states')).length;

  it('works the state out once, then serves what was kept until the doc is written again', async () => {
    await write('v1', 'v2');
    const first = await store.bundleState(name);
    expect(visitsOf(first!.update)).toEqual(['v1', 'v2']);
    expect(first!.keep).toBeDefined();
    await store.keepBundleStates([first!.keep!]);
    expect(await kept()).toBe(1);

    const again = await store.bundleState(name);
    expect(again!.keep).toBeUndefined();
    expect(new Uint8Array(again!.update)).toEqual(new Uint8Array(first!.update));

    await write('v3');
    const after = await store.bundleState(name);
    expect(after!.keep).toBeDefined();
    expect(visitsOf(after!.update)).toEqual(['v1', 'v2', 'v3']);
  });

  it('keeps nothing for a doc written between working it out and keeping it', async () => {
    await write('v1');
    const worked = await store.bundleState(name);
    await write('v2');
    await store.keepBundleStates([worked!.keep!]);
    expect(await kept()).toBe(0);
    expect(visitsOf((await store.bundleState(name))!.update)).toEqual(['v1', 'v2']);
  });

  it('compaction keeps the compacted state, and it is served as the whole doc', async () => {
    await write('v1', 'v2', 'v3');
    expect(await store.compact(name)).toBe(true);
    expect(await kept()).toBe(1);
    const served = await store.bundleState(name);
    expect(served!.keep).toBeUndefined();
    expect(visitsOf(served!.update)).toEqual(['v1', 'v2', 'v3']);
  });

  it('a quarantine drops the kept state (it may hold what was quarantined)', async () => {
    await write('v1');
    await store.keepBundleStates([(await store.bundleState(name))!.keep!]);
    expect(await kept()).toBe(1);
    // A stored update that does not load (storage damaged behind the relay's back).
    await db.run('INSERT INTO updates (doc, data, device, at) VALUES (@doc, @data, NULL, @at)', { doc: name, data: new Uint8Array([1, 1, 200, 1, 0, 4, 0]), at: 'now' });
    (await store.load(name))?.destroy();
    expect(await db.get<{ n: number }>('SELECT count(*) AS n FROM quarantine')).toEqual({ n: 1 });
    expect(await kept()).toBe(0);
    const served = await store.bundleState(name);
    expect(visitsOf(served!.update)).toEqual(['v1']);
  });
});
