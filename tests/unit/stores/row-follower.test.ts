import Dexie, { type ObservabilitySet } from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { changedKeys, patchRows, PATCH_MAX_KEYS, RowFollower } from '@/stores/row-follower';

interface Row {
  id: string;
  n: number;
}

class Db extends Dexie {
  rows!: Dexie.Table<Row, string>;
  constructor() {
    super(`follower-${Math.random()}`);
    this.version(1).stores({ rows: 'id' });
  }
}

/** Everything Dexie announces for `db.rows` until `stop()`. */
function listen(db: Db): { seen: ReturnType<typeof changedKeys>[]; stop(): void } {
  const seen: ReturnType<typeof changedKeys>[] = [];
  const on = (parts: ObservabilitySet) => {
    const keys = changedKeys(parts[`idb://${db.name}/rows/`]);
    if (keys) seen.push(keys);
  };
  Dexie.on('storagemutated', on);
  return { seen, stop: () => Dexie.on('storagemutated').unsubscribe(on) };
}

const settle = () => new Promise((r) => setTimeout(r, 20));
const dbs: Db[] = [];
/** Opened and settled first: opening announces the whole table as changed. */
async function openDb(): Promise<Db> {
  const db = new Db();
  dbs.push(db);
  await db.open();
  await settle();
  return db;
}
afterEach(() => dbs.splice(0).forEach((d) => d.close()));

describe('changedKeys', () => {
  it('names the keys of puts and deletes, and "all" for a clear or a burst', async () => {
    const db = await openDb();
    const l = listen(db);
    await db.rows.bulkPut([
      { id: 'a', n: 1 },
      { id: 'b', n: 1 },
    ]);
    await settle();
    await db.rows.delete('a');
    await settle();
    await db.rows.bulkPut(Array.from({ length: PATCH_MAX_KEYS + 1 }, (_, i) => ({ id: `k${i}`, n: i })));
    await settle();
    await db.rows.clear();
    await settle();
    l.stop();
    expect(l.seen[0]).toEqual(expect.arrayContaining(['a', 'b']));
    expect(l.seen[0]).toHaveLength(2);
    expect(l.seen[1]).toEqual(['a']);
    expect(l.seen[2]).toBe('all');
    expect(l.seen[3]).toBe('all');
  });

  it('reads a tree sent as plain data (another tab) without its prototype', () => {
    const tree = { from: 'b', to: 'b', d: 2, l: { from: 'a', to: 'a', d: 1 }, r: { from: 'c', to: 'c', d: 1 } };
    expect([...(changedKeys(JSON.parse(JSON.stringify(tree))) as string[])].sort()).toEqual(['a', 'b', 'c']);
    expect(changedKeys({ d: 0 })).toBeUndefined();
    expect(changedKeys({ from: 'a', to: 'z', d: 1 })).toBe('all');
  });
});

describe('patchRows', () => {
  it('replaces, adds and removes by id, keeping the other rows as they were', () => {
    const a = { id: 'a', n: 1 };
    const b = { id: 'b', n: 1 };
    const c = { id: 'c', n: 1 };
    const out = patchRows([a, b, c], ['b', 'c', 'd'], [{ id: 'b', n: 2 }, undefined, { id: 'd', n: 1 }]);
    expect(out).toEqual([a, { id: 'b', n: 2 }, { id: 'd', n: 1 }]);
    expect(out[0]).toBe(a);
  });
});

describe('RowFollower', () => {
  it('ends with exactly the table after saves, deletes, a burst and a clear, in any interleaving', async () => {
    const db = await openDb();
    let rows: Row[] = [];
    let fullReads = 0;
    const follower = new RowFollower<Row>(
      {
        readAll: () => {
          fullReads++;
          return db.rows.toArray();
        },
        readKeys: (keys) => db.rows.bulkGet(keys),
      },
      () => rows,
      (r) => (rows = r),
    );
    const on = (parts: ObservabilitySet) => {
      const keys = changedKeys(parts[`idb://${db.name}/rows/`]);
      if (keys) follower.changed(keys);
    };
    Dexie.on('storagemutated', on);
    try {
      await db.rows.bulkPut([
        { id: 'a', n: 0 },
        { id: 'b', n: 0 },
      ]);
      await follower.readAll();
      const readsAfterStart = fullReads;
      // Saves: one row each, quickly one after another; none needs a full read.
      for (let i = 1; i <= 5; i++) await db.rows.put({ id: i % 2 ? 'a' : 'b', n: i });
      await db.rows.put({ id: 'c', n: 9 });
      await db.rows.delete('b');
      await settle();
      const sorted = () => [...rows].sort((x, y) => (x.id < y.id ? -1 : 1));
      expect(sorted()).toEqual(await db.rows.orderBy('id').toArray());
      expect(fullReads).toBe(readsAfterStart);
      // A burst, then a save inside it, then a clear and a last row.
      await db.rows.bulkPut(Array.from({ length: 200 }, (_, i) => ({ id: `k${i}`, n: i })));
      await db.rows.put({ id: 'k3', n: -1 });
      await settle();
      await new Promise((r) => setTimeout(r, 1100));
      expect(sorted()).toEqual(await db.rows.orderBy('id').toArray());
      await db.rows.clear();
      await db.rows.put({ id: 'z', n: 1 });
      await new Promise((r) => setTimeout(r, 1100));
      expect(rows).toEqual([{ id: 'z', n: 1 }]);
    } finally {
      Dexie.on('storagemutated').unsubscribe(on);
      follower.stop();
    }
  });
});
