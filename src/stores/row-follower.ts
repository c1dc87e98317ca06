import type { IntervalTree, IntervalTreeNode } from 'dexie';

/** At most this many changed keys are read one by one; more (a sync's burst) and the table is read whole. */
export const PATCH_MAX_KEYS = 64;

/** Full reads after a change, up to this many per second; beyond (a sync), once a second. */
const BURST_READS = 3;
const BURST_MS = 1000;

export interface RowSource<R> {
  /** every row of the table */
  readAll(): Promise<R[]>;
  /** the rows of these keys now (undefined: deleted) */
  readKeys(keys: string[]): Promise<(R | undefined)[]>;
}

/**
 * The changed primary keys a Dexie `storagemutated` event names for one table, or
 * `'all'` when it names a range (a clear, a range delete) or too many keys to read one by one.
 */
export function changedKeys(tree: IntervalTree | undefined, max = PATCH_MAX_KEYS): string[] | 'all' | undefined {
  if (!tree || !('from' in tree)) return undefined;
  const keys: string[] = [];
  // The tree may come from another tab as plain data: walk it rather than rely on its prototype.
  const stack: IntervalTreeNode[] = [tree];
  while (stack.length) {
    const node = stack.pop()!;
    if (typeof node.from !== 'string' || node.from !== node.to) return 'all';
    keys.push(node.from);
    if (keys.length > max) return 'all';
    if (node.l) stack.push(node.l);
    if (node.r) stack.push(node.r);
  }
  return keys;
}

/** Replace, add or remove the rows of `keys` (by `id`), keeping the others' objects. */
export function patchRows<R extends { id: string }>(rows: readonly R[], keys: string[], fresh: (R | undefined)[]): R[] {
  const next = new Map(keys.map((k, i) => [k, fresh[i]]));
  const out: R[] = [];
  for (const r of rows) {
    if (!next.has(r.id)) out.push(r);
    else {
      const row = next.get(r.id);
      if (row) out.push(row);
      next.delete(r.id);
    }
  }
  for (const row of next.values()) if (row) out.push(row);
  return out;
}

/**
 * Keeps a table's rows in memory in step with IndexedDB. A save changes one or two rows:
 * those are read by key and patched in (re-reading 2,000 household rows after every save
 * cost a phone at 4× CPU 50-100 ms of main thread, in the way of the next save). A burst of
 * many keys (a first sync) or a range is read whole, at most once a second while it lasts.
 * Every read goes through one queue, so an older answer never overwrites a newer one.
 */
export class RowFollower<R extends { id: string }> {
  private queue: Promise<void> = Promise.resolve();
  private fullPending = false;
  private fullTimer: ReturnType<typeof setTimeout> | undefined;
  private starts: number[] = [];
  private stopped = false;

  constructor(
    private readonly source: RowSource<R>,
    private readonly current: () => readonly R[],
    private readonly publish: (rows: R[]) => void,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  /** The table changed: `keys` as `changedKeys` returns them. */
  changed(keys: string[] | 'all'): void {
    if (this.stopped) return;
    if (keys === 'all') this.scheduleFull();
    else if (!this.fullPending) this.enqueue(async () => this.publish(patchRows(this.current(), keys, await this.source.readKeys(keys))));
    // A full read is coming: it includes these keys.
  }

  /** Read the whole table now. */
  readAll(): Promise<void> {
    this.fullPending = true;
    return this.enqueue(async () => {
      this.fullPending = false;
      this.starts = [...this.starts.filter((t) => Date.now() - t < BURST_MS), Date.now()];
      const rows = await this.source.readAll();
      if (!this.stopped) this.publish(rows);
    });
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.fullTimer);
  }

  private scheduleFull(): void {
    if (this.fullPending) return;
    this.fullPending = true;
    const recent = this.starts.filter((t) => Date.now() - t < BURST_MS);
    const wait = recent.length < BURST_READS ? 0 : recent[0]! + BURST_MS - Date.now();
    this.fullTimer = setTimeout(() => void this.readAll(), Math.max(0, wait));
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    const run = this.queue.then(async () => {
      if (this.stopped) return;
      try {
        await step();
      } catch (err) {
        // A closed database (the records restarting on another team) is read again on the next change.
        this.onError(err);
      }
    });
    this.queue = run;
    return run;
  }
}
