import type * as Y from 'yjs';
import { readHousehold, isHouseholdDoc } from '@/docs/household-doc';
import { householdDocName, parseDocName } from '@/docs/schema';
import { docVersion } from '@/docs/ymap';
import type { HouseholdFile } from '@/domain/household-file';
import { combineFiles } from '@/domain/merge';
import { projectHousehold, type HouseholdRow, type ProjectionRows } from '@/domain/projection';
import type { LianhuDb } from './database';
import type { DocStore } from './doc-store';

/** Docs projected per transaction when draining a burst of received updates. */
const DRAIN_BATCH = 100;

/** Rows to write for one doc (or merge group), and the docs they were derived from. */
interface RowPlan {
  /** household whose record rows are replaced */
  clearRecordsOf?: string;
  household?: HouseholdRow;
  records?: ProjectionRows;
  marks: { name: string; householdId: string; version: string; doc: Y.Doc }[];
  /** docs read: if one changed meanwhile, project again */
  watch?: { doc: Y.Doc; version: string; name: string }[];
}

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
    await this.write(await this.plan(name));
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

  /**
   * Queued docs are projected in batches written in one transaction each: a first sync
   * brings hundreds of docs, and a transaction per doc would re-run every live query on
   * the lists (thousands of rows) once per doc.
   */
  private async drain(): Promise<void> {
    try {
      while (this.queued.size > 0) {
        const batch = [...this.queued].slice(0, DRAIN_BATCH);
        for (const name of batch) this.queued.delete(name);
        const plans: RowPlan[] = [];
        for (const name of batch) plans.push(...(await this.plan(name)));
        await this.write(plans);
      }
    } finally {
      this.flushing = null;
    }
  }

  /** What to write for a doc: its own rows, or (merged away) its marked row and its group's rows. */
  private async plan(name: string): Promise<RowPlan[]> {
    const parsed = parseDocName(name);
    if (!parsed || parsed.kind !== 'household' || !parsed.id) return [];
    const { mergeRoots } = this.team();
    let root = mergeRoots.get(parsed.id) ?? parsed.id;
    // A device that does not hold the target keeps showing the file as it is.
    if (root !== parsed.id && !(await this.holds(householdDocName(parsed.teamId, root)))) root = parsed.id;
    const plans: RowPlan[] = [];
    if (root !== parsed.id) plans.push(await this.planMergedAway(name, parsed.id, root));
    plans.push(await this.planGroup(parsed.teamId, root));
    return plans;
  }

  /** A household merged into another: its own row, marked, and no record rows of its own. */
  private async planMergedAway(name: string, id: string, root: string): Promise<RowPlan> {
    const doc = await this.docs.get(name);
    const version = docVersion(doc);
    const team = this.team();
    const household = isHouseholdDoc(doc)
      ? projectHousehold(readHousehold(doc), { docVersion: version, linkedMemberIds: team.assignments.get(id) ?? [], requestDueDays: team.requestDueDays, mergedInto: root }).household
      : undefined;
    return { clearRecordsOf: id, household, marks: [{ name, householdId: id, version, doc }] };
  }

  private async planGroup(teamId: string, root: string): Promise<RowPlan> {
    const ids = this.team().mergeGroups.get(root) ?? [root];
    const loaded: { name: string; id: string; doc: Y.Doc; version: string }[] = [];
    for (const id of ids) {
      const name = householdDocName(teamId, id);
      // Group members this device does not hold are simply not part of its view.
      if (id !== root && !(await this.holds(name))) continue;
      const doc = await this.docs.get(name);
      loaded.push({ name, id, doc, version: docVersion(doc) });
    }
    const rootEntry = loaded[0]!;
    const rootMark = { name: rootEntry.name, householdId: root, version: rootEntry.version, doc: rootEntry.doc };
    // Nothing received yet (e.g. a doc attached for sync before its first update): no rows.
    if (!isHouseholdDoc(rootEntry.doc)) return { marks: [rootMark] };
    const files: HouseholdFile[] = loaded.filter((l) => isHouseholdDoc(l.doc)).map((l) => readHousehold(l.doc));
    const team = this.team();
    const rows = projectHousehold(combineFiles(files[0]!, files.slice(1)), {
      docVersion: loaded.map((l) => l.version).join('+'),
      linkedMemberIds: team.assignments.get(root) ?? [],
      requestDueDays: team.requestDueDays,
    });
    return { clearRecordsOf: root, household: rows.household, records: rows, marks: [rootMark], watch: loaded.map((l) => ({ doc: l.doc, version: l.version, name: rootEntry.name })) };
  }

  /** Write plans in one transaction: the rows, and the marks that say they are current, land together. */
  private async write(plans: RowPlan[]): Promise<void> {
    if (plans.length === 0) return;
    const { db } = this;
    await db.transaction('rw', [db.households, db.visits, db.requests, db.ratings, db.complaints, db.docs], async () => {
      for (const p of plans) {
        if (p.clearRecordsOf) await this.deleteRecordRows(p.clearRecordsOf);
        if (p.household) await db.households.put(p.household);
        if (p.records) {
          await Promise.all([db.visits.bulkPut(p.records.visits), db.requests.bulkPut(p.records.requests), db.ratings.bulkPut(p.records.ratings), db.complaints.bulkPut(p.records.complaints)]);
        }
        for (const m of p.marks) await this.markProjected(m.name, m.householdId, m.version, m.doc);
      }
    });
    // A doc that changed while we read it is projected again.
    for (const p of plans) for (const w of p.watch ?? []) if (docVersion(w.doc) !== w.version) this.schedule(w.name);
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
        // Dexie writes back every row the callback does not refuse: only changed rows go to disk
        // (rewriting 2,000 unchanged rows cost a third of a cold start, and a full re-read of the list).
        if (next.join() === row.linkedMemberIds.join()) return false;
        row.linkedMemberIds = next;
      });
    });
  }
}
