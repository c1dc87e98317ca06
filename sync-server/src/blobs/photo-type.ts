/**
 * What a photo's first bytes say it is. The relay serves photos with the type they were
 * uploaded with and `nosniff`, so the type must be the bytes' own, not the uploader's word
 * (an HTML page declared as image/jpeg would otherwise sit in the store as a photo).
 */
export function sniffPhotoType(head: Uint8Array): 'image/jpeg' | 'image/png' | 'image/webp' | undefined {
  const at = (i: number, bytes: number[]) => bytes.every((b, k) => head[i + k] === b);
  if (at(0, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (at(0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (at(0, [0x52, 0x49, 0x46, 0x46]) && at(8, [0x57, 0x45, 0x42, 0x50])) return 'image/webp'; // RIFF....WEBP
  return undefined;
}
