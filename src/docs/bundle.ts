import { parseDocName } from './schema';

/**
 * The bundle: how many docs (and photos) travel at once — a first sync downloaded over
 * HTTP, or a file carried on a USB stick. Newline-delimited JSON, gzip-compressed by the
 * caller (CompressionStream in the browser, zlib on the relay):
 *
 *   {"t":"lianhu-bundle","v":1,"teamId":…,"createdAt":…,"source":{…},"seq"?:n}
 *   {"t":"doc","name":"<teamId>/household/<id>","update":"<base64 Yjs update>"}
 *   {"t":"photo","sha256":…,"mime":…,"size":n,"data":"<base64>"}
 *   {"t":"end","docs":n,"photos":m}
 *
 * The end line makes a cut-off file detectable. Parsing checks every line and names the
 * first problem; importing applies nothing unless the whole bundle parsed.
 */

export const BUNDLE_FORMAT = 'lianhu-bundle';
export const BUNDLE_VERSION = 1;
/** A single line larger than this is not one we wrote (a 4 MB photo is ~5.4 MB in base64). */
export const MAX_BUNDLE_LINE = 8 * 1024 * 1024;

export interface BundleHeader {
  t: typeof BUNDLE_FORMAT;
  v: number;
  teamId: string;
  createdAt: string;
  source: { kind: 'relay' | 'device'; deviceId?: string; memberId?: string; memberName?: string };
  /** relay bundles: the team change sequence the bundle is consistent with */
  seq?: number;
  /** exports of changes only: what the previous export covered */
  since?: string;
}

export interface BundleDoc {
  name: string;
  update: Uint8Array;
}

export interface BundlePhoto {
  sha256: string;
  mime: string;
  size: number;
  data: Uint8Array;
}

export interface Bundle {
  header: BundleHeader;
  docs: BundleDoc[];
  photos: BundlePhoto[];
}

export type BundleErrorCode = 'bundle_empty' | 'bundle_not_lianhu' | 'bundle_version' | 'bundle_corrupt' | 'bundle_truncated' | 'bundle_foreign_team';

export class BundleError extends Error {
  constructor(
    readonly code: BundleErrorCode,
    readonly line: number,
    detail: string,
  ) {
    super(`${code} at line ${line}: ${detail}`);
    this.name = 'BundleError';
  }
  /** i18n key for the UI */
  get messageKey(): string {
    return `errors.${this.code}`;
  }
}

// ---- base64 without Buffer (the browser has none) ----

export function toBase64(bytes: Uint8Array): string {
  let s = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) s += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(s);
}

export function fromBase64(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

// ---- writing ----

export function headerLine(h: Omit<BundleHeader, 't' | 'v'>): string {
  return `${JSON.stringify({ t: BUNDLE_FORMAT, v: BUNDLE_VERSION, ...h })}\n`;
}

export function docLine(d: BundleDoc): string {
  return `${JSON.stringify({ t: 'doc', name: d.name, update: toBase64(d.update) })}\n`;
}

export function photoLine(p: BundlePhoto): string {
  return `${JSON.stringify({ t: 'photo', sha256: p.sha256, mime: p.mime, size: p.size, data: toBase64(p.data) })}\n`;
}

export function endLine(counts: { docs: number; photos: number }): string {
  return `${JSON.stringify({ t: 'end', docs: counts.docs, photos: counts.photos })}\n`;
}

/** The whole bundle as text (uncompressed). */
export function encodeBundle(b: Omit<Bundle, 'header'> & { header: Omit<BundleHeader, 't' | 'v'> }): string {
  return headerLine(b.header) + b.docs.map(docLine).join('') + b.photos.map(photoLine).join('') + endLine({ docs: b.docs.length, photos: b.photos.length });
}

// ---- reading ----

/**
 * Parse a bundle's text. `expectTeamId` refuses a file from another team. The photo's
 * SHA-256 is checked by the caller (it needs WebCrypto or node:crypto, both async/sync apart).
 */
export function decodeBundle(text: string, expectTeamId?: string): Bundle {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length === 0 || (lines.length === 1 && lines[0]!.trim() === '')) throw new BundleError('bundle_empty', 1, 'no content');
  const header = parseHeader(lines[0]!);
  if (expectTeamId !== undefined && header.teamId !== expectTeamId) throw new BundleError('bundle_foreign_team', 1, `team ${header.teamId}`);
  const docs: BundleDoc[] = [];
  const photos: BundlePhoto[] = [];
  let ended = false;
  for (let i = 1; i < lines.length; i++) {
    const n = i + 1;
    if (ended) throw new BundleError('bundle_corrupt', n, 'content after end');
    const rec = parseLine(lines[i]!, n);
    if (rec.t === 'doc') {
      const parsed = typeof rec.name === 'string' ? parseDocName(rec.name) : undefined;
      if (!parsed) throw new BundleError('bundle_corrupt', n, 'bad document name');
      if (parsed.teamId !== header.teamId) throw new BundleError('bundle_foreign_team', n, rec.name as string);
      docs.push({ name: rec.name as string, update: b64Field(rec.update, n) });
    } else if (rec.t === 'photo') {
      const { sha256, mime, size } = rec;
      if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256) || typeof mime !== 'string' || typeof size !== 'number') {
        throw new BundleError('bundle_corrupt', n, 'bad photo record');
      }
      const data = b64Field(rec.data, n);
      if (data.length !== size) throw new BundleError('bundle_corrupt', n, 'photo size mismatch');
      photos.push({ sha256, mime, size, data });
    } else if (rec.t === 'end') {
      if (rec.docs !== docs.length || rec.photos !== photos.length) throw new BundleError('bundle_truncated', n, 'counts do not match');
      ended = true;
    } else {
      throw new BundleError('bundle_corrupt', n, 'unknown record');
    }
  }
  if (!ended) throw new BundleError('bundle_truncated', lines.length, 'no end record');
  return { header, docs, photos };
}

function parseHeader(line: string): BundleHeader {
  let h: Record<string, unknown>;
  try {
    h = JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new BundleError('bundle_not_lianhu', 1, 'not a Lianhu bundle');
  }
  if (!h || typeof h !== 'object' || h.t !== BUNDLE_FORMAT) throw new BundleError('bundle_not_lianhu', 1, 'not a Lianhu bundle');
  if (h.v !== BUNDLE_VERSION) throw new BundleError('bundle_version', 1, `version ${String(h.v)}`);
  if (typeof h.teamId !== 'string' || typeof h.createdAt !== 'string' || !h.source || typeof h.source !== 'object') {
    throw new BundleError('bundle_corrupt', 1, 'bad header');
  }
  return h as unknown as BundleHeader;
}

function parseLine(line: string, n: number): Record<string, unknown> {
  if (line.length > MAX_BUNDLE_LINE) throw new BundleError('bundle_corrupt', n, 'line too long');
  try {
    const rec = JSON.parse(line) as unknown;
    if (rec && typeof rec === 'object' && !Array.isArray(rec)) return rec as Record<string, unknown>;
  } catch {
    // fall through: a cut-off last line or garbage in the middle
  }
  throw new BundleError('bundle_corrupt', n, 'not JSON');
}

function b64Field(v: unknown, n: number): Uint8Array {
  if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) throw new BundleError('bundle_corrupt', n, 'bad base64');
  try {
    return fromBase64(v);
  } catch {
    throw new BundleError('bundle_corrupt', n, 'bad base64');
  }
}
