import { describe, expect, it, vi } from 'vitest';
import { localRecords } from '@/db/instance';
import { usePhotosStore } from '@/stores/photos';
import { fitWithin, type CompressedPhoto } from '@/workers/compress-photo';
import { startAlone, useFreshStores } from './helpers';

useFreshStores();

const compressed = (sha: string): CompressedPhoto => ({
  blob: new Blob(['jpeg bytes'], { type: 'image/jpeg' }),
  thumb: new Blob(['thumb'], { type: 'image/jpeg' }),
  sha256: sha.repeat(64),
  mime: 'image/jpeg',
  size: 10,
  width: 1600,
  height: 1200,
});

describe('photos store', () => {
  it('stores a photo once by its SHA-256, for upload later, and returns the reference a visit keeps', async () => {
    await startAlone();
    const photos = usePhotosStore();
    const compress = vi.fn(async () => compressed('a'));
    photos.setCompressor(compress);
    const ref = await photos.add(new Blob(['raw camera bytes']), 'h1');
    await photos.add(new Blob(['raw camera bytes']), 'h1');
    expect(ref).toEqual({ sha256: 'a'.repeat(64), mime: 'image/jpeg', size: 10, width: 1600, height: 1200 });
    expect(compress).toHaveBeenCalledTimes(2);
    const rows = await localRecords().db.blobs.toArray();
    expect(rows.map((r) => [r.sha256, r.uploaded, r.householdId])).toEqual([['a'.repeat(64), 0, 'h1']]);
    expect(await photos.url('b'.repeat(64))).toBeUndefined();
  });
});

describe('photo sizing', () => {
  it('fits the long edge within the limit and never enlarges', () => {
    expect(fitWithin(4000, 3000, 1600)).toEqual({ width: 1600, height: 1200 });
    expect(fitWithin(3000, 4000, 1600)).toEqual({ width: 1200, height: 1600 });
    expect(fitWithin(800, 600, 1600)).toEqual({ width: 800, height: 600 });
    expect(fitWithin(10000, 1, 1600)).toEqual({ width: 1600, height: 1 });
  });
});
