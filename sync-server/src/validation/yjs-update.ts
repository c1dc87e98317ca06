import { ByteReader, MalformedError } from './byte-reader';

/**
 * A strict reader of the Yjs update format v1 (what Hocuspocus 3 sends), run before Yjs sees
 * the bytes. It allocates nothing from declared counts, refuses any count larger than the
 * bytes left, any struct of length 0 (they break the struct store: the doc cannot be encoded
 * or loaded again), unknown content kinds, sub-documents, origins that point forward in
 * their own client's history, clocks past `MAX_CLOCK`, and trailing bytes. Its cost is the
 * update's size, never the document's; it also lists the root types and new map keys the
 * update writes, for the per-document limits (doc-limits.ts).
 *
 * Layout (yjs/src/utils/encoding.js, UpdateDecoderV1):
 *   update   = varUint(#clients) { varUint(#structs) varUint(client) varUint(clock) struct* }* deleteSet
 *   struct   = info:u8 ( GC: len | Skip: len | Item: [origin] [rightOrigin] [parent [parentSub]] content )
 *   deleteSet= varUint(#clients) { varUint(client) varUint(#ranges) { varUint(clock) varUint(len) }* }*
 */

/** Clocks count operations per client; no honest document gets near 2^40. */
export const MAX_CLOCK = 2 ** 40;
/** Yjs client ids are random uint32. */
export const MAX_CLIENT = 2 ** 32 - 1;
const MAX_ANY_DEPTH = 32;
const MAX_ROOT_KEY_BYTES = 128;
const MAX_KEY_BYTES = 1024;

const BIT6 = 32;
const BIT7 = 64;
const BIT8 = 128;
const BITS5 = 31;

/** A map key an item sets without an origin: a key new to the map, or one set concurrently. */
export interface MapKeyWrite {
  /** the root type's name, or the id of the item whose content is the parent type */
  parent: string | { client: number; clock: number };
  key: string;
}

export interface UpdateStats {
  clients: number;
  structs: number;
  deleteRanges: number;
  /** root type names the update's items name as their parent */
  roots: Set<string>;
  /**
   * Keys set without an origin. Yjs gives an item that replaces a key's value the previous
   * value as its origin, so only a key new to the map (or set concurrently by two clients)
   * appears here: what the per-map key limits count, without looking at the document.
   */
  mapKeys: MapKeyWrite[];
}

export type CheckResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Check one Yjs v1 update. */
export function checkUpdateV1(update: Uint8Array): CheckResult<UpdateStats> {
  try {
    const r = new ByteReader(update);
    const stats = readStructs(r);
    stats.deleteRanges = readDeleteSet(r);
    r.end();
    return { ok: true, value: stats };
  } catch (e) {
    if (e instanceof MalformedError) return { ok: false, reason: e.detail };
    throw e;
  }
}

/** Check a state vector (SyncStep1 payload). */
export function checkStateVector(sv: Uint8Array): CheckResult<number> {
  try {
    const r = new ByteReader(sv);
    const n = r.count(2, 'state vector');
    for (let i = 0; i < n; i++) {
      client(r);
      clockOf(r.varUint(), 0);
    }
    r.end();
    return { ok: true, value: n };
  } catch (e) {
    if (e instanceof MalformedError) return { ok: false, reason: e.detail };
    throw e;
  }
}

function client(r: ByteReader): number {
  const c = r.varUint();
  if (c > MAX_CLIENT) throw new MalformedError(`client id ${c} out of range`);
  return c;
}

function clockOf(clock: number, len: number): number {
  if (clock + len > MAX_CLOCK) throw new MalformedError(`clock ${clock}+${len} out of range`);
  return clock;
}

function readStructs(r: ByteReader): UpdateStats {
  // a client entry takes at least 4 bytes: #structs, client, clock, one info byte
  const numClients = r.count(4, 'client');
  const seen = new Set<number>();
  const stats: UpdateStats = { clients: numClients, structs: 0, deleteRanges: 0, roots: new Set(), mapKeys: [] };
  for (let i = 0; i < numClients; i++) {
    const numStructs = r.count(2, 'struct');
    if (numStructs === 0) throw new MalformedError('client entry without structs');
    const c = client(r);
    if (seen.has(c)) throw new MalformedError(`client ${c} listed twice`);
    seen.add(c);
    let clock = clockOf(r.varUint(), 0);
    for (let s = 0; s < numStructs; s++) {
      const len = readStruct(r, c, clock, stats);
      if (len < 1) throw new MalformedError(`zero-length struct at ${c}:${clock}`);
      clock = clockOf(clock, len) + len;
      stats.structs++;
    }
  }
  return stats;
}

/** Reads one struct and returns its length. */
function readStruct(r: ByteReader, c: number, clock: number, stats: UpdateStats): number {
  const info = r.u8();
  const ref = info & BITS5;
  if (ref === 0 || ref === 10) return r.varUint(); // GC or Skip
  const hasOrigin = (info & BIT8) === BIT8;
  const hasRightOrigin = (info & BIT7) === BIT7;
  if (hasOrigin) ownId(r, c, clock, 'origin');
  if (hasRightOrigin) ownId(r, c, clock, 'right origin');
  if (!hasOrigin && !hasRightOrigin) {
    const parentInfo = r.varUint();
    let parent: MapKeyWrite['parent'];
    if (parentInfo === 1) {
      const key = r.varString(MAX_ROOT_KEY_BYTES);
      if (key.length === 0) throw new MalformedError('empty root type name');
      stats.roots.add(key);
      parent = key;
    } else if (parentInfo === 0) {
      parent = ownId(r, c, clock, 'parent');
    } else {
      throw new MalformedError(`parent info ${parentInfo}`);
    }
    if ((info & BIT6) === BIT6) stats.mapKeys.push({ parent, key: r.varString(MAX_KEY_BYTES) });
  }
  return readContent(r, ref);
}

/** An id this struct refers to; in its own client's history it must come before the struct. */
function ownId(r: ByteReader, c: number, clock: number, what: string): { client: number; clock: number } {
  const idClient = client(r);
  const idClock = clockOf(r.varUint(), 0);
  if (idClient === c && idClock >= clock) throw new MalformedError(`${what} ${idClient}:${idClock} is not before ${c}:${clock}`);
  return { client: idClient, clock: idClock };
}

function readContent(r: ByteReader, ref: number): number {
  switch (ref) {
    case 1: // ContentDeleted
      return r.varUint();
    case 2: {
      // ContentJSON: n strings, each JSON or the literal "undefined"
      const n = r.count(1, 'JSON value');
      for (let i = 0; i < n; i++) {
        const s = r.varString();
        if (s !== 'undefined') parseJson(s);
      }
      return n;
    }
    case 3: // ContentBinary
      r.varBytes();
      return 1;
    case 4: // ContentString: length in UTF-16 units, as Yjs counts it
      return r.varString().length;
    case 5: // ContentEmbed
      parseJson(r.varString());
      return 1;
    case 6: // ContentFormat
      r.varString(MAX_KEY_BYTES);
      parseJson(r.varString());
      return 1;
    case 7: {
      // ContentType
      const typeRef = r.varUint();
      if (typeRef > 6) throw new MalformedError(`type ref ${typeRef}`);
      if (typeRef === 3 || typeRef === 5) r.varString(MAX_KEY_BYTES);
      return 1;
    }
    case 8: {
      // ContentAny
      const n = r.count(1, 'value');
      for (let i = 0; i < n; i++) readAny(r, 0);
      return n;
    }
    case 9:
      // ContentDoc: Lianhu has no sub-documents, and each would be a Y.Doc on the relay
      throw new MalformedError('sub-documents are not accepted');
    default:
      throw new MalformedError(`content ref ${ref}`);
  }
}

function parseJson(s: string): void {
  try {
    JSON.parse(s);
  } catch {
    throw new MalformedError('invalid JSON content');
  }
}

/** lib0 `readAny`, bounded in depth and by the bytes left. */
function readAny(r: ByteReader, depth: number): void {
  if (depth > MAX_ANY_DEPTH) throw new MalformedError('value nested too deeply');
  const type = r.u8();
  switch (type) {
    case 127: // undefined
    case 126: // null
    case 121: // false
    case 120: // true
      return;
    case 125:
      r.varInt();
      return;
    case 124:
      r.skip(4);
      return;
    case 123:
    case 122:
      r.skip(8);
      return;
    case 119:
      r.varString();
      return;
    case 118: {
      const n = r.count(2, 'object entry');
      for (let i = 0; i < n; i++) {
        r.varString(MAX_KEY_BYTES);
        readAny(r, depth + 1);
      }
      return;
    }
    case 117: {
      const n = r.count(1, 'array element');
      for (let i = 0; i < n; i++) readAny(r, depth + 1);
      return;
    }
    case 116:
      r.varBytes();
      return;
    default:
      throw new MalformedError(`value type ${type}`);
  }
}

function readDeleteSet(r: ByteReader): number {
  const numClients = r.count(2, 'delete set client');
  let ranges = 0;
  for (let i = 0; i < numClients; i++) {
    client(r);
    const n = r.count(2, 'delete range');
    for (let d = 0; d < n; d++) {
      const clock = r.varUint();
      const len = r.varUint();
      if (len < 1) throw new MalformedError('zero-length delete range');
      clockOf(clock, len);
      ranges++;
    }
  }
  return ranges;
}
