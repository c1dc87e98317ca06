import { parseDocName } from './schema';

/**
 * The bundle: many docs (and photos) travelling at once — a first sync downloaded over
 * HTTP, or a file carried on a USB stick. Binary, so Yjs updates are not inflated by
 * base64 (gzip of base64 text cost 0.30× the records' JSON size; binary costs 0.14×).
 * The whole stream is gzip-compressed by the writer (CompressionStream in the browser,
 * zlib on the relay).
 *
 *   magic   "LIANHUB1"                       8 bytes
 *   record* kind u8 · length u32 (big-endian) · payload
 *     1 header  JSON {teamId, createdAt, source, seq?, since?}
 *     2 doc     u16 name length · name (UTF-8) · Yjs update (format v2)
 *     3 photo   u16 meta length · JSON {sha256, mime, size} · bytes
 *     5 signature JSON {alg: "ES256", deviceId, sig}      (device exports only, just before end)
 *     4 end     JSON {docs, photos}
 *
 * The signature (ADR 0023) is ECDSA P-256 / SHA-256 over every byte before its record
 * (uncompressed: magic, header, docs, photos), by the exporting device's key registered with
 * the relay at join: a member carrying a colleague's file can deliver it to the relay, which
 * applies it with the exporter's rights, never the carrier's.
 *
 * The header comes first, the end record last: a cut-off file is detected. Decoding
 * checks every record and names the first problem; an import applies nothing unless the
 * whole bundle decoded (and the caller's trial apply of every update succeeded).
 */

export const BUNDLE_MAGIC = 'LIANHUB1';
export const BUNDLE_VERSION = 1;
/** No record we write is larger (a photo is at most 4 MB). */
export const MAX_BUNDLE_RECORD = 8 * 1024 * 1024;

const KIND = { header: 1, doc: 2, photo: 3, end: 4, signature: 5 } as const;

export interface BundleHeader {
  teamId: string;
  createdAt: string;
  source: { kind: 'relay' | 'device'; deviceId?: string; memberId?: string; memberName?: string };
  /** relay bundles: the team change sequence the bundle is consistent with */
  seq?: number;
  /** exports of changes only: when the previous export was made */
  since?: string;
}

export interface BundleDoc {
  name: string;
  /** a Yjs update in format v2 (`Y.encodeStateAsUpdateV2`, `Y.applyUpdateV2`) */
  update: Uint8Array;
}

export interface BundlePhoto {
  sha256: string;
  mime: string;
  size: number;
  data: Uint8Array;
}

/** What the signature record holds (see src/docs/bundle-signature.ts). */
export interface BundleSignature {
  alg: 'ES256';
  /** the exporting device, whose key the relay holds */
  deviceId: string;
  /** base64url of the raw (IEEE P1363, r‖s) signature, as WebCrypto makes it */
  sig: string;
}

export interface Bundle {
  header: BundleHeader;
  docs: BundleDoc[];
  photos: BundlePhoto[];
  /** a signed export: the signature and how many (uncompressed) bytes before it it covers */
  signature?: BundleSignature & { signedLength: number };
}

export type BundleErrorCode = 'bundle_empty' | 'bundle_not_lianhu' | 'bundle_version' | 'bundle_corrupt' | 'bundle_truncated' | 'bundle_foreign_team';

export class BundleError extends Error {
  constructor(
    readonly code: BundleErrorCode,
    readonly offset: number,
    detail: string,
  ) {
    super(`${code} at byte ${offset}: ${detail}`);
    this.name = 'BundleError';
  }
  /** i18n key for the UI */
  get messageKey(): string {
    return `errors.${this.code}`;
  }
}

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

function record(kind: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + payload.length);
  const view = new DataView(out.buffer);
  view.setUint8(0, kind);
  view.setUint32(1, payload.length);
  out.set(payload, 5);
  return out;
}

function withPrefix(prefix: Uint8Array, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + prefix.length + body.length);
  new DataView(out.buffer).setUint16(0, prefix.length);
  out.set(prefix, 2);
  out.set(body, 2 + prefix.length);
  return out;
}

// ---- writing (each function returns bytes to append, so a writer can stream) ----

/** The magic and the header record: the first bytes of every bundle. */
export function encodeHeader(h: BundleHeader): Uint8Array {
  const magic = enc.encode(BUNDLE_MAGIC);
  const rec = record(KIND.header, enc.encode(JSON.stringify({ v: BUNDLE_VERSION, ...h })));
  const out = new Uint8Array(magic.length + rec.length);
  out.set(magic);
  out.set(rec, magic.length);
  return out;
}

export function encodeDoc(d: BundleDoc): Uint8Array {
  return record(KIND.doc, withPrefix(enc.encode(d.name), d.update));
}

/**
 * The same doc record as `encodeDoc`, as its head (kind, length, name) and the update itself,
 * for a writer that hands both on as they are: the update (most of the bytes) is not copied
 * into a record of its own first (the relay streams 15 MB of them for a team of 2,000).
 */
export function encodeDocParts(d: BundleDoc): [head: Uint8Array, update: Uint8Array] {
  const name = enc.encode(d.name);
  const head = new Uint8Array(5 + 2 + name.length);
  const view = new DataView(head.buffer);
  view.setUint8(0, KIND.doc);
  view.setUint32(1, 2 + name.length + d.update.length);
  view.setUint16(5, name.length);
  head.set(name, 7);
  return [head, d.update];
}

export function encodePhoto(p: BundlePhoto): Uint8Array {
  return record(KIND.photo, withPrefix(enc.encode(JSON.stringify({ sha256: p.sha256, mime: p.mime, size: p.size })), p.data));
}

export function encodeSignature(sig: BundleSignature): Uint8Array {
  return record(KIND.signature, enc.encode(JSON.stringify({ alg: sig.alg, deviceId: sig.deviceId, sig: sig.sig })));
}

export function encodeEnd(counts: { docs: number; photos: number }): Uint8Array {
  return record(KIND.end, enc.encode(JSON.stringify(counts)));
}

/** A whole bundle in memory (uncompressed). */
export function encodeBundle(b: Bundle): Uint8Array {
  const parts = [encodeHeader(b.header), ...b.docs.map(encodeDoc), ...b.photos.map(encodePhoto), encodeEnd({ docs: b.docs.length, photos: b.photos.length })];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// ---- reading ----

export type BundleRecord =
  | { kind: 'header'; header: BundleHeader }
  | { kind: 'doc'; doc: BundleDoc }
  | { kind: 'photo'; photo: BundlePhoto }
  /** `signedLength`: the bytes before this record, which the signature covers */
  | { kind: 'signature'; signature: BundleSignature; signedLength: number }
  | { kind: 'end'; docs: number; photos: number };

/**
 * Incremental decoder: feed it chunks as they arrive (a streamed download), take the
 * records it completes. `finish()` checks that the bundle ended properly.
 */
export class BundleReader {
  private buf = new Uint8Array(0);
  private offset = 0;
  private sawMagic = false;
  private header: BundleHeader | undefined;
  private ended = false;
  private signed = false;
  private counts = { docs: 0, photos: 0 };

  constructor(private readonly expectTeamId?: string) {}

  push(chunk: Uint8Array): BundleRecord[] {
    const joined = new Uint8Array(this.buf.length + chunk.length);
    joined.set(this.buf);
    joined.set(chunk, this.buf.length);
    this.buf = joined;
    const out: BundleRecord[] = [];
    let pos = 0;
    if (!this.sawMagic) {
      if (this.buf.length < BUNDLE_MAGIC.length) return out;
      if (String.fromCharCode(...this.buf.subarray(0, BUNDLE_MAGIC.length)) !== BUNDLE_MAGIC) throw new BundleError('bundle_not_lianhu', 0, 'not a Lianhu bundle');
      this.sawMagic = true;
      pos = BUNDLE_MAGIC.length;
    }
    while (this.buf.length - pos >= 5) {
      const at = this.offset + pos;
      const view = new DataView(this.buf.buffer, this.buf.byteOffset + pos, 5);
      const kind = view.getUint8(0);
      const len = view.getUint32(1);
      if (len > MAX_BUNDLE_RECORD) throw new BundleError('bundle_corrupt', at, 'record too large');
      if (this.buf.length - pos - 5 < len) break;
      const payload = this.buf.subarray(pos + 5, pos + 5 + len);
      out.push(this.decodeRecord(kind, payload, at));
      pos += 5 + len;
    }
    this.buf = this.buf.slice(pos);
    this.offset += pos;
    return out;
  }

  /** Call after the last chunk: throws if the bundle was cut off. */
  finish(): void {
    if (!this.sawMagic && this.offset === 0 && this.buf.length === 0) throw new BundleError('bundle_empty', 0, 'no content');
    if (!this.sawMagic) throw new BundleError('bundle_not_lianhu', 0, 'not a Lianhu bundle');
    if (!this.ended || this.buf.length > 0) throw new BundleError('bundle_truncated', this.offset, 'no end record');
  }

  private decodeRecord(kind: number, payload: Uint8Array, at: number): BundleRecord {
    if (this.ended) throw new BundleError('bundle_corrupt', at, 'content after end');
    if (!this.header && kind !== KIND.header) throw new BundleError('bundle_corrupt', at, 'no header');
    if (this.signed && kind !== KIND.end) throw new BundleError('bundle_corrupt', at, 'content after the signature');
    switch (kind) {
      case KIND.header: {
        if (this.header) throw new BundleError('bundle_corrupt', at, 'second header');
        const h = json(payload, at) as Record<string, unknown>;
        if (h.v !== BUNDLE_VERSION) throw new BundleError('bundle_version', at, `version ${String(h.v)}`);
        if (typeof h.teamId !== 'string' || typeof h.createdAt !== 'string' || !h.source || typeof h.source !== 'object') throw new BundleError('bundle_corrupt', at, 'bad header');
        if (this.expectTeamId !== undefined && h.teamId !== this.expectTeamId) throw new BundleError('bundle_foreign_team', at, `team ${h.teamId}`);
        delete h.v;
        this.header = h as unknown as BundleHeader;
        return { kind: 'header', header: this.header };
      }
      case KIND.doc: {
        const [nameBytes, update] = split(payload, at);
        const name = text(nameBytes, at);
        const parsed = parseDocName(name);
        if (!parsed) throw new BundleError('bundle_corrupt', at, 'bad document name');
        if (parsed.teamId !== this.header!.teamId) throw new BundleError('bundle_foreign_team', at, name);
        if (update.length === 0) throw new BundleError('bundle_corrupt', at, 'empty update');
        this.counts.docs++;
        return { kind: 'doc', doc: { name, update: update.slice() } };
      }
      case KIND.photo: {
        const [metaBytes, data] = split(payload, at);
        const meta = json(metaBytes, at) as Record<string, unknown>;
        const { sha256, mime, size } = meta;
        if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256) || typeof mime !== 'string' || typeof size !== 'number') throw new BundleError('bundle_corrupt', at, 'bad photo record');
        if (data.length !== size) throw new BundleError('bundle_corrupt', at, 'photo size mismatch');
        this.counts.photos++;
        return { kind: 'photo', photo: { sha256, mime, size, data: data.slice() } };
      }
      case KIND.signature: {
        const g = json(payload, at) as Record<string, unknown>;
        if (g.alg !== 'ES256' || typeof g.deviceId !== 'string' || !g.deviceId || typeof g.sig !== 'string' || !/^[A-Za-z0-9_-]{40,200}$/.test(g.sig)) throw new BundleError('bundle_corrupt', at, 'bad signature record');
        this.signed = true;
        return { kind: 'signature', signature: { alg: 'ES256', deviceId: g.deviceId, sig: g.sig }, signedLength: at };
      }
      case KIND.end: {
        const c = json(payload, at) as Record<string, unknown>;
        if (c.docs !== this.counts.docs || c.photos !== this.counts.photos) throw new BundleError('bundle_truncated', at, 'counts do not match');
        this.ended = true;
        return { kind: 'end', docs: this.counts.docs, photos: this.counts.photos };
      }
      default:
        throw new BundleError('bundle_corrupt', at, `unknown record ${kind}`);
    }
  }
}

/** Decode a whole bundle held in memory (uncompressed bytes). */
export function decodeBundle(bytes: Uint8Array, expectTeamId?: string): Bundle {
  const reader = new BundleReader(expectTeamId);
  const records = reader.push(bytes);
  reader.finish();
  const bundle: Bundle = { header: undefined as unknown as BundleHeader, docs: [], photos: [] };
  for (const r of records) {
    if (r.kind === 'header') bundle.header = r.header;
    else if (r.kind === 'doc') bundle.docs.push(r.doc);
    else if (r.kind === 'photo') bundle.photos.push(r.photo);
    else if (r.kind === 'signature') bundle.signature = { ...r.signature, signedLength: r.signedLength };
  }
  return bundle;
}

function split(payload: Uint8Array, at: number): [Uint8Array, Uint8Array] {
  if (payload.length < 2) throw new BundleError('bundle_corrupt', at, 'short record');
  const n = new DataView(payload.buffer, payload.byteOffset, 2).getUint16(0);
  if (payload.length < 2 + n) throw new BundleError('bundle_corrupt', at, 'short record');
  return [payload.subarray(2, 2 + n), payload.subarray(2 + n)];
}

function text(bytes: Uint8Array, at: number): string {
  try {
    return dec.decode(bytes);
  } catch {
    throw new BundleError('bundle_corrupt', at, 'bad text');
  }
}

function json(bytes: Uint8Array, at: number): unknown {
  try {
    const v = JSON.parse(text(bytes, at)) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v;
  } catch (e) {
    if (e instanceof BundleError) throw e;
  }
  throw new BundleError('bundle_corrupt', at, 'bad JSON');
}
