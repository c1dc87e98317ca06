import * as Y from 'yjs';
import { checkValue, recordIssues, type LayoutNode, type StoredValue } from '#domain/doc-layout';

/**
 * Set a field only when the value really changes. A no-op write would still create a Yjs
 * update, grow the doc and cost sync bytes for nothing.
 */
export function setField(map: Y.Map<unknown>, key: string, value: unknown): void {
  if (value === undefined) {
    if (map.has(key)) map.delete(key);
    return;
  }
  const current = map.get(key);
  if (current === value) return;
  if (isPlainValue(value) && isPlainValue(current) && JSON.stringify(current) === JSON.stringify(value)) return;
  map.set(key, value);
}

function isPlainValue(v: unknown): boolean {
  return v === null || typeof v !== 'object' || Array.isArray(v) || Object.getPrototypeOf(v) === Object.prototype;
}

/** Get or create the nested Y.Map under `key`. */
export function childMap(parent: Y.Map<unknown>, key: string): Y.Map<unknown> {
  const existing = parent.get(key);
  if (existing instanceof Y.Map) return existing as Y.Map<unknown>;
  const created = new Y.Map<unknown>();
  parent.set(key, created);
  return created;
}

export function str(map: Y.Map<unknown>, key: string, fallback = ''): string {
  const v = map.get(key);
  return typeof v === 'string' ? v : fallback;
}

export function optStr(map: Y.Map<unknown>, key: string): string | undefined {
  const v = map.get(key);
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function num(map: Y.Map<unknown>, key: string, fallback: number): number {
  const v = map.get(key);
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

export function bool(map: Y.Map<unknown>, key: string): boolean {
  return map.get(key) === true;
}

/**
 * Replace a Y.Text's content with `next` by editing only the changed middle, so two people
 * editing different parts of the same notes offline both keep their words.
 */
export function replaceText(ytext: Y.Text, next: string): void {
  const prev = ytext.toString();
  if (prev === next) return;
  let start = 0;
  const minLen = Math.min(prev.length, next.length);
  while (start < minLen && prev.charCodeAt(start) === next.charCodeAt(start)) start++;
  let endPrev = prev.length;
  let endNext = next.length;
  while (endPrev > start && endNext > start && prev.charCodeAt(endPrev - 1) === next.charCodeAt(endNext - 1)) {
    endPrev--;
    endNext--;
  }
  if (endPrev > start) ytext.delete(start, endPrev - start);
  if (endNext > start) ytext.insert(start, next.slice(start, endNext));
}

/**
 * A short fingerprint of the doc's state. It covers the state vector and the delete set:
 * a pure deletion (removing text, unsetting a field) advances no clock, so the state vector
 * alone would call an edited doc unchanged.
 */
export function docVersion(doc: Y.Doc): string {
  const bytes = Y.encodeSnapshot(Y.snapshot(doc));
  return `${bytes.length.toString(36)}.${cyrb53(bytes).toString(36)}`;
}

/** A short digest of some text (not cryptographic): to tell whether it changed. */
export function textDigest(text: string): string {
  const bytes = new TextEncoder().encode(text);
  return `${bytes.length.toString(36)}.${cyrb53(bytes).toString(36)}`;
}

/** cyrb53: a fast 53-bit non-cryptographic hash (public domain, bryc). */
function cyrb53(bytes: Uint8Array, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < bytes.length; i++) {
    const ch = bytes[i]!;
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** What a map holds at `key`, as the layout checks see it (src/domain/doc-layout.ts). */
export function storedAt(map: Y.Map<unknown>, key: string): StoredValue | undefined {
  if (!map.has(key)) return undefined;
  const v = map.get(key);
  if (v instanceof Y.Map) return { kind: 'map' };
  if (v instanceof Y.Text) return { kind: 'text' };
  if (v instanceof Y.AbstractType) return { kind: 'other' };
  return { kind: 'value', value: v };
}

/** The fields of a stored record that break its layout node (empty when it is whole). */
export function issuesOf(node: LayoutNode, map: Y.Map<unknown>): string[] {
  return recordIssues(node, (k) => storedAt(map, k));
}

/** A value read from a map when it fits its layout node, else undefined. */
export function validAt<T>(map: Y.Map<unknown>, node: LayoutNode | undefined, key: string): T | undefined {
  const s = storedAt(map, key);
  if (!s || s.kind !== 'value' || !node || checkValue(node, s) !== undefined) return undefined;
  return s.value as T;
}
