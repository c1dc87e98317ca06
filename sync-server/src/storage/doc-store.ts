import * as Y from 'yjs';
import { parseDocName } from '#docs/schema';
import type { Logger } from '../logger';
import { loadsCleanly, sameBytes, scratchDoc } from '../validation/trial-apply';
import { checkUpdateV1 } from '../validation/yjs-update';
import { nowIso } from './db';
import { forUpdate, type Sql } from './sql';

/** Who wrote an update: a device, or the relay itself (`null`). */
export interface Author {
  deviceId: string;
  memberId: string;
}

export interface DocRow {
  name: string;
  team_id: string;
  kind: 'team' | 'household';
  household_id: string | null;
  snapshot: Buffer | null;
  created_by_member: string | null;
  last_seq: number;
  last_device: string | null;
  other_seq: number;
  update_count: number;
}

interface UpdateRow {
  id: number;
  data: Buffer;
}

const Q = {
  nextSeq: 'UPDATE teams SET seq = seq + 1 WHERE id = @team RETURNING seq',
  seq: 'SELECT seq FROM teams WHERE id = @team',
  row: 'SELECT * FROM docs WHERE name = @name',
  exists: 'SELECT 1 AS x FROM docs WHERE name = @name',
  updateCount: 'SELECT update_count FROM docs WHERE name = @name',
  insertDoc: `INSERT INTO docs (name, team_id, kind, household_id, created_by_member, created_by_device, created_at, last_seq, last_device, other_seq, update_count)
     VALUES (@name, @team, @kind, @hid, @member, @device, @at, @seq, @device, 0, 1)`,
  // The change feed must tell device D about every change not made by D (change-feed.ts):
  // other_seq keeps the newest seq written by someone other than last_device.
  touchDoc: `UPDATE docs SET
       other_seq = CASE WHEN last_device IS NOT DISTINCT FROM @device THEN other_seq ELSE last_seq END,
       last_seq = @seq, last_device = @device, update_count = update_count + 1
     WHERE name = @name`,
  insertUpdate: 'INSERT INTO updates (doc, data, device, at) VALUES (@name, @data, @device, @at)',
  updates: 'SELECT id, data FROM updates WHERE doc = @name ORDER BY id',
  quarantineUpdate: `INSERT INTO quarantine (doc, data, reason, source, at) SELECT doc, data, @reason, 'update', @at FROM updates WHERE id = @id`,
  deleteUpdate: 'DELETE FROM updates WHERE id = @id',
  quarantineSnapshot: `INSERT INTO quarantine (doc, data, reason, source, at) SELECT name, snapshot, @reason, 'snapshot', @at FROM docs WHERE name = @name`,
  clearSnapshot: 'UPDATE docs SET snapshot = NULL, snapshot_at = NULL WHERE name = @name',
  compact: 'UPDATE docs SET snapshot = @snapshot, snapshot_at = @at, update_count = (SELECT count(*) FROM updates WHERE doc = @name) WHERE name = @name',
  deleteUpTo: 'DELETE FROM updates WHERE doc = @name AND id <= @id',
  recount: 'UPDATE docs SET update_count = (SELECT count(*) FROM updates WHERE doc = @name) WHERE name = @name',
  // The version of a doc's stored parts: an append moves last_seq, compaction moves
  // update_count (from > 0 to 0) and snapshot_at, a quarantine moves update_count or clears
  // snapshot_at. A version never comes back (compaction needs an append since the last one).
  version: 'SELECT last_seq, update_count, snapshot_at FROM docs WHERE name = @name',
  // The kept state only while the doc is still at the version it was made from.
  bundleState: `SELECT d.last_seq, d.update_count, d.snapshot_at, b.data AS kept
     FROM docs d LEFT JOIN bundle_states b ON b.doc = d.name AND b.seq = d.last_seq AND b.update_count = d.update_count
       AND b.snapshot_at IS NOT DISTINCT FROM d.snapshot_at
     WHERE d.name = @name`,
  // Kept only if the doc is still at the version the state was made from (checked in the
  // same statement, so a write in between leaves nothing kept); the version is taken from
  // the doc's row, so compaction keeps its state with the version it has just written.
  keepBundleState: `INSERT INTO bundle_states (doc, seq, update_count, snapshot_at, data)
     SELECT name, last_seq, update_count, snapshot_at, @data FROM docs
      WHERE name = @name AND last_seq = @seq AND update_count = @count AND snapshot_at IS NOT DISTINCT FROM @snapshotAt
     ON CONFLICT (doc) DO UPDATE SET seq = excluded.seq, update_count = excluded.update_count, snapshot_at = excluded.snapshot_at, data = excluded.data`,
  // After compaction (the row locked): the snapshot is the whole state when no update is left past it.
  keepCompacted: `INSERT INTO bundle_states (doc, seq, update_count, snapshot_at, data)
     SELECT name, last_seq, update_count, snapshot_at, @data FROM docs WHERE name = @name AND update_count = 0
     ON CONFLICT (doc) DO UPDATE SET seq = excluded.seq, update_count = excluded.update_count, snapshot_at = excluded.snapshot_at, data = excluded.data`,
  dropBundleState: 'DELETE FROM bundle_states WHERE doc = @name',
};

interface PartsVersion {
  last_seq: number;
  update_count: number;
  snapshot_at: string | null;
}

const sameVersion = (a: PartsVersion, b: PartsVersion | undefined): boolean =>
  b !== undefined && Number(a.last_seq) === Number(b.last_seq) && Number(a.update_count) === Number(b.update_count) && a.snapshot_at === b.snapshot_at;

/** A state worked out by `bundleState`, with the version of the parts it was made from. */
export interface KeptState {
  name: string;
  seq: number;
  count: number;
  snapshotAt: string | null;
  data: Uint8Array;
}

/** A doc's whole state as a bundle sends it (Yjs v2), and the state worked out anew to keep for the next bundle. */
export interface BundleState {
  update: Uint8Array;
  /** set when `update` was worked out from the stored parts, exactly as of their version: hand it to `keepBundleStates` */
  keep?: KeptState;
}

/**
 * Yjs documents in the relay's database: a snapshot per doc plus the updates appended since.
 * `append` resolves once its transaction has committed, so a caller that acknowledges
 * afterwards only acknowledges what is on disk. Loading never loses the last good state: an
 * update that does not apply is moved to `quarantine` and the rest still loads.
 */
export class DocStore {
  constructor(
    private readonly db: Sql,
    private readonly log: Logger,
  ) {}

  /**
   * Advance the team's change sequence inside the transaction `tx` with the change it
   * counts. The UPDATE takes the team row's lock until commit, so concurrent writers of one
   * team (on several relays too) take numbers one after the other and commit in that order;
   * a rolled-back transaction gives its number back: the sequence has no gaps.
   */
  async nextSeq(tx: Sql, teamId: string): Promise<number> {
    const r = await tx.get<{ seq: number }>(Q.nextSeq, { team: teamId });
    if (!r) throw new Error(`no team ${teamId}`);
    return r.seq;
  }

  async currentSeq(teamId: string): Promise<number> {
    return (await this.db.get<{ seq: number }>(Q.seq, { team: teamId }))?.seq ?? 0;
  }

  row(name: string): Promise<DocRow | undefined> {
    return this.db.get<DocRow>(Q.row, { name });
  }

  /** How many updates the doc holds past its snapshot (0 when nothing is stored), without reading the snapshot. */
  async updateCount(name: string): Promise<number> {
    return (await this.db.get<{ update_count: number }>(Q.updateCount, { name }))?.update_count ?? 0;
  }

  async exists(name: string, via: Sql = this.db): Promise<boolean> {
    return (await via.get(Q.exists, { name })) !== undefined;
  }

  /**
   * Store one update durably and count it as a change of its team. Resolves with the new
   * sequence and whether this update created the doc (its author is then recorded as the
   * creator) once committed. `alongside` runs inside the same transaction (one commit);
   * `via` is an enclosing transaction to join.
   */
  async append(
    name: string,
    update: Uint8Array,
    author: Author | null,
    alongside?: (tx: Sql, r: { seq: number; created: boolean }) => Promise<void>,
    via: Sql = this.db,
  ): Promise<{ seq: number; created: boolean }> {
    const parsed = parseDocName(name);
    if (!parsed) throw new Error(`not a document name: ${name}`);
    return via.tx(async (tx) => {
      const seq = await this.nextSeq(tx, parsed.teamId);
      const at = nowIso();
      const device = author?.deviceId ?? null;
      const touched = await tx.run(Q.touchDoc, { name, seq, device });
      if (touched === 0) {
        await tx.run(Q.insertDoc, {
          name,
          team: parsed.teamId,
          kind: parsed.kind,
          hid: parsed.id ?? null,
          member: parsed.kind === 'household' ? (author?.memberId ?? null) : null,
          device,
          at,
          seq,
        });
      }
      await tx.run(Q.insertUpdate, { name, data: update, device, at });
      const r = { seq, created: touched === 0 };
      await alongside?.(tx, r);
      return r;
    });
  }

  /**
   * Load a stored doc into a fresh Y.Doc; undefined when nothing is stored. Whatever does not
   * load is quarantined and logged; the rest is served.
   */
  async load(name: string): Promise<Y.Doc | undefined> {
    const doc = scratchDoc();
    if ((await this.loadInto(name, doc)) !== undefined) return doc;
    doc.destroy();
    return undefined;
  }

  /**
   * Load a stored doc into `target` (an empty doc nobody sees yet: Hocuspocus' document while
   * it loads). Every stored part (snapshot, updates) is first read by the strict update
   * reader — the check every device update passed before it was stored, whose cost is the
   * bytes, with no Y.Doc — and when all pass they are applied straight to `target` in one
   * Yjs transaction: each part is integrated once, with no scratch doc, no second apply and
   * no encode. (Yjs encodes a transaction for the doc's `update` listeners; the only one on a
   * loading doc is Hocuspocus' own, which sends updates to the doc's connections, and a doc
   * has none while it loads — Hocuspocus adds its change hooks and connections after
   * `onLoadDocument` — so the listeners are held back during the apply and put back after.)
   * Only when a part fails the reader or the apply is the log replayed update by update
   * (salvage). Resolves with the bytes loaded, undefined when nothing is stored.
   */
  async loadInto(name: string, target: Y.Doc): Promise<number | undefined> {
    const row = await this.row(name);
    if (!row) return undefined;
    const updates = await this.db.all<UpdateRow>(Q.updates, { name });
    const parts = [...(row.snapshot ? [row.snapshot] : []), ...updates.map((u) => u.data)];
    if (parts.every((p) => checkUpdateV1(p).ok)) {
      const held = target._observers.get('update');
      target._observers.delete('update');
      try {
        target.transact(() => {
          for (const p of parts) Y.applyUpdate(target, p);
        });
        return parts.reduce((n, p) => n + p.length, 0);
      } catch {
        // fall through
      } finally {
        if (held) target._observers.set('update', held);
      }
      if (target.store.clients.size > 0) {
        // `target` holds part of a state that does not load: quarantine, and let the caller
        // fail this load (Hocuspocus unloads the doc; the next attempt loads the salvaged log).
        await this.salvage(row, updates);
        throw new Error(`${name}: stored state did not load; quarantined the bad parts, load again`);
      }
    }
    const salvaged = await this.salvage(row, updates);
    Y.applyUpdate(target, salvaged);
    return salvaged.length;
  }

  /** The doc's whole state as one update (for bundles); undefined when nothing is stored. */
  async encodedState(name: string): Promise<Uint8Array | undefined> {
    const row = await this.row(name);
    if (!row) return undefined;
    if (row.update_count === 0 && row.snapshot) return row.snapshot;
    const parts = [...(row.snapshot ? [row.snapshot] : []), ...(await this.db.all<UpdateRow>(Q.updates, { name })).map((u) => u.data)];
    // Every stored update passed the checks; merging them needs no Y.Doc (a tenth of the cost).
    try {
      return parts.length === 1 ? parts[0]! : Y.mergeUpdates(parts);
    } catch {
      // fall through to the loader, which quarantines what does not load
    }
    const doc = await this.load(name);
    if (!doc) return undefined;
    const state = Y.encodeStateAsUpdate(doc);
    doc.destroy();
    return state;
  }

  /**
   * The doc's whole state as one Yjs v2 update, as bundles send it; undefined when nothing
   * is stored. Served from `bundle_states` when what is kept there is as of the doc's
   * `last_seq`; otherwise merged from the stored v1 parts and converted (the cost a
   * bundle used to pay for every doc, every time: ADR 0016), and returned with `keep` when
   * nothing was written to the doc while it was read (its version read before and after
   * agrees), so the caller can keep it without holding up the response.
   */
  async bundleState(name: string): Promise<BundleState | undefined> {
    const r = await this.db.get<PartsVersion & { kept: Buffer | null }>(Q.bundleState, { name });
    if (!r) return undefined;
    if (r.kept) return { update: r.kept };
    const state = await this.encodedState(name);
    if (!state) return undefined;
    const update = Y.convertUpdateFormatV1ToV2(state);
    // Read again: an append, compaction or quarantine between the two reads means the
    // parts read may not be exactly the state as of `last_seq`; serve them, keep nothing.
    const after = await this.db.get<PartsVersion>(Q.version, { name });
    if (!sameVersion(r, after)) return { update };
    return { update, keep: { name, seq: Number(r.last_seq), count: Number(r.update_count), snapshotAt: r.snapshot_at, data: update } };
  }

  /** Keep states worked out by `bundleState` for the next bundles (one transaction); a doc written since is left out. */
  async keepBundleStates(states: KeptState[]): Promise<void> {
    if (states.length === 0) return;
    await this.db.tx(async (tx) => {
      for (const k of states) await tx.run(Q.keepBundleState, { name: k.name, seq: k.seq, count: k.count, snapshotAt: k.snapshotAt, data: k.data });
    });
  }

  /** Replay update by update on copies; quarantine each that throws or leaves a doc that does not reload. Returns the good state. */
  private async salvage(row: DocRow, updates: UpdateRow[]): Promise<Uint8Array> {
    const name = row.name;
    let state: Uint8Array = new Uint8Array([0, 0]);
    if (row.snapshot) {
      if (loadsCleanly(row.snapshot)) state = row.snapshot;
      else {
        this.log.error({ doc: name }, 'stored snapshot does not load; quarantined');
        await this.db.tx(async (tx) => {
          await tx.run(Q.quarantineSnapshot, { reason: 'snapshot does not load', at: nowIso(), name });
          await tx.run(Q.clearSnapshot, { name });
          await tx.run(Q.dropBundleState, { name });
        });
      }
    }
    for (const u of updates) {
      const next = scratchDoc();
      let ok = false;
      try {
        Y.applyUpdate(next, state);
        Y.applyUpdate(next, u.data);
        const encoded = Y.encodeStateAsUpdate(next);
        if (loadsCleanly(encoded)) {
          state = encoded;
          ok = true;
        }
      } catch {
        ok = false;
      }
      next.destroy();
      if (!ok) {
        this.log.error({ doc: name, updateId: u.id, bytes: u.data.length }, 'stored update does not load; quarantined, the rest of the document is served');
        await this.db.tx(async (tx) => {
          await tx.run(Q.quarantineUpdate, { reason: 'does not apply on the stored state', at: nowIso(), id: u.id });
          await tx.run(Q.deleteUpdate, { id: u.id });
          await tx.run(Q.recount, { name });
          // A state kept for bundles may hold what was just quarantined.
          await tx.run(Q.dropBundleState, { name });
        });
      }
    }
    return state;
  }

  /**
   * Fold the stored updates into one snapshot. The snapshot is made from what is stored (the
   * doc's row locked), not from a live doc: with several relays a live doc may not hold an
   * update another relay has just committed, and folding must never drop one. The snapshot is
   * checked to load to the state of its parts before anything is deleted.
   */
  async compact(name: string): Promise<boolean> {
    return this.db.tx(async (tx) => {
      const row = await tx.get<DocRow>(Q.row + forUpdate(tx), { name });
      if (!row || row.update_count === 0) return false;
      const updates = await tx.all<UpdateRow>(Q.updates, { name });
      if (updates.length === 0) return false;
      const check = scratchDoc();
      let snapshot: Uint8Array;
      let bundleState: Uint8Array;
      try {
        if (row.snapshot) Y.applyUpdate(check, row.snapshot);
        for (const u of updates) Y.applyUpdate(check, u.data);
        snapshot = Y.encodeStateAsUpdate(check);
        // The doc is at hand and its row locked: the state as of last_seq, as bundles send it.
        bundleState = Y.encodeStateAsUpdateV2(check);
        const again = scratchDoc();
        Y.applyUpdate(again, snapshot);
        const same = sameBytes(Y.encodeStateVector(again), Y.encodeStateVector(check));
        again.destroy();
        if (!same) throw new Error('state vector differs');
      } catch (e) {
        this.log.error({ doc: name, err: String(e) }, 'snapshot does not reload; keeping the update log');
        return false;
      } finally {
        check.destroy();
      }
      await tx.run(Q.deleteUpTo, { name, id: updates.at(-1)!.id });
      await tx.run(Q.compact, { snapshot, at: nowIso(), name });
      await tx.run(Q.keepCompacted, { name, data: bundleState });
      return true;
    });
  }
}
