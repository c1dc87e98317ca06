import * as Y from 'yjs';
import { parseDocName } from '#docs/schema';
import type { Logger } from '../logger';
import { loadsCleanly, sameBytes, scratchDoc } from '../validation/trial-apply';
import { nowIso, type Db } from './db';

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

/**
 * Yjs documents in SQLite: a snapshot per doc plus the updates appended since. `append` is
 * synchronous and commits before it returns, so a caller that acknowledges afterwards only
 * acknowledges what is on disk. Loading never loses the last good state: an update that
 * does not apply is moved to `quarantine` and the rest still loads.
 */
export class DocStore {
  private readonly q;
  /** docs with updates stored but not yet applied in memory: compaction must wait */
  private readonly inFlight = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
  ) {
    this.q = {
      nextSeq: db.prepare<[string], { seq: number }>('UPDATE teams SET seq = seq + 1 WHERE id = ? RETURNING seq'),
      seq: db.prepare<[string], { seq: number }>('SELECT seq FROM teams WHERE id = ?'),
      row: db.prepare<[string], DocRow>('SELECT * FROM docs WHERE name = ?'),
      insertDoc: db.prepare(
        `INSERT INTO docs (name, team_id, kind, household_id, created_by_member, created_by_device, created_at, last_seq, last_device, other_seq, update_count)
         VALUES (@name, @team, @kind, @hid, @member, @device, @at, @seq, @device, 0, 1)`,
      ),
      // The change feed must tell device D about every change not made by D (change-feed.ts):
      // other_seq keeps the newest seq written by someone other than last_device.
      touchDoc: db.prepare(
        `UPDATE docs SET
           other_seq = CASE WHEN last_device IS @device THEN other_seq ELSE last_seq END,
           last_seq = @seq, last_device = @device, update_count = update_count + 1
         WHERE name = @name`,
      ),
      insertUpdate: db.prepare('INSERT INTO updates (doc, data, device, at) VALUES (?, ?, ?, ?)'),
      updates: db.prepare<[string], { id: number; data: Buffer }>('SELECT id, data FROM updates WHERE doc = ? ORDER BY id'),
      maxUpdateId: db.prepare<[string], { id: number | null }>('SELECT max(id) AS id FROM updates WHERE doc = ?'),
      quarantineUpdate: db.prepare(`INSERT INTO quarantine (doc, data, reason, source, at) SELECT doc, data, ?, 'update', ? FROM updates WHERE id = ?`),
      deleteUpdate: db.prepare('DELETE FROM updates WHERE id = ?'),
      quarantineSnapshot: db.prepare(`INSERT INTO quarantine (doc, data, reason, source, at) SELECT name, snapshot, ?, 'snapshot', ? FROM docs WHERE name = ?`),
      clearSnapshot: db.prepare('UPDATE docs SET snapshot = NULL WHERE name = ?'),
      compact: db.prepare('UPDATE docs SET snapshot = ?, snapshot_at = ?, update_count = (SELECT count(*) FROM updates WHERE doc = ?) WHERE name = ?'),
      deleteUpTo: db.prepare('DELETE FROM updates WHERE doc = ? AND id <= ?'),
      recount: db.prepare('UPDATE docs SET update_count = (SELECT count(*) FROM updates WHERE doc = ?) WHERE name = ?'),
    };
  }

  /** Advance the team's change sequence (call inside a transaction with the change it counts). */
  nextSeq(teamId: string): number {
    const r = this.q.nextSeq.get(teamId);
    if (!r) throw new Error(`no team ${teamId}`);
    return r.seq;
  }

  currentSeq(teamId: string): number {
    return this.q.seq.get(teamId)?.seq ?? 0;
  }

  row(name: string): DocRow | undefined {
    return this.q.row.get(name);
  }

  exists(name: string): boolean {
    return this.q.row.get(name) !== undefined;
  }

  /**
   * Store one update durably and count it as a change of its team. Returns the new sequence
   * and whether this update created the doc (its author is then recorded as the creator).
   * `alongside` runs inside the same transaction (one commit, one fsync).
   */
  append(name: string, update: Uint8Array, author: Author | null, alongside?: (r: { seq: number; created: boolean }) => void): { seq: number; created: boolean } {
    const parsed = parseDocName(name);
    if (!parsed) throw new Error(`not a document name: ${name}`);
    return this.db.transaction(() => {
      const seq = this.nextSeq(parsed.teamId);
      const at = nowIso();
      const existing = this.q.row.get(name);
      const device = author?.deviceId ?? null;
      if (!existing) {
        this.q.insertDoc.run({
          name,
          team: parsed.teamId,
          kind: parsed.kind,
          hid: parsed.id ?? null,
          member: parsed.kind === 'household' ? (author?.memberId ?? null) : null,
          device,
          at,
          seq,
        });
      } else {
        this.q.touchDoc.run({ name, seq, device });
      }
      this.q.insertUpdate.run(name, update, device, at);
      const r = { seq, created: !existing };
      alongside?.(r);
      return r;
    })();
  }

  /**
   * Load a stored doc into a fresh Y.Doc; undefined when nothing is stored. Whatever does not
   * load is quarantined and logged; the rest is served.
   */
  load(name: string): Y.Doc | undefined {
    const row = this.q.row.get(name);
    if (!row) return undefined;
    const updates = this.q.updates.all(name);
    const fast = this.tryLoad(row.snapshot, updates);
    if (fast) return fast;
    return this.salvage(row, updates);
  }

  /** The doc's whole state as one update (for bundles); undefined when nothing is stored. */
  encodedState(name: string): Uint8Array | undefined {
    const row = this.q.row.get(name);
    if (!row) return undefined;
    if (row.update_count === 0 && row.snapshot) return row.snapshot;
    const parts = [...(row.snapshot ? [row.snapshot] : []), ...this.q.updates.all(name).map((u) => u.data)];
    // Every stored update passed the checks; merging them needs no Y.Doc (a tenth of the cost).
    try {
      return parts.length === 1 ? parts[0]! : Y.mergeUpdates(parts);
    } catch {
      // fall through to the loader, which quarantines what does not load
    }
    const doc = this.load(name);
    if (!doc) return undefined;
    const state = Y.encodeStateAsUpdate(doc);
    doc.destroy();
    return state;
  }

  private tryLoad(snapshot: Buffer | null, updates: { data: Buffer }[]): Y.Doc | undefined {
    const doc = scratchDoc();
    try {
      if (snapshot) Y.applyUpdate(doc, snapshot);
      for (const u of updates) Y.applyUpdate(doc, u.data);
      if (loadsCleanly(Y.encodeStateAsUpdate(doc))) return doc;
    } catch {
      // fall through to salvage
    }
    doc.destroy();
    return undefined;
  }

  /** Replay update by update on copies; quarantine each that throws or leaves a doc that does not reload. */
  private salvage(row: DocRow, updates: { id: number; data: Buffer }[]): Y.Doc {
    const name = row.name;
    let state: Uint8Array = new Uint8Array([0, 0]);
    if (row.snapshot) {
      if (loadsCleanly(row.snapshot)) state = row.snapshot;
      else {
        this.log.error({ doc: name }, 'stored snapshot does not load; quarantined');
        this.db.transaction(() => {
          this.q.quarantineSnapshot.run('snapshot does not load', nowIso(), name);
          this.q.clearSnapshot.run(name);
        })();
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
        this.db.transaction(() => {
          this.q.quarantineUpdate.run('does not apply on the stored state', nowIso(), u.id);
          this.q.deleteUpdate.run(u.id);
          this.q.recount.run(name, name);
        })();
      }
    }
    const doc = scratchDoc();
    Y.applyUpdate(doc, state);
    return doc;
  }

  /** Mark `name` as having an update stored that the live doc has not applied yet. */
  holdCompaction(name: string): void {
    this.inFlight.set(name, (this.inFlight.get(name) ?? 0) + 1);
  }

  releaseCompaction(name: string): void {
    const n = (this.inFlight.get(name) ?? 1) - 1;
    if (n <= 0) this.inFlight.delete(name);
    else this.inFlight.set(name, n);
  }

  /**
   * Fold the stored updates into one snapshot taken from the live doc, which holds every
   * stored update (appends happen as updates are applied). The snapshot is checked to load
   * to the same state before anything is deleted.
   */
  compact(name: string, live: Y.Doc): boolean {
    if (this.inFlight.has(name)) return false;
    const row = this.q.row.get(name);
    if (!row || row.update_count === 0) return false;
    const snapshot = Y.encodeStateAsUpdate(live);
    const check = scratchDoc();
    try {
      Y.applyUpdate(check, snapshot);
      if (!sameBytes(Y.encodeStateVector(check), Y.encodeStateVector(live))) throw new Error('state vector differs');
    } catch (e) {
      this.log.error({ doc: name, err: String(e) }, 'snapshot does not reload; keeping the update log');
      return false;
    } finally {
      check.destroy();
    }
    this.db.transaction(() => {
      const max = this.q.maxUpdateId.get(name)?.id;
      if (max == null) return;
      this.q.deleteUpTo.run(name, max);
      this.q.compact.run(snapshot, nowIso(), name, name);
    })();
    return true;
  }
}
