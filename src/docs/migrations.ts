import type * as Y from 'yjs';
import { SCHEMA_VERSION } from './schema';

/**
 * Migrations upgrade a doc's layout in place. Each runs once per doc, in one transaction,
 * and must be idempotent: two devices may migrate the same doc offline and then merge.
 * `migrations[n]` upgrades a doc from version n to n + 1.
 */
export const migrations: Record<number, (doc: Y.Doc) => void> = {};

export type MigrationResult = 'current' | 'migrated' | 'newer' | 'empty';

/** Bring a doc to the current schema. A doc from a newer app is left untouched. */
export function migrateDoc(doc: Y.Doc, registry: Record<number, (doc: Y.Doc) => void> = migrations, target = SCHEMA_VERSION): MigrationResult {
  const meta = doc.getMap<unknown>('meta');
  const raw = meta.get('schemaVersion');
  if (typeof raw !== 'number') return 'empty';
  if (raw > target) return 'newer';
  if (raw === target) return 'current';
  doc.transact(() => {
    for (let v = raw; v < target; v++) {
      const step = registry[v];
      if (!step) throw new Error(`no migration from schema ${v}`);
      step(doc);
    }
    meta.set('schemaVersion', target);
  }, 'migration');
  return 'migrated';
}
