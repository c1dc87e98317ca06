import type * as Y from 'yjs';
import type { DocRecord } from '@/db/database';
import { WRITTEN_AHEAD } from '@/db/doc-persistence';
import type { LocalRecords } from '@/db/local-records';
import { parseDocName } from '@/docs/schema';
import { docVersion } from '@/docs/ymap';

/** Origin of updates applied from an imported file: they are this device's to upload. */
export const IMPORTED = Symbol('imported');
/** Origin of updates applied from a relay bundle: they are already on the server. */
export const FROM_RELAY = Symbol('from-relay');

/**
 * Which docs hold updates the relay has not acknowledged.
 *
 * Every local write (origin WRITTEN_AHEAD) and every imported update bumps the doc's local
 * sequence and sets `docs.unsynced = 1` in Dexie. Sessions report acknowledgements as "the
 * relay holds everything up to local sequence n"; only when n reaches the doc's current
 * sequence is `unsynced` cleared, and `serverVersion` records the doc version the relay
 * confirmed. Dexie writes for one doc are chained and take their value when they run, so a
 * late "synced" can never overwrite a newer "unsynced".
 *
 * Sequences live in memory: a doc found unsynced in Dexie at start counts as sequence 1, and
 * the first full handshake (which carries the whole local state) covers it.
 */
export class UnsyncedTracker {
  private readonly seq = new Map<string, number>();
  private readonly acked = new Map<string, number>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly listeners = new Set<() => void>();
  private readonly markListeners = new Set<() => void>();
  private unsubscribe: (() => void) | undefined;
  private changeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly records: LocalRecords) {}

  /** Start listening to doc updates and load what Dexie says is unsynced. */
  async start(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = this.records.docs.onUpdate((name, _update, origin) => {
      if (origin === WRITTEN_AHEAD || origin === IMPORTED) this.markLocal(name);
    });
    for (const name of await this.records.db.docs.where('unsynced').equals(1).primaryKeys()) {
      if (!this.seq.has(name)) {
        this.seq.set(name, 1);
        this.acked.set(name, 0);
      }
    }
    await this.reconcile();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.changeTimer) clearTimeout(this.changeTimer);
  }

  /** Be told when the set of unsynced docs may have changed (debounced). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Be told at once (synchronously) when a doc becomes unsynced. */
  onMark(listener: () => void): () => void {
    this.markListeners.add(listener);
    return () => this.markListeners.delete(listener);
  }

  /** Docs this session knows to hold unacknowledged updates (ahead of what Dexie says). */
  unsyncedInMemory(): string[] {
    return [...this.seq.keys()].filter((n) => this.isUnsynced(n));
  }

  /** The doc's local sequence: how many local updates this session has seen (≥ 1 if unsynced at start). */
  localSeq(name: string): number {
    return this.seq.get(name) ?? 0;
  }

  isUnsynced(name: string): boolean {
    return (this.seq.get(name) ?? 0) > (this.acked.get(name) ?? 0);
  }

  isUnsyncedAny(names: Iterable<string>): boolean {
    for (const n of names) if (this.isUnsynced(n)) return true;
    return false;
  }

  /** A local or imported update reached the doc: it is not on the server. */
  markLocal(name: string): void {
    this.seq.set(name, (this.seq.get(name) ?? 0) + 1);
    if (!this.acked.has(name)) this.acked.set(name, 0);
    // A save already wrote `unsynced` in its own transaction; this keeps imports and the
    // chain's order (a later "synced" waits for it).
    void this.write(name);
    for (const l of this.markListeners) l();
  }

  /**
   * The relay acknowledged the doc's state up to local sequence `covered` (see sessions).
   * Resolves once Dexie reflects it.
   */
  acknowledge(name: string, covered: number, doc: Y.Doc): Promise<void> {
    if (covered > (this.acked.get(name) ?? 0)) this.acked.set(name, covered);
    return this.write(name, doc);
  }

  /**
   * The doc's current state is known to be on the relay (a relay bundle, or remote updates
   * received while nothing was pending): record it as the confirmed version.
   */
  confirmServerState(name: string, doc: Y.Doc): Promise<void> {
    if (this.isUnsynced(name)) return this.chains.get(name) ?? Promise.resolve();
    return this.write(name, doc);
  }

  /** Wait until every flag write issued so far is in Dexie. */
  async settled(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  /** Names of this team's docs with unsynced updates (from Dexie, the durable truth). */
  async unsyncedNames(teamId: string): Promise<string[]> {
    await this.settled();
    const names = await this.records.db.docs.where('unsynced').equals(1).primaryKeys();
    return names.filter((n) => parseDocName(n)?.teamId === teamId);
  }

  /**
   * Safety net for a lost `unsynced` mark (an acknowledgement's write racing a save, an
   * import's mark lost in a crash): a household doc whose rows show a version the relay did
   * not confirm holds something the relay may lack. Costs one Dexie scan, no doc loads.
   * Docs attached right now are skipped (`live`): their session knows better, and a remote
   * update may have reached their rows before its confirmation reached Dexie.
   */
  async reconcile(live: (name: string) => boolean = () => false): Promise<number> {
    // One read of the index's records, filtered here: a filtered Dexie collection walks a
    // cursor, one IndexedDB request (and one main-thread task) per doc — 2,000 at team scale.
    const synced = await this.records.db.docs.where('unsynced').equals(0).toArray();
    const suspects = synced.filter((r: DocRecord) => r.kind === 'household' && r.projectedVersion !== undefined && r.projectedVersion !== r.serverVersion).map((r) => r.name);
    const fresh = suspects.filter((n) => !this.chains.has(n) && !live(n));
    for (const name of fresh) this.markLocal(name);
    return fresh.length;
  }

  /** Forget a doc removed from the device. */
  forget(name: string): void {
    this.seq.delete(name);
    this.acked.delete(name);
  }

  private write(name: string, doc?: Y.Doc): Promise<void> {
    const prev = this.chains.get(name) ?? Promise.resolve();
    const next = prev
      .then(() => this.store(name, doc))
      .catch(() => {
        // A failed flag write leaves the doc marked as it was; `reconcile` catches a lost
        // "unsynced", and a lost "synced" only costs one more handshake.
      });
    this.chains.set(name, next);
    void next.then(() => {
      if (this.chains.get(name) === next) this.chains.delete(name);
      this.changed();
    });
    return next;
  }

  private async store(name: string, doc: Y.Doc | undefined): Promise<void> {
    const { db } = this.records;
    const unsynced = this.isUnsynced(name) ? 1 : 0;
    // The version is read now, not when the ack arrived: only a state with nothing unsynced is recorded.
    const serverVersion = unsynced === 0 && doc ? docVersion(doc) : undefined;
    await db.transaction('rw', db.docs, async () => {
      const rec = await db.docs.get(name);
      if (rec) {
        const patch: Partial<DocRecord> = { unsynced };
        if (serverVersion) patch.serverVersion = serverVersion;
        if (rec.unsynced !== unsynced || (serverVersion && rec.serverVersion !== serverVersion)) await db.docs.update(name, patch);
        return;
      }
      const parsed = parseDocName(name);
      await db.docs.put({
        name,
        kind: parsed?.kind ?? 'household',
        householdId: parsed?.id,
        unsynced,
        ...(serverVersion ? { serverVersion } : {}),
        updatedAt: new Date().toISOString(),
      });
    });
  }

  private changed(): void {
    if (this.changeTimer) return;
    this.changeTimer = setTimeout(() => {
      this.changeTimer = undefined;
      for (const l of this.listeners) l();
    }, 50);
  }
}
