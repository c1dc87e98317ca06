import * as Y from 'yjs';
import { migrateDoc } from '@/docs/migrations';
import type { DocUpdate, LianhuDb } from './database';
import { LOADED, StorageWriteError, WRITTEN_AHEAD } from './doc-persistence';

export type DocUpdateListener = (name: string, update: Uint8Array, origin: unknown, doc: Y.Doc) => void;

/** Rows a doc may gather before a write folds them into one snapshot. */
export const COMPACT_AT = 32;

/** Doc names read per transaction by `storedNames` (see there). */
export const NAMES_PER_READ = 100;

/**
 * A doc in memory, and what of it is on disk. `stored` lists the update rows whose content
 * the live doc already holds: a compaction may delete exactly these (never a row written by
 * a save that is not applied yet). `unsaved` holds received updates not yet written.
 */
export class OpenDoc {
  stored: number[] = [];
  unsaved: Uint8Array[] = [];
  private lock: Promise<unknown> = Promise.resolve();

  constructor(
    readonly name: string,
    readonly doc: Y.Doc,
  ) {}

  /** Run `fn` alone among this doc's saves: two saves must not both extend the device's clock from the same state. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }
}

/** What one transaction writes for a doc, taken from its `unsaved` (see `takeUnsaved`). */
export interface PendingWrite {
  open: OpenDoc;
  /** one row: the merged unsaved updates, or a snapshot of the whole doc */
  update: Uint8Array;
  /** rows the snapshot replaces (empty unless compacting) */
  replaces: number[];
  taken: Uint8Array[];
}

/**
 * The Y.Docs on this device, stored as update rows in the one Dexie database
 * (`updates`, indexed by doc name). Opening is cached and reads only that doc's rows; every
 * update of an open doc is reported to the listeners (the projector and the sync engine),
 * whatever its origin. Updates received from elsewhere are kept in `unsaved` until the
 * projector writes them together with their rows (`LocalRecords`); a save writes its own.
 */
export class DocStore {
  private readonly docs = new Map<string, Promise<OpenDoc>>();
  /** docs being written by someone holding no live doc (`reserve`): opening one waits for that write */
  private readonly reserved = new Map<string, Promise<void>>();
  /** the same docs once loaded */
  private readonly loaded = new Map<string, OpenDoc>();
  private readonly listeners = new Set<DocUpdateListener>();
  /** set by LocalRecords: writes every unsaved update (and its rows) */
  flusher: () => Promise<void> = async () => undefined;

  constructor(private readonly db: LianhuDb) {}

  onUpdate(listener: DocUpdateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Open (or create, in memory) a doc and wait until its stored content is loaded and migrated. */
  async get(name: string): Promise<Y.Doc> {
    return (await this.open(name)).doc;
  }

  /** Open many docs with one read of the database (a first-sync piece brings hundreds). */
  async getMany(names: string[]): Promise<Y.Doc[]> {
    const missing = names.filter((n) => !this.docs.has(n));
    if (missing.length > 0) {
      const rows = this.afterReserved(missing).then(() => this.db.updates.where('doc').anyOf(missing).toArray());
      const grouped = rows.then((all) => {
        const by = new Map<string, DocUpdate[]>();
        for (const r of all) (by.get(r.doc) ?? by.set(r.doc, []).get(r.doc)!).push(r);
        return by;
      });
      for (const name of missing) this.track(name, grouped.then((by) => this.build(name, by.get(name) ?? [])));
    }
    return Promise.all(names.map((n) => this.get(n)));
  }

  isOpen(name: string): boolean {
    return this.docs.has(name);
  }

  /** A doc already loaded, if it is (no wait). */
  loadedDoc(name: string): OpenDoc | undefined {
    return this.loaded.get(name);
  }

  /** The open doc with its storage bookkeeping (LocalRecords' write path). */
  open(name: string): Promise<OpenDoc> {
    const p = this.docs.get(name);
    if (p) return p;
    return this.track(
      name,
      this.afterReserved([name])
        .then(() => this.db.updates.where('doc').equals(name).toArray())
        .then((rows) => this.build(name, rows)),
    );
  }

  /**
   * Reserve the docs among `names` that are not open, for a writer that stores their updates
   * and rows without a live doc (a first-sync piece: building 200 live docs, each encoding
   * every update again for its `update` event, cost more than the rest of the piece). Until
   * `release` is called, opening one of them waits, then reads what was written. Synchronous,
   * so nothing opens a doc between the check and the reservation.
   */
  reserve(names: string[]): { names: string[]; release: () => void } {
    const free = names.filter((n) => !this.docs.has(n) && !this.reserved.has(n));
    let release!: () => void;
    const done = new Promise<void>((r) => (release = r));
    for (const n of free) this.reserved.set(n, done);
    return {
      names: free,
      release: () => {
        for (const n of free) if (this.reserved.get(n) === done) this.reserved.delete(n);
        release();
      },
    };
  }

  private async afterReserved(names: string[]): Promise<void> {
    for (const n of names) {
      const busy = this.reserved.get(n);
      if (busy) await busy;
    }
  }

  private track(name: string, p: Promise<OpenDoc>): Promise<OpenDoc> {
    p.catch(() => this.docs.delete(name));
    this.docs.set(name, p);
    return p;
  }

  private build(name: string, rows: DocUpdate[]): OpenDoc {
    const doc = new Y.Doc({ guid: name });
    const open = new OpenDoc(name, doc);
    doc.transact(() => {
      for (const r of rows) applyStoredUpdate(doc, r);
    }, LOADED);
    open.stored = rows.map((r) => r.id!);
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === LOADED) return;
      // A save is on disk before it is applied; anything else is written by the next flush.
      if (origin !== WRITTEN_AHEAD) open.unsaved.push(update);
      for (const l of this.listeners) l(name, update, origin, doc);
    });
    this.loaded.set(name, open);
    migrateDoc(doc);
    return open;
  }

  /** Names of the open docs holding updates not yet on disk. */
  unsavedNames(): string[] {
    const names: string[] = [];
    for (const [name, open] of this.loaded) if (open.unsaved.length > 0) names.push(name);
    return names;
  }

  /**
   * Take a doc's unsaved updates for one write. A doc with many rows is written as one
   * snapshot replacing them: the live doc holds everything in `stored` and `unsaved`.
   */
  takeUnsaved(open: OpenDoc): PendingWrite | undefined {
    if (open.unsaved.length === 0) return undefined;
    const taken = open.unsaved;
    open.unsaved = [];
    if (open.stored.length + 1 >= COMPACT_AT) {
      return { open, update: Y.encodeStateAsUpdate(open.doc), replaces: [...open.stored], taken };
    }
    return { open, update: taken.length === 1 ? taken[0]! : Y.mergeUpdates(taken), replaces: [], taken };
  }

  /** A write failed: its updates are unsaved again (the next flush retries them). */
  putBack(w: PendingWrite): void {
    w.open.unsaved = [...w.taken, ...w.open.unsaved];
  }

  /** A write committed as row `id`. */
  written(open: OpenDoc, id: number, replaces: number[]): void {
    const gone = new Set(replaces);
    open.stored = [...open.stored.filter((x) => !gone.has(x)), id];
  }

  /** Names of every doc stored on this device (one key scan of the updates' index). */
  async storedNames(): Promise<string[]> {
    // In short reads of NAMES_PER_READ names each: one walk over 2,000 docs' keys held the
    // `updates` table for a second at 4× CPU, and a member's save waited behind it (the
    // idle consistency check runs a few seconds after start, when people start saving).
    const names: string[] = [];
    for (;;) {
      const last = names.at(-1);
      const from = last === undefined ? this.db.updates.orderBy('doc') : this.db.updates.where('doc').above(last);
      const chunk = (await from.limit(NAMES_PER_READ).uniqueKeys()) as string[];
      names.push(...chunk);
      if (chunk.length < NAMES_PER_READ) return names;
    }
  }

  /** Write everything received so far to disk; throws StorageWriteError if the disk refuses. */
  async flushAll(): Promise<void> {
    await this.flusher();
    const left = this.unsavedNames();
    if (left.length > 0) throw new StorageWriteError('io', new Error(`${left.length} doc(s) could not be written`));
  }

  /** Forget a doc in memory (its rows stay on disk). */
  async close(name: string): Promise<void> {
    const p = this.docs.get(name);
    if (!p) return;
    this.docs.delete(name);
    this.loaded.delete(name);
    const open = await p.catch(() => undefined);
    open?.doc.destroy();
  }

  /** Remove a doc from this device: in memory and its update rows. */
  async remove(name: string): Promise<void> {
    await this.close(name);
    await this.db.updates.where('doc').equals(name).delete();
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.docs.keys()].map((n) => this.close(n)));
  }
}

/** Apply a stored update row in the encoding it was stored in. */
export function applyStoredUpdate(doc: Y.Doc, row: Pick<DocUpdate, 'update' | 'format'>, origin?: unknown): void {
  if (row.format === 2) Y.applyUpdateV2(doc, row.update, origin);
  else Y.applyUpdate(doc, row.update, origin);
}
