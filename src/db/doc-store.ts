import * as Y from 'yjs';
import { migrateDoc } from '@/docs/migrations';
import { DocPersistence } from './doc-persistence';

export type DocUpdateListener = (name: string, update: Uint8Array, origin: unknown, doc: Y.Doc) => void;

interface OpenDoc {
  doc: Y.Doc;
  persistence: DocPersistence;
}

/**
 * The Y.Docs on this device, each in its own IndexedDB database (`lianhu-doc:<name>`).
 * Opening is cached; every update of every open doc is reported to the listeners (the
 * projector and the sync engine), whatever its origin.
 */
export class DocStore {
  private readonly docs = new Map<string, Promise<OpenDoc>>();
  private readonly listeners = new Set<DocUpdateListener>();

  constructor(readonly prefix = 'lianhu-doc:') {}

  onUpdate(listener: DocUpdateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Open (or create) a doc and wait until its stored content is loaded and migrated. */
  async get(name: string): Promise<Y.Doc> {
    return (await this.open(name)).doc;
  }

  async persistence(name: string): Promise<DocPersistence> {
    return (await this.open(name)).persistence;
  }

  isOpen(name: string): boolean {
    return this.docs.has(name);
  }

  private open(name: string): Promise<OpenDoc> {
    let p = this.docs.get(name);
    if (!p) {
      p = (async () => {
        const doc = new Y.Doc({ guid: name });
        const persistence = new DocPersistence(this.prefix + name, doc);
        await persistence.whenSynced;
        migrateDoc(doc);
        doc.on('update', (update: Uint8Array, origin: unknown) => {
          for (const l of this.listeners) l(name, update, origin, doc);
        });
        return { doc, persistence };
      })();
      p.catch(() => this.docs.delete(name));
      this.docs.set(name, p);
    }
    return p;
  }

  /** Names of every doc stored on this device, found from IndexedDB itself. */
  async storedNames(): Promise<string[]> {
    const dbs = await indexedDB.databases();
    return dbs
      .map((d) => d.name ?? '')
      .filter((n) => n.startsWith(this.prefix))
      .map((n) => n.slice(this.prefix.length))
      .sort();
  }

  /** Wait until everything received so far is on disk. */
  async flushAll(): Promise<void> {
    const open = await Promise.all([...this.docs.values()]);
    await Promise.all(open.map((o) => o.persistence.flush()));
  }

  async close(name: string): Promise<void> {
    const p = this.docs.get(name);
    if (!p) return;
    this.docs.delete(name);
    const { doc, persistence } = await p;
    await persistence.destroy();
    doc.destroy();
  }

  /** Remove a doc from this device (its IndexedDB database included). */
  async remove(name: string): Promise<void> {
    await this.close(name);
    await new Promise<void>((resolve, reject) => {
      const req = indexedDB.deleteDatabase(this.prefix + name);
      req.onsuccess = () => resolve();
      req.onerror = () => reject(req.error);
      req.onblocked = () => resolve();
    });
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.docs.keys()].map((n) => this.close(n)));
  }
}
