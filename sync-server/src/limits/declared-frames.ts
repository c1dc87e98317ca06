/**
 * Adds up the payload lengths WebSocket frames declare in their headers (RFC 6455 §5.2), as
 * the bytes arrive on the TCP socket, before ws has buffered the frames. ws buffers a frame
 * up to its server-wide `maxPayload` before anyone sees it, and ws has no public way to set
 * that per socket, so a socket that has not authenticated is held to the small pre-auth cap
 * by what it declares: a 4 MiB frame is refused at its first bytes, not after them.
 */
export class DeclaredFrames {
  /** data and continuation payload bytes declared so far */
  total = 0;
  /** payload bytes of the current frame still to skip */
  private remaining = 0;
  private readonly header = new Uint8Array(14);
  private have = 0;

  /** Read one chunk from the socket; returns the running total. */
  feed(chunk: Uint8Array): number {
    let pos = 0;
    while (pos < chunk.length) {
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, chunk.length - pos);
        this.remaining -= n;
        pos += n;
        continue;
      }
      this.header[this.have++] = chunk[pos++]!;
      const need = headerLength(this.header, this.have);
      if (need === undefined || this.have < need) continue;
      const opcode = this.header[0]! & 0x0f;
      const len = payloadLength(this.header);
      if (opcode <= 2) this.total += len; // continuation, text, binary; control frames are ≤ 125 bytes
      this.remaining = len;
      this.have = 0;
    }
    return this.total;
  }
}

/** Bytes the header takes, once its first two bytes are in. */
function headerLength(h: Uint8Array, have: number): number | undefined {
  if (have < 2) return undefined;
  const len7 = h[1]! & 0x7f;
  const masked = (h[1]! & 0x80) !== 0;
  return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (masked ? 4 : 0);
}

function payloadLength(h: Uint8Array): number {
  const len7 = h[1]! & 0x7f;
  if (len7 < 126) return len7;
  if (len7 === 126) return (h[2]! << 8) | h[3]!;
  // 64-bit length: anything past 2^53 is as refused as 2^53
  let n = 0;
  for (let i = 2; i < 10; i++) n = n * 256 + h[i]!;
  return Math.min(n, Number.MAX_SAFE_INTEGER);
}
