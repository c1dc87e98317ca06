// @vitest-environment node
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DB_FILE, openSqlite, type SqliteDb } from '../../../sync-server/src/storage/sqlite-db';

describe('SQLite group commit', () => {
  let dir: string;
  let db: SqliteDb;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lianhu-group-commit-'));
    db = openSqlite(dir);
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const insertTeam = (id: string) => `INSERT INTO teams (id, name, created_at, seq) VALUES ('${id}', 'n', 'now', 0)`;

  it('waits a moment for transactions asked for in the next turns: they share the commit', async () => {
    let commits = 0;
    const exec = db.db.exec.bind(db.db);
    db.db.exec = (sql: string) => {
      if (sql === 'COMMIT') commits++;
      return exec(sql);
    };
    const first = db.tx((tx) => tx.run(insertTeam('early')));
    // The next turn of the event loop, as a second socket's update read a moment later.
    await new Promise((r) => setImmediate(r));
    const second = db.tx((tx) => tx.run(insertTeam('late')));
    await Promise.all([first, second]);
    expect(commits).toBe(1);
    expect(await db.get<{ n: number }>('SELECT count(*) AS n FROM teams')).toEqual({ n: 2 });
  });

  it('commits transactions asked for in one turn together, each resolved only once committed', async () => {
    const other = new Database(join(dir, DB_FILE), { readonly: true });
    try {
      let commits = 0;
      const exec = db.db.exec.bind(db.db);
      db.db.exec = (sql: string) => {
        if (sql === 'COMMIT') commits++;
        return exec(sql);
      };
      const seenByAnother: number[] = [];
      const all = Array.from({ length: 10 }, (_, i) =>
        db
          .tx(async (tx) => {
            await tx.run(insertTeam(`t${i}`));
            return i;
          })
          .then((v) => {
            // Another connection sees it: committed before the promise resolved.
            seenByAnother.push((other.prepare('SELECT count(*) AS n FROM teams WHERE id = ?').get(`t${i}`) as { n: number }).n);
            return v;
          }),
      );
      expect(await Promise.all(all)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(commits).toBe(1);
      expect(seenByAnother).toEqual(Array(10).fill(1));
    } finally {
      other.close();
    }
  });

  it('rolls back only the transaction that throws; the others of its group commit', async () => {
    const results = await Promise.allSettled([
      db.tx((tx) => tx.run(insertTeam('a'))),
      db.tx(async (tx) => {
        await tx.run(insertTeam('b'));
        throw new Error('no');
      }),
      db.tx(async (tx) => {
        await tx.run(insertTeam('c'));
        await tx.run(insertTeam('c')); // primary key: throws inside SQLite
      }),
      db.tx((tx) => tx.run(insertTeam('d'))),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((await db.all<{ id: string }>('SELECT id FROM teams ORDER BY id')).map((r) => r.id)).toEqual(['a', 'd']);
  });

  it('lets no statement from outside run inside an open transaction', async () => {
    let inside = 0;
    const writes = db.tx(async (tx) => {
      await tx.run(insertTeam('x'));
      inside = (await tx.get<{ n: number }>('SELECT count(*) AS n FROM teams'))!.n;
      await new Promise((r) => setTimeout(r, 20));
      throw new Error('rolled back');
    });
    await new Promise((r) => setTimeout(r, 5));
    const outside = await db.get<{ n: number }>('SELECT count(*) AS n FROM teams');
    await expect(writes).rejects.toThrow('rolled back');
    expect(inside).toBe(1);
    expect(outside!.n).toBe(0);
  });

  it('runs a single transaction as before: rolled back whole when it throws', async () => {
    await expect(
      db.tx(async (tx) => {
        await tx.run(insertTeam('y'));
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(await db.get("SELECT id FROM teams WHERE id = 'y'")).toBeUndefined();
  });
});
