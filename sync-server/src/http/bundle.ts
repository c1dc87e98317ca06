import type { ServerResponse } from 'node:http';
import zlib from 'node:zlib';
import { encodeDocParts, encodeEnd, encodeHeader } from '#docs/bundle';
import { RelayError } from '../errors';
import type { KeptState } from '../storage/doc-store';
import type { Services } from '../services';
import type { Caller } from './authenticate';

export const BUNDLE_DEFAULT_LIMIT = 200;

/**
 * Encoded docs are handed to gzip in batches of about this many bytes (one wait for its
 * "drain" per batch), and gzip hands out 64 KB chunks. Handed over doc by doc (a few KB each) into 16 KB buffers, a piece of 200
 * households waited for gzip's "drain" some 75 times, each a trip through the thread pool
 * and the socket: on a loaded 2-core machine a piece took 0.7 s to stream for 0.15 s of
 * work, and the device, done with the previous piece, waited for it.
 */
const BATCH_BYTES = 256 * 1024;
export const BUNDLE_MAX_LIMIT = 1000;

/**
 * `GET /api/bundle?after=<docName>&limit=<n>`: the docs this device may read, in name order
 * after `after`, as a bundle (src/docs/bundle.ts: binary records, Yjs v2 updates, gzip)
 * streamed with backpressure. The body is the gzip file itself (`Content-Type:
 * application/gzip`, no Content-Encoding), so a client handles it exactly like a file. `X-Lianhu-Seq` is the change sequence taken
 * before the first doc was read; `X-Lianhu-More: 1` says there are docs after this piece;
 * `X-Lianhu-Total` is how many docs the device may read in all (for a progress bar).
 */
export async function sendBundle(s: Services, caller: Caller, params: URLSearchParams, res: ServerResponse): Promise<void> {
  const after = params.get('after') ?? '';
  const limitRaw = params.get('limit');
  const limit = limitRaw === null ? BUNDLE_DEFAULT_LIMIT : Number(limitRaw);
  if (!Number.isInteger(limit) || limit < 1 || limit > BUNDLE_MAX_LIMIT) throw new RelayError(400, 'bad_request', `limit is an integer from 1 to ${BUNDLE_MAX_LIMIT}`);
  if (after.length > 300) throw new RelayError(400, 'bad_request', 'after is a document name');
  const seq = await s.store.currentSeq(caller.claims.teamId);
  const names = await s.feed.readableNames(caller.reader, after, limit + 1);
  const more = names.length > limit;
  if (more) names.pop();
  res.writeHead(200, {
    'Content-Type': 'application/gzip',
    'Content-Disposition': 'attachment; filename="relay.lianhu"',
    'Cache-Control': 'no-store',
    'X-Lianhu-Seq': String(seq),
    'X-Lianhu-More': more ? '1' : '0',
    'X-Lianhu-Total': String(await s.feed.readableCount(caller.reader)),
  });
  const gzip = zlib.createGzip({ level: 6, chunkSize: 64 * 1024 });
  gzip.pipe(res);
  res.on('close', () => gzip.destroy());
  // One pair of listeners per wait, both removed when either fires (racing two `once`
  // promises left the loser attached: MaxListenersExceededWarning on a slow client).
  const write = (bytes: Uint8Array): Promise<void> | undefined => {
    if (gzip.write(bytes)) return undefined;
    return new Promise<void>((resolve) => {
      const done = () => {
        gzip.off('drain', done);
        gzip.off('close', done);
        resolve();
      };
      gzip.on('drain', done);
      gzip.on('close', done);
    });
  };
  await write(encodeHeader({ teamId: caller.claims.teamId, createdAt: new Date().toISOString(), source: { kind: 'relay' }, seq }));
  let docs = 0;
  const keep: KeptState[] = [];
  let batch: Uint8Array[] = [];
  let batched = 0;
  const flush = () => {
    const bytes = batch.length === 1 ? batch[0]! : Buffer.concat(batch);
    batch = [];
    batched = 0;
    return write(bytes);
  };
  for (const name of names) {
    if (res.destroyed) return;
    // Bundles carry Yjs v2 updates (smaller); the relay stores v1 and keeps each doc's state
    // as a bundle sends it once worked out (ADR 0016).
    const state = await s.store.bundleState(name);
    if (!state) continue;
    if (state.keep) keep.push(state.keep);
    const [head, update] = encodeDocParts({ name, update: state.update });
    batch.push(head, update);
    batched += head.length + update.length;
    docs++;
    if (batched >= BATCH_BYTES) await flush();
  }
  batch.push(encodeEnd({ docs, photos: 0 }));
  await flush();
  gzip.end();
  // After the piece is handed over: the device does not wait for this write, and a state
  // not kept (an error, a doc written meanwhile) is only worked out again next time.
  await s.store.keepBundleStates(keep).catch((err: unknown) => s.log.warn({ err: String(err), docs: keep.length }, 'bundle states not kept'));
}
