import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { LocalRecords } from '@/db/local-records';
import { encodeDoc, encodeEnd, encodeHeader } from '@/docs/bundle';
import { createHousehold, readHousehold } from '@/docs/household-doc';
import { householdDocName } from '@/docs/schema';
import { writeBundle } from '@/sync/bundle-io';
import { importBundle } from '@/sync/file-sync';
import { actor, profile } from '../db/fixtures';

/** A file whose update writes wrong types into a household this device holds (the crafted file). */
async function craftedFile(records: LocalRecords, name: string, write: (doc: Y.Doc) => void): Promise<Blob> {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(await records.doc(name)));
  const sv = Y.encodeStateVector(doc);
  write(doc);
  const header = encodeHeader({ teamId: 't1', createdAt: actor.now, source: { kind: 'device' } });
  return writeBundle([header, encodeDoc({ name, update: Y.encodeStateAsUpdateV2(doc, sv) }), encodeEnd({ docs: 1, photos: 0 })]);
}

describe('importing a crafted sync file', () => {
  it('applies it, counts the households it left flagged, and loses nothing else', async () => {
    const records = new LocalRecords();
    await records.start(undefined);
    const names = ['h1', 'h2'].map((id) => householdDocName('t1', id));
    for (const [i, name] of names.entries()) await records.commit(name, (doc) => createHousehold(doc, { id: `h${i + 1}`, teamId: 't1', profile: profile() }, actor));

    const honest = await craftedFile(records, names[1]!, (doc) => doc.getMap('profile').set('notes', '正常的备注'));
    expect(await importBundle(records, honest, 't1')).toMatchObject({ docsChanged: 1, flagged: 0 });

    const bad = await craftedFile(records, names[0]!, (doc) => {
      doc.getMap('profile').set('headName', 42);
      doc.getMap('tags').set('__proto__', true);
    });
    expect(await importBundle(records, bad, 't1')).toMatchObject({ docsChanged: 1, flagged: 1 });
    const file = readHousehold(await records.doc(names[0]!));
    expect(file.household.invalid).toContain('headName');
    expect(file.household.invalidTags).toEqual(['__proto__']);
    expect(readHousehold(await records.doc(names[1]!)).household.invalid).toBeUndefined();
    await records.close();
  });
});
