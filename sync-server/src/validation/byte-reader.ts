/**
 * A bounds-checked reader for lib0's encoding. lib0's own decoder reads past the end of its
 * buffer without complaint in places (`readUint8`, `readVarInt` return undefined/0), which
 * is how a few bytes can pass for a much longer update. Every read here throws
 * `MalformedError` instead.
 */
export class MalformedError extends Error {
  constructor(readonly detail: string) {
    super(detail);
    this.name = 'MalformedError';
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export class ByteReader {
  pos = 0;

  constructor(readonly bytes: Uint8Array) {}

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  u8(): number {
    if (this.pos >= this.bytes.length) throw new MalformedError('unexpected end');
    return this.bytes[this.pos++]!;
  }

  /** lib0 varUint, at most 53 bits. */
  varUint(): number {
    let num = 0;
    let mult = 1;
    for (let i = 0; i < 8; i++) {
      const r = this.u8();
      num += (r & 0x7f) * mult;
      if (r < 0x80) {
        if (num > Number.MAX_SAFE_INTEGER) throw new MalformedError('integer out of range');
        return num;
      }
      mult *= 128;
    }
    throw new MalformedError('varint too long');
  }

  /** lib0 varInt (sign in bit 7 of the first byte). */
  varInt(): number {
    let r = this.u8();
    let num = r & 0x3f;
    let mult = 64;
    const sign = (r & 0x40) > 0 ? -1 : 1;
    if ((r & 0x80) === 0) return sign * num;
    for (let i = 0; i < 8; i++) {
      r = this.u8();
      num += (r & 0x7f) * mult;
      mult *= 128;
      if (r < 0x80) {
        if (num > Number.MAX_SAFE_INTEGER) throw new MalformedError('integer out of range');
        return sign * num;
      }
    }
    throw new MalformedError('varint too long');
  }

  bytesOf(len: number): Uint8Array {
    if (len > this.remaining) throw new MalformedError(`length ${len} exceeds the ${this.remaining} bytes left`);
    const out = this.bytes.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  varBytes(): Uint8Array {
    return this.bytesOf(this.varUint());
  }

  skip(len: number): void {
    this.bytesOf(len);
  }

  /** A length-prefixed UTF-8 string; invalid UTF-8 is refused (Yjs never writes it). */
  varString(maxBytes = Number.MAX_SAFE_INTEGER): string {
    const len = this.varUint();
    if (len > maxBytes) throw new MalformedError(`string of ${len} bytes (max ${maxBytes})`);
    const raw = this.bytesOf(len);
    try {
      return utf8.decode(raw);
    } catch {
      throw new MalformedError('invalid UTF-8');
    }
  }

  /** A declared element count: each element takes at least `minBytes`, so the count cannot exceed what is left. */
  count(minBytesEach: number, what: string): number {
    const n = this.varUint();
    if (n * minBytesEach > this.remaining) throw new MalformedError(`${what} count ${n} exceeds the ${this.remaining} bytes left`);
    return n;
  }

  end(): void {
    if (this.pos !== this.bytes.length) throw new MalformedError(`${this.remaining} trailing bytes`);
  }
}
