import * as Y from 'yjs';
import { readTeam } from '@/docs/team-doc';
import { householdDocName, parseDocName, teamDocName } from '@/docs/schema';
import { docVersion } from '@/docs/ymap';
import { mergeGroups, resolveMerges } from '@/domain/merge';
import { DEFAULT_TEAM_SETTINGS } from '@/domain/team';
import { LianhuDb, writeTables } from './database';
import { WRITTEN_AHEAD, storageWriteError } from './doc-persistence';
import { COMPACT_AT, DocStore } from './doc-store';
import { Projector, type RowPlan, type TeamContext } from './projector';
import { legacyDocNames, moveLegacyDocs } from './upgrade';

/**
 * The device's records: docs and the rows derived from them, in one Dexie database, and the
 * one write path.
 *
 *   store action → domain validation → commit(doc name, write) →
 *     edit a scratch copy → derive the rows of the new state →
 *     ONE strict transaction: the update, the rows, the doc's marks →
 *     apply the update to the live doc → resolve ("saved")
 *
 * Sync and file import apply updates to the live docs; the projector writes them with their
 * rows, batched (ADR 0010).
 */
export class LocalRecords {
  readonly db: LianhuDb;
  /** a second connection to the same database whose transactions are flushed to disk (saves) */
  private readonly strictDb: LianhuDb;
  readonly docs: DocStore;
  /** prefix of the previous release's y-indexeddb databases, one per doc (see `upgrade`) */
  readonly legacyDocPrefix: string;
  readonly projector: Projector;
  private team: TeamContext = { assignments: new Map(), roster: new Map(), requestDueDays: DEFAULT_TEAM_SETTINGS.requestDueDays, mergeRoots: new Map(), mergeGroups: new Map() };
  private teamId: string | undefined;
  private unsubscribe: (() => void) | undefined;
  private started: Promise<void> = Promise.resolve();

  constructor(opts: { dbName?: string; docPrefix?: string } = {}) {
    this.db = new LianhuDb(opts.dbName);
    this.strictDb = new LianhuDb(opts.dbName, { strict: true });
    this.docs = new DocStore(this.db);
    this.legacyDocPrefix = opts.docPrefix ?? 'lianhu-doc:';
    this.projector = new Projector(this.db, this.docs, () => this.team);
    this.docs.flusher = () => this.projector.flush();
  }

  get teamContext(): TeamContext {
    return this.team;
  }

  /**
   * Follow the docs and open the team doc. Nothing else is loaded: lists read rows, and a
   * doc is loaded when a page or sync needs it. Call `sweep()` afterwards, off the start-up path.
   *
   * `after`: do the work only once it resolves. A cold start draws its first screen first:
   * the team doc (2,000 assignments to decode and check) and the rows' assignment check were
   * ~40% of a cheap phone's time to the first card. Meanwhile, and until the work is done,
   * saves, docs and sync wait for it (`ready`), so nothing is derived without the team.
   */
  start(teamId: string | undefined, opts: { after?: Promise<unknown> } = {}): Promise<void> {
    this.teamId = teamId;
    this.unsubscribe?.();
    this.unsubscribe = this.docs.onUpdate((name, _update, origin) => {
      if (origin === WRITTEN_AHEAD) return; // commit wrote its update and rows already
      // Received (or migrated) updates: written to disk with their rows by the next drain.
      this.projector.schedule(name);
      if (teamId && name === teamDocName(teamId)) this.track(this.refreshTeam());
    });
    const run = (async () => {
      await opts.after;
      await this.upgrade(teamId);
      if (teamId) await this.refreshTeam();
    })();
    this.started = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Resolves once the last `start` has done its work (at once before any start). */
  get ready(): Promise<void> {
    return this.started;
  }

  /**
   * First start after the previous release: its per-doc databases are moved into this one
   * (the team doc first, so the households' rows see the team). Nothing to do afterwards:
   * one look at the list of databases.
   */
  private async upgrade(teamId: string | undefined): Promise<void> {
    const legacy = await legacyDocNames(this.legacyDocPrefix);
    if (legacy.length === 0) return;
    const deps = { db: this.db, docs: this.docs, projector: this.projector, prefix: this.legacyDocPrefix };
    const teams = legacy.filter((n) => parseDocName(n)?.kind === 'team');
    await moveLegacyDocs(deps, teams);
    if (teamId && teams.includes(teamDocName(teamId))) await this.refreshTeam();
    await moveLegacyDocs(
      deps,
      legacy.filter((n) => !teams.includes(n)),
    );
  }

  private readonly inflight = new Set<Promise<unknown>>();

  private track(p: Promise<unknown>): void {
    this.inflight.add(p);
    void p.catch((err: unknown) => console.error('projection failed', err)).finally(() => this.inflight.delete(p));
  }

  /** Resolves once every update received so far is reflected in the rows. */
  async settled(): Promise<void> {
    await this.started;
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
    await this.projector.settled();
  }

  /** Background consistency check: stored household docs without rows are projected (no other doc loads). */
  async sweep(): Promise<number> {
    await this.started;
    return this.projector.check();
  }

  private async refreshTeam(): Promise<void> {
    if (!this.teamId) return;
    const teamId = this.teamId;
    const snapshot = readTeam(await this.docs.get(teamDocName(teamId)));
    const before = this.team;
    const mergeRoots = resolveMerges(snapshot.merges);
    const roster = new Map(snapshot.members.map((m) => [m.id, { role: m.role, leftAt: m.leftAt }]));
    this.team = { assignments: snapshot.assignmentHistory, roster, requestDueDays: snapshot.settings.requestDueDays, mergeRoots, mergeGroups: mergeGroups(mergeRoots) };
    await this.projector.applyAssignments();
    if (snapshot.settings.requestDueDays !== before.requestDueDays) {
      for (const name of await this.db.docs.where('kind').equals('household').primaryKeys()) this.projector.schedule(name);
      return;
    }
    // Households whose merge group changed are projected again (and so are their roots).
    const touched = new Set<string>();
    for (const id of new Set([...before.mergeRoots.keys(), ...mergeRoots.keys()])) {
      if (before.mergeRoots.get(id) !== mergeRoots.get(id)) touched.add(id);
    }
    for (const id of touched) if (await this.db.docs.get(householdDocName(teamId, id))) this.projector.schedule(householdDocName(teamId, id));
  }

  /**
   * The one write path. `write` edits a scratch copy of the doc; the resulting update and
   * the rows derived from the new state are committed in one strict transaction before the
   * live doc (and so the UI and sync) sees the update. If the disk refuses (quota, I/O) this
   * throws StorageWriteError and nothing changed. Resolves once both are durable.
   */
  async commit(name: string, write: (doc: Y.Doc) => void): Promise<void> {
    const started = performance.now();
    await this.started;
    const open = await this.docs.open(name);
    const isTeamDoc = !!this.teamId && name === teamDocName(this.teamId);
    await open.exclusive(async () => {
      const doc = open.doc;
      const scratch = new Y.Doc({ guid: name });
      Y.applyUpdate(scratch, Y.encodeStateAsUpdate(doc));
      // Rows the live doc holds now, so the scratch copy holds them too: a snapshot may replace them.
      const covered = [...open.stored];
      // Same client id as the live doc, set after loading: the edit continues this device's
      // own clock instead of adding a new client to the doc on every save.
      scratch.clientID = doc.clientID;
      let changed = false;
      scratch.on('update', () => {
        changed = true;
      });
      try {
        write(scratch);
        if (!changed) return;
        const update = Y.encodeStateAsUpdate(scratch, Y.encodeStateVector(doc));
        const compact = covered.length + 1 >= COMPACT_AT;
        const plans = isTeamDoc ? [] : await this.projector.plan(name, new Map([[name, scratch]]));
        const id = await this.writeSave(name, compact ? Y.encodeStateAsUpdate(scratch) : update, compact ? covered : [], plans);
        applyOwnUpdate(doc, update);
        this.docs.written(open, id, compact ? covered : []);
        // "Saved" is measurable: benchmarks observe this entry (npm run bench). Only the latest
        // is kept, so months of saves do not grow the performance timeline.
        performance.clearMeasures('lianhu:durable');
        performance.measure('lianhu:durable', { start: started });
        // Something else reached the live doc meanwhile (sync): its rows follow.
        const projected = plans.find((p) => p.marks.some((m) => m.name === name))?.marks.find((m) => m.name === name)?.version;
        if (projected !== undefined && docVersion(doc) !== projected) this.projector.schedule(name);
        this.projector.rescheduleChanged(plans);
      } finally {
        scratch.destroy();
      }
    });
    if (isTeamDoc) await this.refreshTeam();
  }

  /**
   * This transaction is the save: the update (or a snapshot replacing `replaces`), the rows
   * and the marks saying the doc holds unsynced changes and which version the rows show all
   * commit together, flushed to disk, or none of them does.
   */
  private async writeSave(name: string, update: Uint8Array, replaces: number[], plans: RowPlan[]): Promise<number> {
    const db = this.strictDb;
    try {
      return await db.transaction('rw', writeTables(db), async () => {
        // Issued together (distinct rows; IndexedDB keeps their order): each awaited request
        // cost a save a turn of the main thread, which at 4× CPU is busy with the screen.
        const [id] = await Promise.all([
          db.updates.add({ doc: name, update }) as Promise<number>,
          replaces.length > 0 ? db.updates.bulkDelete(replaces) : undefined,
          this.projector.writeRows(db, plans, name),
          plans.some((p) => p.marks.some((m) => m.name === name)) ? undefined : markUnsynced(db, name),
        ]);
        return id;
      });
    } catch (err) {
      throw storageWriteError(err);
    }
  }

  /** Read-only access to a live doc (for views that render a whole household file). */
  async doc(name: string): Promise<Y.Doc> {
    // Until a first start after an upgrade has moved the old release's docs, they are not here.
    await this.started;
    return this.docs.get(name);
  }

  async close(): Promise<void> {
    this.unsubscribe?.();
    await this.settled();
    // What was received is written before the doc leaves memory.
    await this.docs.flushAll().catch((err: unknown) => console.error('could not write received updates', err));
    await this.docs.closeAll();
    this.db.close();
    this.strictDb.close();
  }
}

/** A doc whose rows are not derived here (the team doc): only its mark says it holds local changes. */
async function markUnsynced(db: LianhuDb, name: string): Promise<void> {
  const parsed = parseDocName(name);
  const rec = await db.docs.get(name);
  const now = new Date().toISOString();
  await db.docs.put(rec ? { ...rec, unsynced: 1, updatedAt: now } : { name, kind: parsed?.kind ?? 'household', householdId: parsed?.id, unsynced: 1, updatedAt: now });
}

/**
 * Apply an update this device wrote (in a scratch copy) to the live doc. Yjs treats every
 * applied update as remote, and a remote update carrying the doc's own client id makes it
 * pick a new id ("another client seems to be using it"). Our scratch copy is not another
 * client — writes are serialised per doc — so the id is stepped aside for the apply.
 */
function applyOwnUpdate(doc: Y.Doc, update: Uint8Array): void {
  const own = doc.clientID;
  doc.clientID = own === 0 ? 1 : 0;
  try {
    Y.applyUpdate(doc, update, WRITTEN_AHEAD);
  } finally {
    doc.clientID = own;
  }
}
