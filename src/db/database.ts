import Dexie, { type EntityTable } from 'dexie';
import type { ComplaintRow, HouseholdRow, RatingRow, RequestRow, VisitRow } from '@/domain/projection';

/** Per-doc bookkeeping: which docs this device holds and whether their rows are current. */
export interface DocRecord {
  name: string;
  kind: 'household' | 'team';
  householdId?: string;
  /** version of the doc the rows were derived from (written in the same transaction as them) */
  projectedVersion?: string;
  /** version last confirmed on the relay (maintained by src/sync) */
  serverVersion?: string;
  /** 1 while this device holds updates the relay has not acknowledged */
  unsynced: 0 | 1;
  updatedAt: string;
}

/** A form's unsaved input, kept as it is typed so a crash or reload gives it back. */
export interface Draft {
  /** e.g. `visit:<householdId>` or `household:new` */
  key: string;
  route: string;
  data: unknown;
  updatedAt: string;
}

/** A photo's bytes, content-addressed. */
export interface StoredBlob {
  sha256: string;
  mime: string;
  size: number;
  blob: Blob;
  /** a small preview for lists */
  thumb?: Blob;
  createdAt: string;
  /**
   * 1 once the relay holds it; 2 when the relay refused its bytes as no image (415): it
   * stays on this device with its visit, and is not sent again (bytes do not change).
   */
  uploaded: 0 | 1 | 2;
  /** household the photo was taken for (authorises the upload) */
  householdId?: string;
}

/**
 * Schema version 1, the previous release's (one y-indexeddb database per doc beside it).
 * Frozen: phones in the field have it, and the upgrade test builds their database with it.
 */
export const SCHEMA_V1 = {
  households: 'id, area, *tags, *linkedMemberIds, createdBy, nextDueOn, lastVisitAt, mergedInto',
  visits: 'id, householdId, docHouseholdId, *visitorIds, createdBy, visitedAt, visitedOn, reviewStatus, [householdId+visitedAt]',
  requests: 'id, householdId, docHouseholdId, status, open, ownerId, dueOn, escalated, createdAt, [open+dueOn]',
  ratings: 'id, householdId, docHouseholdId, memberId, subjectId, recordedAt',
  complaints: 'id, householdId, docHouseholdId, aboutMemberId, recordedAt',
  docs: 'name, kind, householdId, pending, unsynced',
  drafts: 'key, updatedAt',
  blobs: 'sha256, uploaded, householdId',
  settings: 'key',
} as const;

/**
 * One stored Yjs update (v1 encoding) of a doc. A doc is the merge of all its rows; a
 * compaction replaces several rows by one snapshot in the transaction that writes it.
 */
export interface DocUpdate {
  id?: number;
  doc: string;
  update: Uint8Array;
}

export interface Setting {
  key: string;
  value: unknown;
}

export class LianhuDb extends Dexie {
  households!: EntityTable<HouseholdRow, 'id'>;
  visits!: EntityTable<VisitRow, 'id'>;
  requests!: EntityTable<RequestRow, 'id'>;
  ratings!: EntityTable<RatingRow, 'id'>;
  complaints!: EntityTable<ComplaintRow, 'id'>;
  docs!: EntityTable<DocRecord, 'name'>;
  drafts!: EntityTable<Draft, 'key'>;
  blobs!: EntityTable<StoredBlob, 'sha256'>;
  settings!: EntityTable<Setting, 'key'>;
  updates!: EntityTable<DocUpdate, 'id'>;

  /**
   * `strict`: every transaction of this connection is committed with strict durability
   * (flushed to disk before it completes). Saves use such a second connection to the same
   * database; everything else takes the browser's default (relaxed in Chromium).
   */
  constructor(name = 'lianhu', opts: { strict?: boolean } = {}) {
    super(name, opts.strict ? { chromeTransactionDurability: 'strict' } : {});
    this.version(1).stores(SCHEMA_V1);
    // The docs' updates move into this database (ADR 0010): a save writes its update and the
    // rows derived from it in one transaction. `pending` existed only because they could not.
    // Auto-increment ids, not [doc, seq]: two tabs writing the same doc never collide.
    this.version(2).stores({
      docs: 'name, kind, householdId, unsynced',
      updates: '++id, doc',
    });
  }
}

/** Tables holding rows derived from household docs (cleared and rebuilt together). */
export const PROJECTION_TABLES = ['households', 'visits', 'requests', 'ratings', 'complaints'] as const;

/** Tables a write of docs and their rows touches, in one transaction. */
export function writeTables(db: LianhuDb) {
  return [db.updates, db.households, db.visits, db.requests, db.ratings, db.complaints, db.docs];
}
