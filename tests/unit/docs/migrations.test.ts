import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { migrateDoc } from '@/docs/migrations';
import { SCHEMA_VERSION } from '@/docs/schema';

describe('schema migrations', () => {
  it('runs each step once, in order, and records the new version', () => {
    const doc = new Y.Doc();
    doc.getMap('meta').set('schemaVersion', 1);
    doc.getMap('profile').set('name', '张三');
    const registry = {
      1: (d: Y.Doc) => {
        const p = d.getMap('profile');
        p.set('headName', p.get('name'));
        p.delete('name');
      },
      2: (d: Y.Doc) => d.getMap('profile').set('visitIntervalDays', 30),
    };
    expect(migrateDoc(doc, registry, 3)).toBe('migrated');
    expect(doc.getMap('profile').toJSON()).toEqual({ headName: '张三', visitIntervalDays: 30 });
    expect(doc.getMap('meta').get('schemaVersion')).toBe(3);
    expect(migrateDoc(doc, registry, 3)).toBe('current');
  });

  it('leaves a doc written by a newer app untouched, and an empty doc alone', () => {
    const newer = new Y.Doc();
    newer.getMap('meta').set('schemaVersion', SCHEMA_VERSION + 1);
    const before = Y.encodeStateAsUpdate(newer);
    expect(migrateDoc(newer)).toBe('newer');
    expect(Y.encodeStateAsUpdate(newer)).toEqual(before);
    expect(migrateDoc(new Y.Doc())).toBe('empty');
  });

  it('refuses to skip a missing step', () => {
    const doc = new Y.Doc();
    doc.getMap('meta').set('schemaVersion', 1);
    expect(() => migrateDoc(doc, {}, 2)).toThrow('no migration from schema 1');
    expect(doc.getMap('meta').get('schemaVersion')).toBe(1);
  });
});
