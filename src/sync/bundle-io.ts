import { BUNDLE_MAGIC, BundleError, BundleReader, type Bundle, type BundleRecord } from '@/docs/bundle';

/**
 * Bundles (src/docs/bundle.ts) in and out of gzip, through the Compression Streams API: the
 * browser has it and so does Node ≥ 18, so the relay's first-sync pieces, exported files and
 * the tests all go through this one code path. Decoding is streamed: records are checked as
 * the bytes are inflated, and nothing is returned unless the bundle ended properly.
 */

export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** gzip the bundle's parts into one Blob (what a download or a file holds). */
export async function writeBundle(parts: Uint8Array[], type = 'application/gzip'): Promise<Blob> {
  const stream = new Blob(parts as BlobPart[]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Blob([await new Response(stream).arrayBuffer()], { type });
}

/**
 * Decode a bundle: gzip-compressed (as we write it) or raw. `teamId` refuses another team's.
 * Every problem is a BundleError: not ours, corrupt, cut off, foreign.
 */
export async function readBundle(source: Blob, teamId?: string): Promise<Bundle> {
  if (source.size === 0) throw new BundleError('bundle_empty', 0, 'the file is empty');
  const head = new Uint8Array(await source.slice(0, BUNDLE_MAGIC.length).arrayBuffer());
  const gz = isGzip(head);
  if (!gz && String.fromCharCode(...head) !== BUNDLE_MAGIC) throw new BundleError('bundle_not_lianhu', 0, 'not a Lianhu file');
  const stream: ReadableStream<Uint8Array> = gz ? source.stream().pipeThrough(new DecompressionStream('gzip')) : source.stream();
  const decoder = new BundleReader(teamId);
  const records: BundleRecord[] = [];
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const r of decoder.push(value)) records.push(r);
    }
  } catch (err) {
    if (err instanceof BundleError) throw err;
    throw new BundleError(isCutOff(err) ? 'bundle_truncated' : 'bundle_corrupt', 0, `gzip: ${describe(err)}`);
  } finally {
    reader.releaseLock();
  }
  decoder.finish();
  const bundle: Bundle = { header: undefined as unknown as Bundle['header'], docs: [], photos: [] };
  for (const r of records) {
    if (r.kind === 'header') bundle.header = r.header;
    else if (r.kind === 'doc') bundle.docs.push(r.doc);
    else if (r.kind === 'photo') bundle.photos.push(r.photo);
    else if (r.kind === 'signature') bundle.signature = { ...r.signature, signedLength: r.signedLength };
  }
  return bundle;
}

/**
 * Whether inflating stopped because the stream was cut off (anything else is damage). Node 20's
 * zlib says "unexpected end of file"; Node 22 throws a TypeError with an empty message and only
 * the code Z_BUF_ERROR; Chromium says "Compressed input was truncated".
 */
function isCutOff(err: unknown): boolean {
  if ((err as { code?: unknown } | null)?.code === 'Z_BUF_ERROR') return true;
  return /end of|truncat|premature/i.test(describe(err));
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  return err.message || (typeof code === 'string' ? code : err.name);
}
