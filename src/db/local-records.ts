import * as Y from 'yjs';
import { readTeam } from '@/docs/team-doc';
import { householdDocName, parseDocName, teamDocName } from '@/docs/schema';
import { mergeGroups, resolveMerges } from '@/domain/merge';
import { DEFAULT_TEAM_SETTINGS } from '@/domain/team';
import { LianhuDb } from './database';
import { WRITTEN_AHEAD } from './doc-persistence';
import { DocStore } from './doc-store';
import { Projector, type TeamContext } from './projector';

/**
 * The device's records: docs on disk, the rows derived from them, and the one write path.
 *
 *   store action → domain validation → commit(doc name, write) →
 *     mark rows pending → write the update ahead to IndexedDB (strict) →
 *     apply it to the live doc → project rows → resolve ("saved")
 *
 * Sync and file import apply updates to the live docs; the projector follows them.
 */
export class LocalRecords {
  readonly db: LianhuDb;
  readonly docs: DocStore;
  readonly projector: Projector;
  private team: TeamContext = { assignments: new Map(), requestDueDays: DEFAULT_TEAM_SETTINGS.requestDueDays, mergeRoots: new Map(), mergeGroups: new Map() };
  private teamId: string | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(opts: { dbName?: string; docPrefix?: string } = {}) {
    this.db = new LianhuDb(opts.dbName);
    this.docs = new DocStore(opts.docPrefix);
    this.projector = new Projector(this.db, this.docs, () => this.team);
  }

  get teamContext(): TeamContext {
    return this.team;
  }

  /**
   * Open the team doc, then rebuild the rows of any doc a crash left pending. Returns how
   * many were rebuilt. Call `sweep()` afterwards, off the start-up path.
   */
  async start(teamId: string | undefined): Promise<number> {
    this.teamId = teamId;
    this.unsubscribe?.();
    this.unsubscribe = this.docs.onUpdate((name, _update, origin) => {
      if (origin === WRITTEN_AHEAD) return; // commit projects its own writes
      if (teamId && name === teamDocName(teamId)) {
        this.track(this.refreshTeam());
        return;
      }
      if (parseDocName(name)?.kind === 'household') {
        this.track(this.projector.markPending(name).then(() => this.projector.schedule(name)));
      }
    });
    if (teamId) await this.refreshTeam();
    return this.projector.repairPending();
  }

  private readonly inflight = new Set<Promise<unknown>>();

  private track(p: Promise<unknown>): void {
    this.inflight.add(p);
    void p.catch((err: unknown) => console.error('projection failed', err)).finally(() => this.inflight.delete(p));
  }

  /** Resolves once every update received so far is reflected in the rows. */
  async settled(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
    await this.projector.settled();
  }

  /** Background consistency check of every stored doc against its rows. */
  sweep(): Promise<number> {
    return this.projector.sweep();
  }

  private async refreshTeam(): Promise<void> {
    if (!this.teamId) return;
    const teamId = this.teamId;
    const snapshot = readTeam(await this.docs.get(teamDocName(teamId)));
    const before = this.team;
    const mergeRoots = resolveMerges(snapshot.merges);
    this.team = { assignments: snapshot.assignments, requestDueDays: snapshot.settings.requestDueDays, mergeRoots, mergeGroups: mergeGroups(mergeRoots) };
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
   * The one write path. `write` edits a scratch copy of the doc; the resulting update is
   * committed to IndexedDB before the live doc (and so the UI and sync) sees it. If the
   * disk refuses (quota, I/O) this throws StorageWriteError and nothing changed.
   * Resolves once the write is durable and the rows reflect it.
   */
  async commit(name: string, write: (doc: Y.Doc) => void): Promise<void> {
    const started = performance.now();
    const doc = await this.docs.get(name);
    const persistence = await this.docs.persistence(name);
    await this.projector.markPending(name);
    await persistence.exclusive(async () => {
      const scratch = new Y.Doc({ guid: name });
      Y.applyUpdate(scratch, Y.encodeStateAsUpdate(doc));
      // Same client id as the live doc, set after loading: the edit continues this device's
      // own clock instead of adding a new client to the doc on every save.
      scratch.clientID = doc.clientID;
      let changed = false;
      scratch.on('update', () => {
        changed = true;
      });
      let update: Uint8Array;
      try {
        write(scratch);
        update = Y.encodeStateAsUpdate(scratch, Y.encodeStateVector(doc));
      } finally {
        scratch.destroy();
      }
      if (!changed) return;
      await persistence.writeAhead(update);
      applyOwnUpdate(doc, update);
      // "Saved" is measurable: benchmarks observe this entry (npm run bench). Only the latest
      // is kept, so months of saves do not grow the performance timeline.
      performance.clearMeasures('lianhu:durable');
      performance.measure('lianhu:durable', { start: started });
    });
    if (this.teamId && name === teamDocName(this.teamId)) await this.refreshTeam();
    else await this.projector.project(name);
  }

  /** Read-only access to a live doc (for views that render a whole household file). */
  doc(name: string): Promise<Y.Doc> {
    return this.docs.get(name);
  }

  async close(): Promise<void> {
    this.unsubscribe?.();
    await this.settled();
    await this.docs.closeAll();
    this.db.close();
  }
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
