import { writeFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';

/**
 * A camera-sized test photo: a PNG of `width`×`height` with smooth gradients and some
 * grain, so it compresses like a photo rather than like a flat icon or pure noise.
 */
export function writeTestPhoto(path: string, width = 3000, height = 2000): void {
  const row = width * 3 + 1;
  const raw = Buffer.alloc(row * height);
  let seed = 42;
  const grain = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 24) - 12;
  for (let y = 0; y < height; y++) {
    raw[y * row] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const i = y * row + 1 + x * 3;
      const g = grain();
      raw[i] = clamp((x / width) * 200 + 30 + g);
      raw[i + 1] = clamp((y / height) * 180 + 40 + g);
      raw[i + 2] = clamp(128 + 90 * Math.sin((x + y) / 150) + g);
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  writeFileSync(path, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 1 })), chunk('IEND', Buffer.alloc(0))]));
}

function clamp(v: number): number {
  return Math.max(0, Math.min(255, Math.round(v)));
}
