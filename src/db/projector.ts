import * as Y from 'yjs';
import { readHousehold, isHouseholdDoc } from '@/docs/household-doc';
import { householdDocName, parseDocName } from '@/docs/schema';
import { docVersion, textDigest } from '@/docs/ymap';
import { resolveLinks, type HouseholdAssignment, type RosterEntry } from '@/domain/assignment';
import type { HouseholdFile } from '@/domain/household-file';
import { combineFiles } from '@/domain/merge';
import { PROJECTION_VERSION, projectHousehold, type HouseholdRow, type ProjectionRows, type RequestRow } from '@/domain/projection';
import { ROWS_VERSION, writeTables, type DocRecord, type HouseholdRecords, type LianhuDb } from './database';
import { deriveAll } from './derive-client';
import type { DeriveJob } from './derive-received';
import { storageWriteError } from './doc-persistence';
import type { DocStore, PendingWrite } from './doc-store';

/** Docs written per transaction when draining a burst of received updates. */
const DRAIN_BATCH = 100;

/** A doc received whole from the relay (a first-sync piece): its state as a Yjs v2 update. */
export interface ReceivedDoc {
  name: string;
  update: Uint8Array;
}

/**
 * Received docs made ready to write (`prepareReceived`): the ones nobody has open are stored
 * as received, with rows derived from a doc built once for that and dropped; the others are
 * applied to their live doc when written (`persist(…, { prepared })`).
 */
export interface PreparedDocs {
  /** stored as received (v2), reserved in the DocStore until written */
  stored: { name: string; update: Uint8Array; version: string }[];
  plans: RowPlan[];
  /** open docs and the team doc: applied to the live doc when written */
  live: ReceivedDoc[];
  /** updates that did not apply */
  failed: string[];
  /** lets the reserved docs be opened again; called once written (or not) */
  release: () => void;
}

/** Rows to write for one doc (or merge group), and the docs they were derived from. */
export interface RowPlan {
  /** household whose record rows are replaced */
  clearRecordsOf?: string;
  /**
   * The household is in no merge group: its request rows are exactly those under its id, so
   * only requests that changed are written (its packed visits, ratings and complaints are one put).
   */
  alone?: boolean;
  household?: HouseholdRow;
  records?: ProjectionRows;
  marks: { name: string; householdId: string; version: string }[];
  /** the team context the rows were derived with (assignments, merges, due days) */
  team?: TeamContext;
  /** docs read: if one changed meanwhile, project again */
  watch?: { doc: Y.Doc; version: string; name: string }[];
}

/** What household rows need from the team doc. */
export interface TeamContext {
  /** household id → its links and their history, for households the lead has assigned (src/domain/assignment.ts) */
  assignments: Map<string, HouseholdAssignment>;
  /** member id → role and when they left: who a household falls to (its registering member, or nobody) */
  roster: Map<string, RosterEntry>;
  requestDueDays: number;
  /** household id → root of its merge group (only households that are part of a merge) */
  mergeRoots: Map<string, string>;
  /** root → every household id of its group, root first */
  mergeGroups: Map<string, string[]>;
}

/**
 * Keeps the Dexie rows in step with the docs, and writes received updates to disk together
 * with the rows derived from them: one transaction holds a doc's new update rows, its
 * record rows and its `docs` mark, so what is on disk is always consistent. Rows are derived
 * data: rebuilding them from the docs is always correct. A merged group is projected as one
 * file under its root.
 */
export class Projector {
  private readonly queued = new Set<string>();
  /** docs a `persist` is writing now: a drain leaves them to it */
  private readonly busy = new Set<string>();
  private flushing: Promise<void> | null = null;
  /** the last drain failed (the disk refused): `flush` reports it */
  failure: unknown;

  constructor(
    private readonly db: LianhuDb,
    private readonly docs: DocStore,
    private readonly team: () => TeamContext,
  ) {}

  /** Project a household doc now (and its merge group); resolves once the rows are written. */
  async project(name: string): Promise<void> {
    await this.persist([name]);
  }

  /** Queue a doc: its unsaved updates and its rows are written by the next drain (bursts from sync). */
  schedule(name: string): void {
    this.queued.add(name);
    if (!this.flushing) {
      this.flushing = new Promise<void>((r) => setTimeout(r, 30)).then(() => this.drain());
    }
  }

  /** Resolves when every scheduled projection is written (or the disk refused it). */
  async settled(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /** Write now everything queued or unsaved; throws what the disk said if it refused. */
  async flush(): Promise<void> {
    await this.settled();
    if (this.queued.size > 0 || this.docs.unsavedNames().length > 0) {
      this.flushing = this.drain();
      await this.flushing;
    }
    if (this.failure) throw this.failure;
  }

  /**
   * Queued docs are written in batches of one transaction each: a first sync brings hundreds
   * of docs, and a transaction per doc would re-run every live query on the lists (thousands
   * of rows) once per doc, and cost IndexedDB's per-transaction price each time.
   */
  private async drain(): Promise<void> {
    this.failure = undefined;
    try {
      await this.drainBatches();
    } finally {
      this.flushing = null;
      // Updates that reached docs this drain already wrote go in the next one.
      const next = [...this.queued, ...this.docs.unsavedNames()][0];
      if (next && !this.failure) this.schedule(next);
    }
  }

  private async drainBatches(): Promise<void> {
    const seen = new Set<string>();
    for (;;) {
      const names = [...new Set([...this.queued, ...this.docs.unsavedNames()])].filter((n) => !this.busy.has(n) && !seen.has(n));
      if (names.length === 0) return;
      const batch = names.slice(0, DRAIN_BATCH);
      for (const name of batch) {
        this.queued.delete(name);
        seen.add(name);
      }
      try {
        await this.persist(batch);
      } catch (err) {
        // Kept for the next try; a flush reports it (sync does not move `since` past it).
        for (const name of batch) this.queued.add(name);
        this.failure = err;
        console.error('writing received updates failed', err);
        return;
      }
    }
  }

  /**
   * Write these docs' unsaved updates and their rows in one transaction. `confirmed` says
   * which docs' current state is known to be on the relay (a first-sync piece): their
   * `serverVersion` is recorded in the same transaction.
   */
  async persist(names: string[], confirmed: (name: string) => boolean = () => false, received?: { prepared: PreparedDocs; also?: (db: LianhuDb) => Promise<unknown> }): Promise<void> {
    for (const name of names) {
      this.queued.delete(name);
      this.busy.add(name);
    }
    try {
      await this.persistNow(names, confirmed, received);
    } finally {
      received?.prepared.release();
      for (const name of names) this.busy.delete(name);
      // What arrived for these docs meanwhile was left to us by the drain.
      for (const name of names) if (this.queued.has(name) || this.docs.loadedDoc(name)?.unsaved.length) this.schedule(name);
    }
  }

  private async persistNow(names: string[], confirmed: (name: string) => boolean, received?: { prepared: PreparedDocs; also?: (db: LianhuDb) => Promise<unknown> }): Promise<void> {
    const plans: RowPlan[] = [];
    for (const name of names) plans.push(...(await this.plan(name)));
    const stored = received?.prepared.stored ?? [];
    if (received) plans.push(...received.prepared.plans);
    const writes: PendingWrite[] = [];
    for (const name of names) {
      const open = this.docs.loadedDoc(name);
      const w = open && this.docs.takeUnsaved(open);
      if (w) writes.push(w);
    }
    const confirms = names.filter((n) => this.docs.isOpen(n) && confirmed(n));
    if (plans.length === 0 && writes.length === 0 && confirms.length === 0 && !received) return;
    // The versions confirmed on the relay go into the same docs rows as the marks (one read, one write).
    const serverVersions = new Map<string, string>();
    for (const n of confirms) {
      const open = this.docs.loadedDoc(n);
      if (open) serverVersions.set(n, docVersion(open.doc));
    }
    for (const r of stored) if (confirmed(r.name)) serverVersions.set(r.name, r.version);
    const { db } = this;
    const ids: number[] = [];
    let hadRows: string[] = [];
    try {
      await db.transaction('rw', received?.also ? [...writeTables(db), db.settings] : writeTables(db), async () => {
        if (stored.length > 0) {
          // A doc stored as received normally has no rows yet. One that has (another tab's
          // save, a doc closed meanwhile) keeps them; its rows are derived again from all of them below.
          hadRows = (await db.updates.where('doc').anyOf(stored.map((r) => r.name)).keys()) as string[];
          await db.updates.bulkAdd(stored.map((r) => ({ doc: r.name, update: r.update, format: 2 as const })));
        }
        if (writes.length > 0) {
          ids.push(...((await db.updates.bulkAdd(
            writes.map((w) => ({ doc: w.open.name, update: w.update })),
            { allKeys: true },
          )) as number[]));
          const replaced = writes.flatMap((w) => w.replaces);
          if (replaced.length > 0) await db.updates.bulkDelete(replaced);
        }
        await this.writeRows(db, plans, undefined, serverVersions);
        await received?.also?.(db);
      });
    } catch (err) {
      for (const w of writes) this.docs.putBack(w);
      throw storageWriteError(err);
    }
    writes.forEach((w, i) => this.docs.written(w.open, ids[i]!, w.replaces));
    this.rescheduleChanged(plans);
    for (const name of new Set(hadRows)) this.schedule(name);
    // A group's root that arrives after its members (by bundle or by socket) takes them in:
    // they were derived as files of their own while this device did not hold the root.
    await this.regroup([...names, ...stored.map((r) => r.name)]);
  }

  /**
   * Get received docs ready to write without a live doc each: a first sync brings every
   * household of the team, and a live Y.Doc re-encodes each applied update for its `update`
   * event (the largest share of applying a piece) and stays in memory. Docs nobody has open
   * are built once from the received bytes, their rows derived, and dropped; the bytes are
   * stored as they came. Households in no merge group (nearly all) are derived in a worker
   * (`derive-client.ts`); the others here, with their group. Nothing here writes to the
   * disk: this runs while the previous piece is being written. The docs stored this way are
   * reserved until `persist` writes them.
   */
  async prepareReceived(docs: ReceivedDoc[]): Promise<PreparedDocs> {
    const team = this.team();
    const bytes = new Map<string, Uint8Array>();
    const live: ReceivedDoc[] = [];
    for (const d of docs) {
      // The team doc is open and followed (assignments, merges); an open doc shows what arrives.
      if (parseDocName(d.name)?.kind !== 'household' || this.docs.isOpen(d.name) || bytes.has(d.name)) live.push(d);
      else bytes.set(d.name, d.update);
    }
    // No await since the checks above: nothing opened these docs in between. A doc still
    // reserved by the piece before (not written yet) is applied live after that write.
    const { names, release } = this.docs.reserve([...bytes.keys()]);
    const granted = new Set(names);
    for (const [name, update] of bytes) if (!granted.has(name)) live.push({ name, update });
    const failed: string[] = [];
    const built = new Map<string, Y.Doc>();
    try {
      const jobs: DeriveJob[] = [];
      for (const name of names) {
        const id = parseDocName(name)!.id!;
        if (!team.mergeRoots.has(id) && !team.mergeGroups.has(id)) {
          jobs.push({ name, update: bytes.get(name)!, ctx: { assignment: team.assignments.get(id), roster: team.roster, requestDueDays: team.requestDueDays } });
          continue;
        }
        const doc = new Y.Doc({ guid: name });
        try {
          Y.applyUpdateV2(doc, bytes.get(name)!);
          built.set(name, doc);
        } catch {
          doc.destroy();
          failed.push(name);
        }
      }
      const plans: RowPlan[] = [];
      for (const r of await deriveAll(jobs)) {
        if (!r.ok) {
          failed.push(r.name);
          continue;
        }
        // What `planGroup` makes of a household alone.
        const mark = { name: r.name, householdId: parseDocName(r.name)!.id!, version: r.version };
        plans.push(r.rows ? { clearRecordsOf: mark.householdId, alone: true, household: r.rows.household, records: r.rows, marks: [mark], team } : { marks: [mark], team });
      }
      for (const name of built.keys()) plans.push(...(await this.plan(name, built)));
      const versions = new Map(plans.flatMap((p) => p.marks.map((m) => [m.name, m.version] as const)));
      const stored = names.filter((n) => !failed.includes(n)).map((name) => ({ name, update: bytes.get(name)!, version: versions.get(name) ?? docVersion(built.get(name)!) }));
      return { stored, plans, live, failed, release };
    } catch (err) {
      release();
      throw err;
    } finally {
      for (const doc of built.values()) doc.destroy();
    }
  }

  /**
   * Households of a merge group written before their group's root (pieces come in name
   * order): once the root is here they are shown as merged into it, so they are projected again.
   */
  private async regroup(names: string[]): Promise<void> {
    const { mergeGroups } = this.team();
    if (mergeGroups.size === 0) return;
    const written = new Set(names);
    for (const name of names) {
      const parsed = parseDocName(name);
      const ids = parsed?.id ? mergeGroups.get(parsed.id) : undefined;
      if (!parsed || !ids) continue;
      for (const id of ids) {
        const other = householdDocName(parsed.teamId, id);
        if (!written.has(other) && (await this.holds(other))) this.schedule(other);
      }
    }
  }

  /**
   * A doc that changed while we read it is projected again; so is one whose rows were derived
   * with a team context that changed before they were written (its assignments would be stale,
   * and `applyAssignments` no longer re-reads every row to find them).
   */
  rescheduleChanged(plans: RowPlan[]): void {
    const team = this.team();
    for (const p of plans) {
      for (const w of p.watch ?? []) if (docVersion(w.doc) !== w.version) this.schedule(w.name);
      if (p.team && p.team !== team) for (const m of p.marks) this.schedule(m.name);
    }
  }

  /**
   * What to write for a doc: its own rows, or (merged away) its marked row and its group's
   * rows. `overrides` replaces open docs by other copies (a save plans the rows of the state
   * its update will make, before the live doc has it).
   */
  async plan(name: string, overrides: Map<string, Y.Doc> = new Map()): Promise<RowPlan[]> {
    const parsed = parseDocName(name);
    if (!parsed || parsed.kind !== 'household' || !parsed.id) return [];
    // Taken before any read: a context that changes during them makes the plan stale too.
    const team = this.team();
    const { mergeRoots } = team;
    let root = mergeRoots.get(parsed.id) ?? parsed.id;
    // A device that does not hold the target keeps showing the file as it is.
    const rootName = householdDocName(parsed.teamId, root);
    if (root !== parsed.id && !overrides.has(rootName) && !(await this.holds(rootName))) root = parsed.id;
    const plans: RowPlan[] = [];
    if (root !== parsed.id) plans.push(await this.planMergedAway(name, parsed.id, root, overrides));
    plans.push(await this.planGroup(parsed.teamId, root, overrides));
    for (const p of plans) p.team = team;
    return plans;
  }

  private async docFor(name: string, overrides: Map<string, Y.Doc>): Promise<Y.Doc> {
    return overrides.get(name) ?? (await this.docs.get(name));
  }

  /** A household merged into another: its own row, marked, and no record rows of its own. */
  private async planMergedAway(name: string, id: string, root: string, overrides: Map<string, Y.Doc>): Promise<RowPlan> {
    const doc = await this.docFor(name, overrides);
    const version = docVersion(doc);
    const team = this.team();
    const file = isHouseholdDoc(doc) ? readHousehold(doc) : undefined;
    const household = file
      ? projectHousehold(file, { docVersion: version, ...resolveLinks(team.assignments.get(root), team.roster, file.household), requestDueDays: team.requestDueDays, mergedInto: root }).household
      : undefined;
    return { clearRecordsOf: id, household, marks: [{ name, householdId: id, version }] };
  }

  private async planGroup(teamId: string, root: string, overrides: Map<string, Y.Doc>): Promise<RowPlan> {
    const ids = this.team().mergeGroups.get(root) ?? [root];
    const loaded: { name: string; id: string; doc: Y.Doc; version: string }[] = [];
    for (const id of ids) {
      const name = householdDocName(teamId, id);
      // Group members this device does not hold are simply not part of its view.
      if (id !== root && !overrides.has(name) && !(await this.holds(name))) continue;
      const doc = await this.docFor(name, overrides);
      loaded.push({ name, id, doc, version: docVersion(doc) });
    }
    const rootEntry = loaded[0]!;
    const rootMark = { name: rootEntry.name, householdId: root, version: rootEntry.version };
    // Nothing received yet (e.g. a doc attached for sync before its first update): no rows.
    if (!isHouseholdDoc(rootEntry.doc)) return { marks: [rootMark] };
    const files: HouseholdFile[] = loaded.filter((l) => isHouseholdDoc(l.doc)).map((l) => readHousehold(l.doc));
    const team = this.team();
    const rows = projectHousehold(combineFiles(files[0]!, files.slice(1)), {
      docVersion: loaded.map((l) => l.version).join('+'),
      ...resolveLinks(team.assignments.get(root), team.roster, files[0]!.household),
      requestDueDays: team.requestDueDays,
    });
    // Live docs only: a save's own copy is checked by the save.
    const watch = loaded.filter((l) => !overrides.has(l.name)).map((l) => ({ doc: l.doc, version: l.version, name: rootEntry.name }));
    const alone = ids.length === 1 && !this.team().mergeRoots.has(root);
    return { clearRecordsOf: root, alone, household: rows.household, records: rows, marks: [rootMark], watch };
  }

  /**
   * Write plans inside the caller's transaction (on `db`): the rows and the marks that say
   * they are current. `unsynced` names a doc whose mark also records local changes (a save).
   */
  async writeRows(db: LianhuDb, plans: RowPlan[], unsynced?: string, confirmed: Map<string, string> = new Map()): Promise<void> {
    const alone = plans.filter((p) => p.alone && p.clearRecordsOf && p.records);
    // Merge groups first, one step after another: a delete that reads its keys before
    // deleting must not race the put of the rows replacing them.
    for (const p of plans) {
      if (alone.includes(p)) continue;
      if (p.clearRecordsOf) await deleteRequestRows(db, p.clearRecordsOf);
      if (p.records) await db.requests.bulkPut(p.records.requests);
    }
    // One packed record per household: replaced whole (a save rewrites its household's only).
    const packed = plans.flatMap((p) => (p.clearRecordsOf && p.records ? [packRecords(p.clearRecordsOf, p.records)] : []));
    const cleared = plans.filter((p) => p.clearRecordsOf && !p.records).map((p) => p.clearRecordsOf!);
    const households = plans.flatMap((p) => (p.household ? [p.household] : []));
    // The rest touch distinct rows: issued together, in this order. IndexedDB runs a
    // transaction's requests in the order they were made either way; awaiting each one
    // first cost a save a turn of a busy main thread per request (six in a row at 4× CPU).
    await Promise.all([
      alone.length > 0 ? writeChangedRequests(db, alone.map((p) => [p.clearRecordsOf!, p.records!.requests] as const)) : undefined,
      packed.length > 0 ? db.records.bulkPut(packed) : undefined,
      cleared.length > 0 ? db.records.bulkDelete(cleared) : undefined,
      households.length > 0 ? db.households.bulkPut(households) : undefined,
      markProjected(db, plans.flatMap((p) => p.marks), unsynced, confirmed),
    ]);
  }

  private async holds(name: string): Promise<boolean> {
    return this.docs.isOpen(name) || (await this.db.docs.get(name)) !== undefined;
  }

  /**
   * Cheap consistency check, run off the start-up path: a stored household doc with no mark
   * of the version its rows came from (e.g. written by the upgrade from y-indexeddb, or rows
   * cleared) is projected. Two key scans; only the docs found are loaded. Returns how many.
   */
  async check(): Promise<number> {
    await this.forgetOutdatedRows();
    const stored = await this.docs.storedNames();
    // One read of the whole (small) table: a get per doc cost a cold start 0.4 s at CPU 4×.
    const projected = new Set((await this.db.docs.toArray()).filter((r) => r.projectedVersion !== undefined).map((r) => r.name));
    const stale = stored.filter((name) => parseDocName(name)?.kind === 'household' && !projected.has(name));
    for (let i = 0; i < stale.length; i += DRAIN_BATCH) await this.persist(stale.slice(i, i + DRAIN_BATCH));
    return stale.length;
  }

  /**
   * Rows derived by a release with other rules (`PROJECTION_VERSION`) are marked as not
   * derived, so `check` derives them again; the lists keep showing them until it has.
   */
  private async forgetOutdatedRows(): Promise<void> {
    const { db } = this;
    await db.transaction('rw', db.docs, db.settings, async () => {
      if ((await db.settings.get(ROWS_VERSION))?.value === PROJECTION_VERSION) return;
      await db.docs.toCollection().modify((d) => {
        delete d.projectedVersion;
      });
      await db.settings.put({ key: ROWS_VERSION, value: PROJECTION_VERSION });
    });
  }

  /** The team doc changed: refresh linked members and their spans on every household row (no doc loads). */
  async applyAssignments(): Promise<void> {
    const team = this.team();
    const { assignments, roster, mergeRoots } = team;
    // Every start and every team doc change lands here; when the links, roster and merges are
    // the ones already applied (most of the time), the 2,000 rows are not read. Rows derived
    // since were derived with these same ones.
    const applied = assignmentsDigest(team);
    if ((await this.db.settings.get(ASSIGNMENTS_APPLIED))?.value === applied) return;
    await this.db.transaction('rw', this.db.households, this.db.settings, async () => {
      // One read and one write of the changed rows (a cursor `modify` is a request per row read).
      const changed: HouseholdRow[] = [];
      for (const row of await this.db.households.toArray()) {
        const root = mergeRoots.get(row.id) ?? row.id;
        // A merged group's links are its root's; its registration, this row's own (the group's root row is the root's file).
        const next = resolveLinks(assignments.get(root), roster, row);
        // Only changed rows go to disk (rewriting 2,000 unchanged rows cost a third of a cold start, and a full re-read of the list).
        if (next.linkedMemberIds.join() === row.linkedMemberIds.join() && JSON.stringify(next.linkSpans) === JSON.stringify(row.linkSpans)) continue;
        row.linkedMemberIds = next.linkedMemberIds;
        row.linkSpans = next.linkSpans;
        changed.push(row);
      }
      if (changed.length > 0) await this.db.households.bulkPut(changed);
      await this.db.settings.put({ key: ASSIGNMENTS_APPLIED, value: applied });
    });
  }
}

/** Settings row: the digest of the links, roster and merge roots the rows' linked members follow. */
export const ASSIGNMENTS_APPLIED = 'projection.assignments';

function assignmentsDigest({ assignments, roster, mergeRoots }: Pick<TeamContext, 'assignments' | 'roster' | 'mergeRoots'>): string {
  const sorted = <V,>(m: Map<string, V>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return textDigest(JSON.stringify([sorted(assignments), sorted(roster), sorted(mergeRoots)]));
}

function packRecords(id: string, rows: ProjectionRows): HouseholdRecords {
  return { id, visits: rows.visits, ratings: rows.ratings, complaints: rows.complaints };
}

/** Request rows listed under a household or held by its doc (its packed record goes with `records.delete`). */
export async function deleteRequestRows(db: LianhuDb, householdId: string): Promise<void> {
  await Promise.all([db.requests.where('householdId').equals(householdId).delete(), db.requests.where('docHouseholdId').equals(householdId).delete()]);
}

/**
 * Households in no merge group: compare their request rows with the ones stored and write
 * only what changed, one query and one write for all of them. Each IndexedDB request costs,
 * a save changes one or two rows, and a first-sync piece brings hundreds of households that
 * have none.
 */
async function writeChangedRequests(db: LianhuDb, households: (readonly [string, RequestRow[]])[]): Promise<void> {
  const ids = households.map(([id]) => id);
  const next = households.flatMap(([, rows]) => rows);
  // One id (a save) is one indexed read; `anyOf` walks a cursor, a request per row.
  const stored = ids.length === 1 ? await db.requests.where('householdId').equals(ids[0]!).toArray() : await db.requests.where('householdId').anyOf(ids).toArray();
  const before = new Map(stored.map((r) => [r.id, JSON.stringify(r)]));
  // A row not stored yet is written without being serialised to compare (a first sync's are all new).
  const changed = next.filter((r) => {
    const was = before.get(r.id);
    return was === undefined || was !== JSON.stringify(r);
  });
  const keep = new Set(next.map((r) => r.id));
  const gone = stored.filter((r) => !keep.has(r.id)).map((r) => r.id);
  if (changed.length > 0) await db.requests.bulkPut(changed);
  if (gone.length > 0) await db.requests.bulkDelete(gone);
}

/** Record the versions the rows were derived from (and, for a save, that the doc holds local changes). */
async function markProjected(db: LianhuDb, marks: { name: string; householdId: string; version: string }[], unsynced?: string, confirmed: Map<string, string> = new Map()): Promise<void> {
  if (marks.length === 0 && confirmed.size === 0) return;
  const names = [...new Set([...marks.map((m) => m.name), ...confirmed.keys()])];
  const recs = await db.docs.bulkGet(names);
  const stored = new Map(names.map((n, i) => [n, recs[i]]));
  const now = new Date().toISOString();
  const puts = new Map<string, DocRecord>();
  for (const m of marks) {
    const base = puts.get(m.name) ?? stored.get(m.name) ?? { name: m.name, kind: 'household' as const, householdId: m.householdId, unsynced: 0 as const };
    puts.set(m.name, { ...base, ...(m.name === unsynced ? { unsynced: 1 as const } : {}), projectedVersion: m.version, updatedAt: now });
  }
  for (const [name, serverVersion] of confirmed) {
    const rec = puts.get(name) ?? stored.get(name);
    if (!puts.has(name) && rec && rec.serverVersion === serverVersion && rec.unsynced === 0) continue;
    const parsed = parseDocName(name);
    puts.set(name, rec ? { ...rec, unsynced: 0, serverVersion } : { name, kind: parsed?.kind ?? 'household', householdId: parsed?.id, unsynced: 0, serverVersion, updatedAt: now });
  }
  if (puts.size > 0) await db.docs.bulkPut([...puts.values()]);
}
