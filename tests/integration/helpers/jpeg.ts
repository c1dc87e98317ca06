/**
 * Real JPEG bytes of any size, for tests that upload photos (the relay refuses bytes that
 * are no image). An 8×8 JPEG as Chromium's canvas encodes it (what the photo worker makes,
 * at a smaller size) with comment (COM) segments of pseudo-random bytes after its start
 * marker to reach `size`: a decoder skips them, so the file stays a valid, decodable JPEG,
 * and different seeds give different hashes.
 */
const BASE = Buffer.from(
  '/9j/4AAQSkZJRgABAQAAAQABAAD/4gHYSUNDX1BST0ZJTEUAAQEAAAHIAAAAAAQwAABtbnRyUkdCIFhZWiAH4AABAAEAAAAAAABhY3NwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAQAA9tYAAQAAAADTLQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAlkZXNjAAAA8AAAACRyWFlaAAABFAAAABRnWFlaAAABKAAAABRiWFlaAAABPAAAABR3dHB0AAABUAAAABRyVFJDAAABZAAAAChnVFJDAAABZAAAAChiVFJDAAABZAAAAChjcHJ0AAABjAAAADxtbHVjAAAAAAAAAAEAAAAMZW5VUwAAAAgAAAAcAHMAUgBHAEJYWVogAAAAAAAAb6IAADj1AAADkFhZWiAAAAAAAABimQAAt4UAABjaWFlaIAAAAAAAACSgAAAPhAAAts9YWVogAAAAAAAA9tYAAQAAAADTLXBhcmEAAAAAAAQAAAACZmYAAPKnAAANWQAAE9AAAApbAAAAAAAAAABtbHVjAAAAAAAAAAEAAAAMZW5VUwAAACAAAAAcAEcAbwBvAGcAbABlACAASQBuAGMALgAgADIAMAAxADb/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAAIAAgDASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAP/xAAVEAEBAAAAAAAAAAAAAAAAAAAAAv/EABQBAQAAAAAAAAAAAAAAAAAAAAT/xAAXEQADAQAAAAAAAAAAAAAAAAAAAgMS/9oADAMBAAIRAxEAPwCl0ATKS5D1o2j/2Q==',
  'base64',
);
/** marker (2) + length (2) + at most 65,533 bytes of comment */
const MAX_SEGMENT = 4 + 65_533;

export function jpegBytes(size: number, seed = 1): Uint8Array<ArrayBuffer> {
  let pad = size - BASE.length;
  if (pad < 0 || (pad > 0 && pad < 4)) throw new Error(`a test JPEG is ${BASE.length} bytes or at least ${BASE.length + 4}`);
  const out = new Uint8Array(size);
  out.set(BASE.subarray(0, 2), 0); // SOI
  let at = 2;
  let x = seed;
  while (pad > 0) {
    let take = Math.min(pad, MAX_SEGMENT);
    if (pad - take > 0 && pad - take < 4) take -= 4; // leave room for a whole last segment
    out.set([0xff, 0xfe, (take - 2) >> 8, (take - 2) & 0xff], at);
    for (let i = at + 4; i < at + take; i++) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      out[i] = x & 0xff;
    }
    at += take;
    pad -= take;
  }
  out.set(BASE.subarray(2), at);
  return out;
}
