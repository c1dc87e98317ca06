import Dexie, { type EntityTable, type Transaction } from 'dexie';
import { PROJECTION_VERSION, type ComplaintRow, type HouseholdRow, type RatingRow, type RequestRow, type VisitRow } from '@/domain/projection';

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
 * One stored Yjs update of a doc. A doc is the merge of all its rows; a compaction replaces
 * several rows by one snapshot in the transaction that writes it.
 */
export interface DocUpdate {
  id?: number;
  doc: string;
  update: Uint8Array;
  /**
   * 2: `update` is in Yjs v2 encoding — a first-sync bundle's bytes, stored as received
   * (converting them cost more than applying them). Absent: v1, what saves and live docs write.
   */
  format?: 2;
}

/**
 * The visit, rating and complaint rows of one household (a merge group's root), packed in one
 * record. IndexedDB's cost is per request and per index entry, not per byte: a first sync of
 * a team wrote 20,000 visit rows with nine index entries each; as one record per household it
 * is 2,000 puts with none (ADR 0011). Nothing queried these rows by anything but household.
 */
export interface HouseholdRecords {
  /** the household (merge group root) the rows are listed under */
  id: string;
  visits: VisitRow[];
  ratings: RatingRow[];
  complaints: ComplaintRow[];
}

export interface Setting {
  key: string;
  value: unknown;
}

/** Settings key: the `PROJECTION_VERSION` the stored rows were derived with. */
export const ROWS_VERSION = 'rows.version';

export class LianhuDb extends Dexie {
  households!: EntityTable<HouseholdRow, 'id'>;
  requests!: EntityTable<RequestRow, 'id'>;
  docs!: EntityTable<DocRecord, 'name'>;
  drafts!: EntityTable<Draft, 'key'>;
  blobs!: EntityTable<StoredBlob, 'sha256'>;
  settings!: EntityTable<Setting, 'key'>;
  updates!: EntityTable<DocUpdate, 'id'>;
  records!: EntityTable<HouseholdRecords, 'id'>;

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
    // Fewer requests and index entries per write (ADR 0011): visits, ratings and complaints
    // packed per household; only the indexes something queries are kept.
    this.version(2)
      .stores({
        docs: 'name, kind, householdId, unsynced',
        updates: '++id, doc',
        households: 'id',
        records: 'id',
        requests: 'id, householdId, docHouseholdId, open',
      })
      .upgrade((tx) => packRecordRows(tx));
    // The tables packed above go in a later step: an upgrade reads what it packs first.
    this.version(3).stores({ visits: null, ratings: null, complaints: null });
    // A new database has no rows from an earlier release to derive again (Projector.check).
    this.on('populate', (tx) => {
      void tx.table('settings').put({ key: ROWS_VERSION, value: PROJECTION_VERSION });
    });
  }
}

/** Tables holding rows derived from household docs (cleared and rebuilt together). */
export const PROJECTION_TABLES = ['households', 'records', 'requests'] as const;

/** Tables a write of docs and their rows touches, in one transaction. */
export function writeTables(db: LianhuDb) {
  return [db.updates, db.households, db.records, db.requests, db.docs];
}

/** The schema 2 upgrade: schema 1's visit, rating and complaint rows, packed per household. */
async function packRecordRows(tx: Transaction): Promise<void> {
  const packed = new Map<string, HouseholdRecords>();
  const of = (id: string) => packed.get(id) ?? packed.set(id, { id, visits: [], ratings: [], complaints: [] }).get(id)!;
  for (const v of (await tx.table('visits').toArray()) as VisitRow[]) of(v.householdId).visits.push(v);
  for (const r of (await tx.table('ratings').toArray()) as RatingRow[]) of(r.householdId).ratings.push(r);
  for (const c of (await tx.table('complaints').toArray()) as ComplaintRow[]) of(c.householdId).complaints.push(c);
  if (packed.size > 0) await tx.table('records').bulkPut([...packed.values()]);
}
