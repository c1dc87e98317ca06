/**
 * Photo compression, run in a Web Worker (OffscreenCanvas) so a 12-megapixel camera photo
 * never freezes the form. A photo becomes a JPEG of at most `MAX_EDGE` px on its long side
 * and about `TARGET_BYTES`, plus a small thumbnail for lists; both are addressed by the
 * SHA-256 of the photo's bytes.
 */

export const MAX_EDGE = 1600;
export const TARGET_BYTES = 300 * 1024;
export const THUMB_EDGE = 240;
const QUALITIES = [0.82, 0.72, 0.62, 0.52];

export interface CompressedPhoto {
  blob: Blob;
  thumb: Blob;
  sha256: string;
  mime: 'image/jpeg';
  size: number;
  width: number;
  height: number;
}

/** Scale (w, h) down so the long edge is at most `max`; never up. */
export function fitWithin(w: number, h: number, max: number): { width: number; height: number } {
  const scale = Math.min(1, max / Math.max(w, h));
  return { width: Math.max(1, Math.round(w * scale)), height: Math.max(1, Math.round(h * scale)) };
}

async function encode(bitmap: ImageBitmap, width: number, height: number, quality: number): Promise<Blob> {
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2d context');
  ctx.fillStyle = '#fff'; // a transparent PNG must not turn black as JPEG
  ctx.fillRect(0, 0, width, height);
  ctx.drawImage(bitmap, 0, 0, width, height);
  return canvas.convertToBlob({ type: 'image/jpeg', quality });
}

export async function sha256Hex(data: ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', data);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function compressPhoto(file: Blob): Promise<CompressedPhoto> {
  // The camera's EXIF orientation is applied, so portrait photos stay upright.
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  try {
    let { width, height } = fitWithin(bitmap.width, bitmap.height, MAX_EDGE);
    let blob: Blob | undefined;
    // Lower the quality first, then the size, until the photo fits the budget.
    for (let round = 0; round < 4 && (!blob || blob.size > TARGET_BYTES); round++) {
      for (const q of QUALITIES) {
        blob = await encode(bitmap, width, height, q);
        if (blob.size <= TARGET_BYTES) break;
      }
      if (blob!.size > TARGET_BYTES) ({ width, height } = fitWithin(width, height, Math.round(Math.max(width, height) * 0.8)));
    }
    const t = fitWithin(bitmap.width, bitmap.height, THUMB_EDGE);
    const thumb = await encode(bitmap, t.width, t.height, 0.7);
    const sha256 = await sha256Hex(await blob!.arrayBuffer());
    return { blob: blob!, thumb, sha256, mime: 'image/jpeg', size: blob!.size, width, height };
  } finally {
    bitmap.close();
  }
}
