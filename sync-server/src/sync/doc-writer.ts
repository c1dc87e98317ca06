import * as Y from 'yjs';
import { readRequestOwnership } from '#docs/household-doc';
import { parseDocName } from '#docs/schema';
import { ownershipKey } from '#domain/request-access';
import type { AccessControl } from '../auth/access';
import type { Logger } from '../logger';
import type { DocLimits } from '../limits/doc-limits';
import type { DocStore } from '../storage/doc-store';
import { checkRecords } from '../validation/record-check';
import { sameBytes } from '../validation/trial-apply';
import type { UpdateStats } from '../validation/yjs-update';

/** Who a device's write is stored under: the socket's device, or the exporter of a carried file. */
export interface Writer {
  deviceId: string;
  memberId: string;
  teamId: string;
}

/**
 * Why a checked update was not applied. `limit` and `record` leave the doc untouched; after
 * `storage` the live doc holds an update that is not stored (the caller must unload it);
 * after `apply` what Yjs applied is stored.
 */
export type WriteOutcome =
  | { ok: true; changed: boolean }
  | { ok: false; refusal: 'unwritable' | 'record' | 'storage' | 'apply'; detail: string }
  | { ok: false; refusal: 'limit'; limit: 'document-too-large' | 'too-many-keys'; detail: string };

export interface DocWriterDeps {
  store: DocStore;
  access: AccessControl;
  limits: DocLimits;
  log: Logger;
  /** false while a store the relay needs is lost (the Redis bus) */
  writable: () => boolean;
}

/** What Yjs holds back for a doc until missing updates arrive. */
function pendingOf(doc: Y.Doc): { structs: Uint8Array | null; ds: Uint8Array | null } {
  return { structs: doc.store.pendingStructs?.update ?? null, ds: doc.store.pendingDs };
}

function samePending(a: ReturnType<typeof pendingOf>, b: ReturnType<typeof pendingOf>): boolean {
  const same = (x: Uint8Array | null, y: Uint8Array | null) => x === y || (x !== null && y !== null && sameBytes(x, y));
  return same(a.structs, b.structs) && same(a.ds, b.ds);
}

/**
 * The one path a device's update takes into a live doc and the store, whether it came in a
 * socket frame (relay-extension.ts) or in a carried file (http/carried.ts, ADR 0023): the
 * per-doc limits, the record layout, apply, then append before anything is acknowledged.
 * Updates of one doc go through one after the other (`serialize`).
 */
export class DocWriter {
  /** doc name → settles once the last update admitted for it has been applied (or refused) */
  private readonly applying = new Map<string, Promise<void>>();
  /** live household doc → the request ownership last recorded from it (a write touching no request costs no statement) */
  private readonly knownOwners = new WeakMap<Y.Doc, string>();

  constructor(private readonly d: DocWriterDeps) {}

  /** Run `fn` after every update admitted before it for this doc, and before the ones after. */
  async serialize<T>(documentName: string, fn: () => Promise<T>): Promise<T> {
    const before = this.applying.get(documentName);
    let applied!: () => void;
    const mine = new Promise<void>((resolve) => (applied = resolve));
    this.applying.set(documentName, mine);
    try {
      if (before) await before;
      return await fn();
    } finally {
      applied();
      if (this.applying.get(documentName) === mine) this.applying.delete(documentName);
    }
  }

  /** The checks that do not change anything: limits and record layout (a carried file checks every doc before it applies one). */
  precheck(document: Y.Doc, documentName: string, update: Uint8Array, stats: UpdateStats): WriteOutcome | undefined {
    const parsed = parseDocName(documentName);
    if (!parsed) return { ok: false, refusal: 'record', detail: 'not a document name' };
    if (!this.d.writable()) return { ok: false, refusal: 'unwritable', detail: 'the bus between relays is lost' };
    const verdict = this.d.limits.check(parsed.kind, documentName, document, update, stats);
    if (!verdict.ok) return { ok: false, refusal: 'limit', limit: verdict.limit, detail: verdict.detail };
    // The records it writes must fit the stored layout.
    const records = checkRecords(parsed.kind, document, update);
    if (!records.ok) return { ok: false, refusal: 'record', detail: records.detail };
    return undefined;
  }

  /**
   * Apply one checked (strictly parsed) v1 update to the live document and store what it
   * changed. The cost depends on the update, never on the document's size. `beforeStore`
   * runs once the in-memory work is done (a socket's device pays for that, not for the
   * wait on the database).
   */
  async apply(document: Y.Doc, documentName: string, update: Uint8Array, stats: UpdateStats, writer: Writer | undefined, origin: unknown, beforeStore: () => void = () => {}): Promise<WriteOutcome> {
    const refused = this.precheck(document, documentName, update, stats);
    if (refused) return refused;
    const parsed = parseDocName(documentName)!;
    const { store, access, limits } = this.d;
    const pendingBefore = pendingOf(document);
    const changes: Uint8Array[] = [];
    const collect = (u: Uint8Array) => changes.push(u);
    document.on('update', collect);
    let failure: unknown;
    try {
      // For a socket: the origin Hocuspocus itself would use, so its broadcast and store hooks behave as usual.
      Y.applyUpdate(document, update, origin);
    } catch (e) {
      failure = e;
    } finally {
      document.off('update', collect);
    }
    // An update that needs updates the relay has not seen yet is stored whole: Yjs keeps
    // pending structs in memory only.
    const pending = !samePending(pendingBefore, pendingOf(document));
    const toStore = pending ? update : changes.length === 0 ? null : changes.length === 1 ? changes[0]! : Y.mergeUpdates(changes);
    beforeStore();
    let ownersChanged = false;
    if (toStore) {
      let ownersKey: string | undefined;
      try {
        await store.append(documentName, toStore, writer ? { deviceId: writer.deviceId, memberId: writer.memberId } : null, async (tx, { seq, created }) => {
          if (parsed.kind !== 'household') return;
          if (created && writer) await access.householdCreated(tx, writer.teamId, parsed.id!, writer, seq);
          // Access follows request ownership (ADR 0024): who owns which request, as stored now.
          const owners = readRequestOwnership(document);
          ownersChanged = await access.recordRequestOwners(tx, parsed.teamId, parsed.id!, owners, this.knownOwners.get(document));
          ownersKey = ownershipKey(owners.filter((o) => !o.deletedAt && o.ownerId));
        });
      } catch (e) {
        return { ok: false, refusal: 'storage', detail: String(e) };
      }
      // Only once committed: a rolled-back write must not make the next one skip its owners.
      if (ownersKey !== undefined) this.knownOwners.set(document, ownersKey);
      limits.stored(documentName, toStore.length);
    }
    // A team-doc change re-derives who may open what (the update listener started it):
    // acknowledged means the change feed already answers with it.
    if (parsed.kind === 'team') await access.settled(parsed.teamId);
    // So does a request handed to someone else, before the write that did it is acknowledged.
    if (ownersChanged) await access.requestOwnersChanged(parsed.teamId);
    if (failure !== undefined) return { ok: false, refusal: 'apply', detail: String(failure) };
    return { ok: true, changed: toStore !== null };
  }
}
