import * as Y from 'yjs';
import type { DocKind } from '#docs/schema';
import type { UpdateStats } from '../validation/yjs-update';

/**
 * How many keys one map of a document may hold, by record type (the root maps of
 * src/docs/household-doc.ts and team-doc.ts). Generous for honest use: a household visited
 * every week for five years has about 260 visits; the limits are there so that one member
 * cannot grow a doc until every read of it costs seconds.
 */
export interface MapKeyLimits {
  /** root map name → keys it may hold; roots not listed get `otherRoot` */
  roots: Record<string, number>;
  otherRoot: number;
  /** a map inside a record (a visit's fields, a member's fields) */
  nested: number;
}

export interface DocLimitSettings {
  /** `MAX_DOC_BYTES`: what a document may grow to, counted as stored bytes */
  maxDocBytes: number;
  /** `MAX_ROOT_TYPES`: distinct root types in one document (the schema has ten) */
  maxRootTypes: number;
  /** `MAX_RECORDS_PER_MAP` scales the record maps; the rest follow the schema */
  household: MapKeyLimits;
  team: MapKeyLimits;
}

export function mapKeyLimits(maxRecords: number): { household: MapKeyLimits; team: MapKeyLimits } {
  const small = 256;
  return {
    household: {
      roots: { visits: maxRecords, requests: maxRecords, ratings: maxRecords, complaints: maxRecords, members: 1000, tags: 1000, meta: small, profile: small },
      otherRoot: small,
      nested: 1000,
    },
    team: {
      // a team's households, each a link or more (every link written keeps its key), maybe a merge and dismissed duplicate pairs
      roots: { members: maxRecords, links: maxRecords * 10, assignments: maxRecords * 10, linkHistory: maxRecords * 10, merges: maxRecords * 10, duplicateDismissals: maxRecords * 10, tags: 1000, settings: small, meta: small },
      otherRoot: small,
      nested: 1000,
    },
  };
}

export type LimitVerdict = { ok: true } | { ok: false; limit: 'document-too-large' | 'too-many-keys'; detail: string };

/**
 * Checks an update against its document's limits before it is applied, at a cost that
 * depends on the update, not on the document: the update's own parse (its root names and
 * new map keys), the live doc's maps (Yjs keeps every key ever set in `_map`, so its size is
 * the running key count), and a byte count kept per loaded doc.
 */
export class DocLimits {
  /** loaded doc name → bytes stored for it (the encoded state at load plus every update since) */
  private readonly bytes = new Map<string, number>();

  constructor(private readonly s: DocLimitSettings) {}

  loaded(name: string, bytes: number): void {
    this.bytes.set(name, bytes);
  }

  unloaded(name: string): void {
    this.bytes.delete(name);
  }

  stored(name: string, bytes: number): void {
    this.bytes.set(name, (this.bytes.get(name) ?? 0) + bytes);
  }

  sizeOf(name: string): number {
    return this.bytes.get(name) ?? 0;
  }

  check(kind: DocKind, name: string, doc: Y.Doc, update: Uint8Array, stats: UpdateStats): LimitVerdict {
    const size = this.sizeOf(name);
    if (size + update.length > this.s.maxDocBytes) {
      // A resend of what the doc already holds is not growth: count only what is new
      // (diffUpdate costs the update's size plus one entry per client).
      const fresh = Y.diffUpdate(update, Y.encodeStateVector(doc)).length;
      if (size + fresh > this.s.maxDocBytes) return { ok: false, limit: 'document-too-large', detail: `${size} + ${fresh} bytes over ${this.s.maxDocBytes}` };
    }
    let newRoots = 0;
    for (const root of stats.roots) if (!doc.share.has(root)) newRoots++;
    if (doc.share.size + newRoots > this.s.maxRootTypes) return { ok: false, limit: 'too-many-keys', detail: `${doc.share.size + newRoots} root types` };

    const limits = kind === 'team' ? this.s.team : this.s.household;
    const added = new Map<string, { type: AnyType | undefined; keys: Set<string>; max: number }>();
    for (const w of stats.mapKeys) {
      const id = typeof w.parent === 'string' ? `root:${w.parent}` : `${w.parent.client}:${w.parent.clock}`;
      let entry = added.get(id);
      if (!entry) {
        const type = typeof w.parent === 'string' ? doc.share.get(w.parent) : nestedType(doc, w.parent.client, w.parent.clock);
        const max = typeof w.parent === 'string' ? (limits.roots[w.parent] ?? limits.otherRoot) : limits.nested;
        entry = { type, keys: new Set(), max };
        added.set(id, entry);
      }
      if (entry.type?._map.has(w.key)) continue;
      entry.keys.add(w.key);
      const total = (entry.type?._map.size ?? 0) + entry.keys.size;
      if (total > entry.max) return { ok: false, limit: 'too-many-keys', detail: `${total} keys in ${typeof w.parent === 'string' ? w.parent : 'a nested map'} (max ${entry.max})` };
    }
    return { ok: true };
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Yjs types its shared types' events as any
type AnyType = Y.AbstractType<any>;

/** The type an item id holds, looked up in the struct store (a binary search), if the doc has it. */
function nestedType(doc: Y.Doc, client: number, clock: number): AnyType | undefined {
  const structs = doc.store.clients.get(client);
  if (!structs || structs.length === 0) return undefined;
  const last = structs[structs.length - 1]!;
  if (clock >= last.id.clock + last.length) return undefined;
  const item = structs[Y.findIndexSS(structs, clock)];
  return item instanceof Y.Item && item.content instanceof Y.ContentType ? item.content.type : undefined;
}
