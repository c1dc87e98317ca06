import type * as Y from 'yjs';
import { readHousehold, isHouseholdDoc } from '@/docs/household-doc';
import { householdDocName, parseDocName } from '@/docs/schema';
import { docVersion } from '@/docs/ymap';
import type { HouseholdFile } from '@/domain/household-file';
import { combineFiles } from '@/domain/merge';
import { projectHousehold } from '@/domain/projection';
import type { LianhuDb } from './database';
import type { DocStore } from './doc-store';

/** What household rows need from the team doc. */
export interface TeamContext {
  /** household id → linked member ids */
  assignments: Map<string, string[]>;
  requestDueDays: number;
  /** household id → root of its merge group (only households that are part of a merge) */
  mergeRoots: Map<string, string>;
  /** root → every household id of its group, root first */
  mergeGroups: Map<string, string[]>;
}

/**
 * Keeps the Dexie rows in step with the docs. Rows are derived data: rebuilding them from
 * the docs is always correct, so every doubt (a crash, a pending mark, a version mismatch)
 * is settled by projecting again. A merged group is projected as one file under its root.
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

  /** Project a household doc now (and its merge group); resolves once the rows are written. */
  async project(name: string): Promise<void> {
    const parsed = parseDocName(name);
    if (!parsed || parsed.kind !== 'household' || !parsed.id) return;
    const { mergeRoots } = this.team();
    let root = mergeRoots.get(parsed.id) ?? parsed.id;
    // A device that does not hold the target keeps showing the file as it is.
    if (root !== parsed.id && !(await this.holds(householdDocName(parsed.teamId, root)))) root = parsed.id;
    if (root !== parsed.id) await this.writeMergedAway(name, parsed.id, root);
    await this.writeGroup(parsed.teamId, root);
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

  /** A household merged into another: its own row, marked, and no record rows of its own. */
  private async writeMergedAway(name: string, id: string, root: string): Promise<void> {
    const doc = await this.docs.get(name);
    const version = docVersion(doc);
    const { db } = this;
    await db.transaction('rw', [db.households, db.visits, db.requests, db.ratings, db.complaints, db.docs], async () => {
      await this.deleteRecordRows(id);
      if (isHouseholdDoc(doc)) {
        const rows = projectHousehold(readHousehold(doc), { docVersion: version, linkedMemberIds: this.team().assignments.get(id) ?? [], requestDueDays: this.team().requestDueDays, mergedInto: root });
        await db.households.put(rows.household);
      }
      await this.markProjected(name, id, version, doc);
    });
  }

  private async writeGroup(teamId: string, root: string): Promise<void> {
    const ids = this.team().mergeGroups.get(root) ?? [root];
    const loaded: { name: string; id: string; doc: Y.Doc; version: string }[] = [];
    for (const id of ids) {
      const name = householdDocName(teamId, id);
      // Group members this device does not hold are simply not part of its view.
      if (id !== root && !(await this.holds(name))) continue;
      const doc = await this.docs.get(name);
      loaded.push({ name, id, doc, version: docVersion(doc) });
    }
    const files: HouseholdFile[] = loaded.filter((l) => isHouseholdDoc(l.doc)).map((l) => readHousehold(l.doc));
    const rootEntry = loaded[0]!;
    const { db } = this;
    const now = new Date().toISOString();
    if (!isHouseholdDoc(rootEntry.doc)) {
      // Nothing received yet (e.g. a doc attached for sync before its first update).
      await db.docs.update(rootEntry.name, { pending: 0, projectedVersion: rootEntry.version, updatedAt: now });
      return;
    }
    const combined = combineFiles(files[0]!, files.slice(1));
    const team = this.team();
    const rows = projectHousehold(combined, {
      docVersion: loaded.map((l) => l.version).join('+'),
      linkedMemberIds: team.assignments.get(root) ?? [],
      requestDueDays: team.requestDueDays,
    });
    // One transaction: the rows, and the marks that say they are current, land together.
    await db.transaction('rw', [db.households, db.visits, db.requests, db.ratings, db.complaints, db.docs], async () => {
      await this.deleteRecordRows(root);
      await db.households.put(rows.household);
      await Promise.all([db.visits.bulkPut(rows.visits), db.requests.bulkPut(rows.requests), db.ratings.bulkPut(rows.ratings), db.complaints.bulkPut(rows.complaints)]);
      for (const l of loaded) if (l.id === root) await this.markProjected(l.name, l.id, l.version, l.doc);
    });
    if (loaded.some((l) => docVersion(l.doc) !== l.version)) this.schedule(rootEntry.name);
  }

  private async holds(name: string): Promise<boolean> {
    return this.docs.isOpen(name) || (await this.db.docs.get(name)) !== undefined;
  }

  private async deleteRecordRows(householdId: string): Promise<void> {
    const { db } = this;
    await Promise.all(
      [db.visits, db.requests, db.ratings, db.complaints].flatMap((t) => [t.where('householdId').equals(householdId).delete(), t.where('docHouseholdId').equals(householdId).delete()]),
    );
  }

  /** Record the version projected; keep `pending` if a newer write arrived meanwhile. */
  private async markProjected(name: string, householdId: string, version: string, doc: Y.Doc): Promise<void> {
    const rec = await this.db.docs.get(name);
    const stillCurrent = docVersion(doc) === version;
    const base = rec ?? { name, kind: 'household' as const, householdId, unsynced: 0 as const };
    await this.db.docs.put({ ...base, pending: stillCurrent ? 0 : 1, projectedVersion: version, updatedAt: new Date().toISOString() });
  }

  /** Start-up repair: rebuild rows of every doc a write may have reached without its rows. */
  async repairPending(): Promise<number> {
    const pending = await this.db.docs.where('pending').equals(1).primaryKeys();
    for (const name of pending) await this.project(name);
    return pending.length;
  }

  /**
   * Full check: every stored household doc whose version differs from the one its rows
   * came from is projected again, and docs on disk but unknown to the table are adopted.
   * Run in the background after start-up; it loads every doc.
   */
  async sweep(): Promise<number> {
    const stored = await this.docs.storedNames();
    let rebuilt = 0;
    for (const name of stored) {
      const parsed = parseDocName(name);
      if (!parsed || parsed.kind !== 'household' || !parsed.id) continue;
      const doc = await this.docs.get(name);
      const rec = await this.db.docs.get(name);
      const hasRow = (await this.db.households.get(parsed.id)) !== undefined;
      if (!rec || rec.projectedVersion !== docVersion(doc) || (isHouseholdDoc(doc) && !hasRow)) {
        await this.project(name);
        rebuilt++;
      }
    }
    return rebuilt;
  }

  /** The team doc changed: refresh linked members on every household row (no doc loads). */
  async applyAssignments(): Promise<void> {
    const { assignments, mergeRoots } = this.team();
    await this.db.transaction('rw', this.db.households, async () => {
      await this.db.households.toCollection().modify((row) => {
        const root = mergeRoots.get(row.id) ?? row.id;
        const next = [...(assignments.get(root) ?? [])].sort();
        if (next.join() !== row.linkedMemberIds.join()) row.linkedMemberIds = next;
      });
    });
  }
}
