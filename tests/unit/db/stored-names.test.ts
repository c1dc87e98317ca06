import { describe, expect, it } from 'vitest';
import { LianhuDb } from '@/db/database';
import { DocStore, NAMES_PER_READ } from '@/db/doc-store';

describe('DocStore.storedNames', () => {
  it('names every doc with stored updates once, in order, across its short reads', async () => {
    const db = new LianhuDb(`stored-names-${Math.random()}`);
    const docs = new DocStore(db);
    const count = NAMES_PER_READ * 2 + 17;
    const names = Array.from({ length: count }, (_, i) => `household:t1:h${String(i).padStart(4, '0')}`);
    // Several update rows for some docs, among them the last name of a read, so a doc
    // spanning two reads is still named once.
    const rows = names.flatMap((doc, i) => Array.from({ length: i % 3 === 0 || i === NAMES_PER_READ - 1 ? 3 : 1 }, () => ({ doc, update: new Uint8Array([i % 256]) })));
    await db.updates.bulkAdd(rows.reverse());
    expect(await docs.storedNames()).toEqual([...names].sort());
    await db.updates.clear();
    expect(await docs.storedNames()).toEqual([]);
    db.close();
  });
});
