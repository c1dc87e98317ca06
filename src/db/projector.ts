import type * as Y from 'yjs';
import { readHousehold, isHouseholdDoc } from '@/docs/household-doc';
import { parseDocName } from '@/docs/schema';
import { docVersion } from '@/docs/ymap';
import { projectHousehold } from '@/domain/projection';
import type { LianhuDb } from './database';
import type { DocStore } from './doc-store';

/** What household rows need from the team doc. */
export interface TeamContext {
  /** household id → linked member ids */
  assignments: Map<string, string[]>;
  requestDueDays: number;
}

/**
 * Keeps the Dexie rows in step with the docs. Rows are derived data: rebuilding them from
 * the doc is always correct, so every doubt (a crash, a pending mark, a version mismatch)
 * is settled by projecting again.
 */
export class Projector {
  private readonly queued = new Set<string>();
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly db: LianhuDb,
    private readonly docs: DocStore,
    private readonly team: () => TeamContext,
  ) {}

  /** Mark a doc's rows as possibly stale; done before a write reaches the doc. */
  async markPending(name: string): Promise<void> {
    const parsed = parseDocName(name);
    const now = new Date().toISOString();
    await this.db.transaction('rw', this.db.docs, async () => {
      const rec = await this.db.docs.get(name);
      if (rec) await this.db.docs.update(name, { pending: 1, updatedAt: now });
      else await this.db.docs.put({ name, kind: parsed?.kind ?? 'household', householdId: parsed?.id, pending: 1, unsynced: 0, updatedAt: now });
    });
  }

  /** Project a household doc now; resolves once its rows are written. */
  async project(name: string): Promise<void> {
    const parsed = parseDocName(name);
    if (!parsed || parsed.kind !== 'household') return;
    const doc = await this.docs.get(name);
    await this.writeRows(name, doc);
  }

  /** Queue a projection (for updates that arrive from sync in bursts). */
  schedule(name: string): void {
    this.queued.add(name);
    if (!this.flushing) {
      this.flushing = new Promise<void>((r) => setTimeout(r, 30)).then(() => this.drain());
    }
  }

  /** Resolves when every scheduled projection is written. */
  async settled(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queued.size > 0) {
        const batch = [...this.queued];
        this.queued.clear();
        for (const name of batch) await this.project(name);
      }
    } finally {
      this.flushing = null;
    }
  }

  private async writeRows(name: string, doc: Y.Doc): Promise<void> {
    const version = docVersion(doc);
    const now = new Date().toISOString();
    if (!isHouseholdDoc(doc)) {
      // Nothing received yet (e.g. a doc attached for sync before its first update).
      await this.db.docs.update(name, { pending: 0, projectedVersion: version, updatedAt: now });
      return;
    }
    const file = readHousehold(doc);
    const team = this.team();
    const rows = projectHousehold(file, {
      docVersion: version,
      linkedMemberIds: team.assignments.get(file.household.id) ?? [],
      requestDueDays: team.requestDueDays,
    });
    const hid = file.household.id;
    const { db } = this;
    // One transaction: the rows, and the mark that says they are current, land together.
    await db.transaction('rw', [db.households, db.visits, db.requests, db.ratings, db.complaints, db.docs], async () => {
      await Promise.all([
        db.visits.where('householdId').equals(hid).delete(),
        db.requests.where('householdId').equals(hid).delete(),
        db.ratings.where('householdId').equals(hid).delete(),
        db.complaints.where('householdId').equals(hid).delete(),
      ]);
      await db.households.put(rows.household);
      await Promise.all([db.visits.bulkPut(rows.visits), db.requests.bulkPut(rows.requests), db.ratings.bulkPut(rows.ratings), db.complaints.bulkPut(rows.complaints)]);
      const rec = await db.docs.get(name);
      // Only clear `pending` if no newer write marked it after we read the doc.
      const stillCurrent = docVersion(doc) === version;
      const base = rec ?? { name, kind: 'household' as const, householdId: hid, unsynced: 0 as const };
      await db.docs.put({ ...base, pending: stillCurrent ? 0 : 1, projectedVersion: version, updatedAt: now });
    });
    if (docVersion(doc) !== version) this.schedule(name);
  }

  /** Start-up repair: rebuild rows of every doc a write may have reached without its rows. */
  async repairPending(): Promise<number> {
    const pending = await this.db.docs.where('pending').equals(1).primaryKeys();
    for (const name of pending) await this.project(name);
    return pending.length;
  }

  /**
   * Full check: every stored household doc whose version differs from its rows' is
   * projected again, and docs present on disk but unknown to the table are adopted.
   * Run in the background after start-up; it loads every doc.
   */
  async sweep(): Promise<number> {
    const stored = await this.docs.storedNames();
    let rebuilt = 0;
    for (const name of stored) {
      const parsed = parseDocName(name);
      if (!parsed || parsed.kind !== 'household') continue;
      const doc = await this.docs.get(name);
      const rec = await this.db.docs.get(name);
      const row = parsed.id ? await this.db.households.get(parsed.id) : undefined;
      const version = docVersion(doc);
      if (!rec || rec.projectedVersion !== version || (isHouseholdDoc(doc) && row?.docVersion !== version)) {
        await this.writeRows(name, doc);
        rebuilt++;
      }
    }
    return rebuilt;
  }

  /** The team doc changed: refresh linked members on every household row (no doc loads). */
  async applyAssignments(): Promise<void> {
    const { assignments } = this.team();
    await this.db.transaction('rw', this.db.households, async () => {
      await this.db.households.toCollection().modify((row) => {
        const next = [...(assignments.get(row.id) ?? [])].sort();
        if (next.join() !== row.linkedMemberIds.join()) row.linkedMemberIds = next;
      });
    });
  }
}
