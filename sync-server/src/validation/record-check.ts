import * as Y from 'yjs';
import { checkWrite, childNode, HOUSEHOLD_DOC_LAYOUT, TEAM_DOC_LAYOUT, type LayoutNode, type StoredValue } from '#domain/doc-layout';
import type { DocKind } from '#docs/schema';

/**
 * Checks the records an update writes against the stored layout (src/domain/doc-layout.ts)
 * before the update is applied, without copying or walking the document (ADR 0007): the
 * update is decoded once (its own size), and each map write is placed — which map, which
 * key — from the update itself or, for a write that replaces a value (Yjs then names the old
 * value as its origin instead of the map and key), by a binary search in the doc's struct
 * store, then up the parent chain (a record sits at most three maps deep). A value of the
 * wrong type for its field, a record or tag key that breaks its collection (`__proto__`), a
 * plain value where a record map belongs, a write replacing an entry of an append-only
 * collection (the household history, ADR 0018), are refused. So is a delete that removes a
 * record's required field (a household's head name, a visit's time) without writing it again
 * in the same update: each deleted range of the update's delete set is looked up in the struct
 * store (its own size again), and a deleted item that is the current value of a required key
 * is refused unless its record goes with it.
 *
 * What it does not see: a history entry deleted (not a required field of a record).
 */

export type RecordVerdict = { ok: true; writes: number } | { ok: false; detail: string };

/** Where an item sits: the layout node of the type holding it (undefined: outside the layout) and its key (null: a sequence item). */
interface Place {
  container: LayoutNode | undefined;
  key: string | null;
}

const UNPLACED = Symbol('unplaced');
const MAX_DEPTH = 8;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Yjs types its shared types' events as any
type AnyType = Y.AbstractType<any>;

export function checkRecords(kind: DocKind, doc: Y.Doc, update: Uint8Array): RecordVerdict {
  const layout = kind === 'team' ? TEAM_DOC_LAYOUT : HOUSEHOLD_DOC_LAYOUT;
  const { structs, ds } = Y.decodeUpdate(update);
  /** this update's items by client, in clock order (as the update lists them) */
  const own = new Map<number, Y.Item[]>();
  for (const s of structs) {
    if (!(s instanceof Y.Item)) continue;
    let list = own.get(s.id.client);
    if (!list) own.set(s.id.client, (list = []));
    list.push(s);
  }
  const places = new Map<Y.Item, Place | typeof UNPLACED>();

  const rootNode = (name: string): LayoutNode | undefined => (Object.hasOwn(layout, name) ? layout[name] : undefined);

  /** The item (of this update, else of the doc) that holds `id`; GC'd or missing: undefined. */
  function findOwn(id: Y.ID): Y.Item | undefined {
    const list = own.get(id.client);
    if (!list) return undefined;
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const it = list[mid]!;
      if (id.clock < it.id.clock) hi = mid - 1;
      else if (id.clock >= it.id.clock + it.length) lo = mid + 1;
      else return it;
    }
    return undefined;
  }
  function findInDoc(id: Y.ID): Y.Item | Y.GC | undefined {
    const list = doc.store.clients.get(id.client);
    if (!list || list.length === 0) return undefined;
    const last = list[list.length - 1]!;
    if (id.clock >= last.id.clock + last.length) return undefined;
    const s = list[Y.findIndexSS(list, id.clock)];
    return s instanceof Y.Item || s instanceof Y.GC ? s : undefined;
  }

  /** The layout node of a live type of the doc, by walking up its parents. */
  function nodeOfType(type: AnyType, depth: number): LayoutNode | undefined {
    if (depth > MAX_DEPTH) return undefined;
    const item = type._item;
    if (!item) return rootNode(Y.findRootTypeKey(type));
    const parent = item.parent;
    if (!(parent instanceof Y.AbstractType) || item.parentSub === null) return undefined;
    const holder = nodeOfType(parent as AnyType, depth + 1);
    return holder ? childNode(holder, item.parentSub) : undefined;
  }

  /** The layout node of the type an item's content is (its parent, for the items it holds). */
  function nodeOfItemType(id: Y.ID, depth: number): LayoutNode | undefined | typeof UNPLACED {
    const mine = findOwn(id);
    if (mine) {
      const p = placeOf(mine, depth + 1);
      if (p === UNPLACED) return UNPLACED;
      return p.container && p.key !== null ? childNode(p.container, p.key) : undefined;
    }
    const s = findInDoc(id);
    if (!s) return UNPLACED;
    if (s instanceof Y.GC || !(s.content instanceof Y.ContentType)) return undefined;
    return nodeOfType(s.content.type as AnyType, depth + 1);
  }

  function placeOf(item: Y.Item, depth: number): Place | typeof UNPLACED {
    const known = places.get(item);
    if (known !== undefined) return known;
    let place: Place | typeof UNPLACED;
    if (depth > MAX_DEPTH) place = { container: undefined, key: null };
    else if (typeof item.parent === 'string') place = { container: rootNode(item.parent), key: item.parentSub };
    else if (item.parent instanceof Y.ID) {
      const node = nodeOfItemType(item.parent, depth);
      place = node === UNPLACED ? UNPLACED : { container: node, key: item.parentSub };
    } else {
      // No parent info: Yjs takes parent and key from the left (origin) or right neighbour.
      const neighbour = item.origin ?? item.rightOrigin;
      place = neighbour ? placeNeighbour(neighbour, depth) : UNPLACED;
    }
    places.set(item, place);
    return place;
  }

  function placeNeighbour(id: Y.ID, depth: number): Place | typeof UNPLACED {
    const mine = findOwn(id);
    if (mine) return placeOf(mine, depth + 1);
    const s = findInDoc(id);
    if (!s) return UNPLACED;
    // A neighbour collected by GC: Yjs drops the new item too.
    if (s instanceof Y.GC) return { container: undefined, key: null };
    const parent = s.parent;
    if (!(parent instanceof Y.AbstractType)) return { container: undefined, key: null };
    return { container: nodeOfType(parent as AnyType, depth + 1), key: s.parentSub };
  }

  let writes = 0;
  for (const list of own.values()) {
    for (const item of list) {
      const place = placeOf(item, 0);
      if (place === UNPLACED) return { ok: false, detail: `item ${item.id.client}:${item.id.clock} refers to items the relay does not hold` };
      if (place.key === null || !place.container) continue;
      writes++;
      // In Yjs a map write at a key that already holds a value names that value as its
      // origin: in an append-only collection (the household history) that is a rewrite.
      if (place.container.kind === 'map' && place.container.appendOnly && item.origin !== null) {
        return { ok: false, detail: `${describe(item)} key ${JSON.stringify(place.key.slice(0, 64))}: rewrites an append-only entry` };
      }
      for (const stored of storedValues(item.content)) {
        const problem = checkWrite(place.container, place.key, stored);
        if (problem) return { ok: false, detail: `${describe(item)} key ${JSON.stringify(place.key.slice(0, 64))}: ${problem}` };
      }
    }
  }
  const removed = removedRequiredField(ds);
  if (removed) return { ok: false, detail: removed };
  return { ok: true, writes };

  /** A parent, as `parent key` strings compare: the root's name, or its item's id. */
  function typeKey(type: AnyType): string {
    return type._item ? `${type._item.id.client}:${type._item.id.clock}` : `root:${Y.findRootTypeKey(type)}`;
  }

  /** The parent of a write of this update, as `typeKey` names it (undefined: not found). */
  function parentOf(item: Y.Item, depth: number): string | undefined {
    if (depth > MAX_DEPTH) return undefined;
    if (typeof item.parent === 'string') return `root:${item.parent}`;
    if (item.parent instanceof Y.ID) return `${item.parent.client}:${item.parent.clock}`;
    const neighbour = item.origin ?? item.rightOrigin;
    if (!neighbour) return undefined;
    const mine = findOwn(neighbour);
    if (mine) return parentOf(mine, depth + 1);
    const s = findInDoc(neighbour);
    return s instanceof Y.Item && s.parent instanceof Y.AbstractType ? typeKey(s.parent as AnyType) : undefined;
  }

  function isDeletedHere(id: Y.ID): boolean {
    return (ds.clients.get(id.client) ?? []).some((d) => id.clock >= d.clock && id.clock < d.clock + d.len);
  }

  /** The detail of a required field this update deletes and does not write again, if any. */
  function removedRequiredField(deleteSet: typeof ds): string | undefined {
    let rewritten: Set<string> | undefined;
    for (const [client, ranges] of deleteSet.clients) {
      const list = doc.store.clients.get(client);
      if (!list || list.length === 0) continue;
      const last = list[list.length - 1]!;
      for (const range of ranges) {
        if (range.clock >= last.id.clock + last.length) continue;
        for (let i = Y.findIndexSS(list, Math.max(range.clock, list[0]!.id.clock)); i < list.length && list[i]!.id.clock < range.clock + range.len; i++) {
          const s = list[i]!;
          if (!(s instanceof Y.Item) || s.deleted || s.parentSub === null || !(s.parent instanceof Y.AbstractType)) continue;
          const parent = s.parent as AnyType;
          if (parent._map.get(s.parentSub) !== s) continue;
          const node = nodeOfType(parent, 0);
          if (node?.kind !== 'map' || !node.required?.includes(s.parentSub)) continue;
          if (parent._item && isDeletedHere(parent._item.id)) continue;
          rewritten ??= writtenKeys();
          if (rewritten.has(`${typeKey(parent)}\u0000${s.parentSub}`)) continue;
          return `${describe(s)} deletes required field ${JSON.stringify(s.parentSub)}`;
        }
      }
    }
    return undefined;
  }

  /** Every (parent, key) this update writes a value at: a required field deleted and written again is a replacement. */
  function writtenKeys(): Set<string> {
    const out = new Set<string>();
    for (const list of own.values()) {
      for (const item of list) {
        const p = placeOf(item, 0);
        if (p !== UNPLACED && p.key !== null) out.add(`${parentOf(item, 0)}\u0000${p.key}`);
      }
    }
    return out;
  }
}

/** What a map write stores, as the layout sees it (a deleted write stores nothing). */
function storedValues(content: Y.Item["content"]): StoredValue[] {
  if (content instanceof Y.ContentDeleted) return [];
  if (content instanceof Y.ContentAny || content instanceof Y.ContentJSON) return content.getContent().map((value) => ({ kind: 'value', value }));
  if (content instanceof Y.ContentType) {
    const t = content.type;
    return [t instanceof Y.Map ? { kind: 'map' } : t instanceof Y.Text ? { kind: 'text' } : { kind: 'other' }];
  }
  return [{ kind: 'other' }];
}

function describe(item: Y.Item): string {
  return `item ${item.id.client}:${item.id.clock}`;
}
