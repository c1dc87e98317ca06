import { createRequire } from 'node:module';
import path from 'node:path';
import zlib from 'node:zlib';
import type { PerMessageDeflateOptions, WebSocket } from 'ws';

/**
 * The relay's permessage-deflate settings (ADR 0008, 0017): Chinese text compresses about
 * 3x; acks and small edits are not worth the CPU. ws honours `threshold` only without
 * context takeover: with it (its default) every frame the relay sent, down to each ack,
 * went through zlib. Each frame ≥ 1 KiB is compressed on its own
 * (server_no_context_takeover), in an 8 KiB window with memLevel 5, for about 1 % more
 * bytes on a household's state. What phones compress is theirs to choose: client context
 * takeover stays, so their uploads (a token per doc) stay small.
 */
export const RELAY_DEFLATE: PerMessageDeflateOptions = {
  threshold: 1024,
  serverNoContextTakeover: true,
  serverMaxWindowBits: 13,
  zlibDeflateOptions: { level: 6, memLevel: 5 },
  concurrencyLimit: 8,
};

/**
 * permessage-deflate on the relay's sockets without zlib streams (ADR 0025).
 *
 * ws inflates every compressed frame through a zlib stream per socket: three round trips to
 * libuv's thread pool per frame (the data, the 4-byte trailer, the flush), each with the
 * stream machinery around it, and a zlib inflate state (32 KiB window, allocated on a pool
 * thread) plus a 16 KiB output buffer held by every socket for its whole life; the deflate
 * side the same. Browsers compress every frame they send (no threshold), so a returning
 * phone's 25 docs cost the relay ~130 inflates, and the relay's memory per socket grew with
 * zlib state it rarely used.
 *
 * Here each message is inflated in one synchronous call with the socket's sliding window —
 * the last 2^client_max_window_bits bytes it inflated — as the preset dictionary, which is
 * exactly what context takeover means (RFC 7692 §7.2.3: the sender's LZ77 window carries
 * over; a raw deflate stream's preset dictionary is that window). What a socket keeps is
 * that window (≤ 32 KiB of plain bytes), nothing of zlib's. Frames the relay sends (only
 * those ≥ 1 KiB: ws' threshold) are deflated in one synchronous call each, which
 * server_no_context_takeover (our setting) allows: every message is its own deflate stream.
 * The wire is unchanged: the same negotiation, the same bytes a zlib stream would accept.
 *
 * Callbacks are deferred with process.nextTick, as ws expects them asynchronous (its
 * receiver and sender change state around the call). Limits hold as in ws: an inflated
 * message over maxPayload is cut off at that size and closes the socket with 1009; bytes
 * that do not inflate close it with 1007.
 */

const require = createRequire(import.meta.url);
/** ws' own status-code symbol: its receiver closes the socket with `err[kStatusCode]`. */
const { kStatusCode } = require(path.join(path.dirname(require.resolve('ws')), 'lib', 'constants.js')) as { kStatusCode: symbol };

const EXTENSION = 'permessage-deflate';
const TRAILER = Buffer.from([0x00, 0x00, 0xff, 0xff]);
const EMPTY = Buffer.alloc(0);
/** Output chunks of the one-shot calls: sync frames inflate to a few hundred bytes to a few KiB. */
const CHUNK = 4096;

type Callback = (err: Error | null, data?: Buffer) => void;

/** The parts of ws' PerMessageDeflate (lib/permessage-deflate.js) read and replaced here. */
interface WsPerMessageDeflate {
  _isServer: boolean;
  _maxPayload: number;
  _options: { zlibDeflateOptions?: zlib.ZlibOptions };
  params: Record<string, unknown> | null;
  decompress(data: Buffer, fin: boolean, cb: Callback): void;
  compress(data: Buffer, fin: boolean, cb: Callback): void;
}

function isPerMessageDeflate(x: unknown): x is WsPerMessageDeflate {
  const p = x as Partial<WsPerMessageDeflate> | undefined;
  return typeof p === 'object' && p !== null && typeof p.decompress === 'function' && typeof p.compress === 'function' && typeof p._maxPayload === 'number' && p._isServer === true && typeof p.params === 'object' && p.params !== null;
}

function wsError(e: Error, code: number): Error {
  (e as Error & Record<symbol, number>)[kStatusCode] = code;
  return e;
}

/**
 * Put the one-shot inflate and deflate on an accepted server socket that agreed
 * permessage-deflate. Returns false when the socket has no compression (nothing to do) or
 * when ws' internals are not as expected (ws left as it is, still correct, only slower).
 */
export function inlineCompression(ws: WebSocket): boolean {
  const extensions = (ws as unknown as { _extensions?: Record<string, unknown> })._extensions;
  const pmd = extensions?.[EXTENSION];
  if (!isPerMessageDeflate(pmd)) return false;
  const params = pmd.params!;
  const maxPayload = pmd._maxPayload;

  // Inflate: the client's window (client_max_window_bits, 15 when not said), unless the
  // client resets its context after every message. zlib widens a raw window of 8 bits to 9.
  const clientBits = typeof params.client_max_window_bits === 'number' ? Math.max(9, params.client_max_window_bits) : 15;
  const windowSize = 1 << clientBits;
  const clientResets = params.client_no_context_takeover === true;
  let window: Buffer = EMPTY;
  /** compressed fragments of a message not yet finished */
  let fragments: Buffer[] = [];

  const remember = (plain: Buffer) => {
    if (clientResets || plain.length === 0) return;
    if (plain.length >= windowSize) window = Buffer.from(plain.subarray(plain.length - windowSize));
    else {
      const keep = Math.min(window.length, windowSize - plain.length);
      window = Buffer.concat([window.subarray(window.length - keep), plain]);
    }
  };

  pmd.decompress = (data, fin, cb) => {
    if (!fin) {
      fragments.push(data);
      process.nextTick(cb, null, EMPTY);
      return;
    }
    const input = Buffer.concat([...fragments, data, TRAILER]);
    fragments = [];
    let plain: Buffer;
    try {
      plain = zlib.inflateRawSync(input, {
        windowBits: 15,
        finishFlush: zlib.constants.Z_SYNC_FLUSH,
        chunkSize: CHUNK,
        ...(window.length > 0 ? { dictionary: window } : {}),
        ...(maxPayload > 0 ? { maxOutputLength: maxPayload } : {}),
      });
    } catch (e) {
      const err = e as Error & { code?: string };
      const tooLarge = err.code === 'ERR_BUFFER_TOO_LARGE';
      process.nextTick(cb, tooLarge ? wsError(Object.assign(new RangeError('Max payload size exceeded'), { code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' }), 1009) : wsError(err, 1007));
      return;
    }
    remember(plain);
    process.nextTick(cb, null, plain);
  };

  // Deflate: only when every message is its own stream (server_no_context_takeover, the
  // relay's setting) and sent in one frame; anything else goes through ws' own stream.
  if (params.server_no_context_takeover === true) {
    const original = pmd.compress.bind(pmd);
    const serverBits = typeof params.server_max_window_bits === 'number' ? Math.max(9, params.server_max_window_bits) : 15;
    const options: zlib.ZlibOptions = { ...pmd._options.zlibDeflateOptions, windowBits: serverBits, finishFlush: zlib.constants.Z_SYNC_FLUSH, chunkSize: CHUNK };
    /** a message sent in several frames is one deflate stream: ws' own, to its last frame */
    let streaming = false;
    pmd.compress = (data, fin, cb) => {
      if (!fin || streaming) {
        streaming = !fin;
        original(data, fin, cb);
        return;
      }
      const out = zlib.deflateRawSync(data, options);
      // A sync flush ends with an empty stored block, 00 00 ff ff, which the wire leaves out.
      process.nextTick(cb, null, out.subarray(0, out.length - TRAILER.length));
    };
  }
  return true;
}
