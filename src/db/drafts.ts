import type { Draft, LianhuDb } from './database';

/** Drafts: a form's unsaved input, written as it is typed (local only, never synced). */

export function getDraft(db: LianhuDb, key: string): Promise<Draft | undefined> {
  return db.drafts.get(key);
}

export async function putDraft(db: LianhuDb, key: string, route: string, data: unknown): Promise<void> {
  // A deep plain copy: reactive proxies cannot be cloned into IndexedDB.
  await db.drafts.put({ key, route, data: JSON.parse(JSON.stringify(data)) as unknown, updatedAt: new Date().toISOString() });
}

export async function deleteDraft(db: LianhuDb, key: string): Promise<void> {
  await db.drafts.delete(key);
}

export function listDrafts(db: LianhuDb): Promise<Draft[]> {
  return db.drafts.orderBy('updatedAt').reverse().toArray();
}
