import { defineStore } from 'pinia';
import { localRecords } from '@/db/instance';
import { getBlob, putBlob } from '@/db/blobs';
import type { PhotoRef } from '@/domain/attachment';
import type { CompressedPhoto } from '@/workers/compress-photo';

type Compressor = (file: Blob) => Promise<CompressedPhoto>;

/**
 * Photos: compressed off the main thread, stored by SHA-256 in IndexedDB the moment they
 * are taken (so a draft that refers to them survives a crash), shown through object URLs.
 */
export const usePhotosStore = defineStore('photos', () => {
  const urls = new Map<string, string>();
  let compressor: Compressor | undefined;

  /** Replace the worker (unit tests: happy-dom has no OffscreenCanvas). */
  function setCompressor(c: Compressor | undefined): void {
    compressor = c;
  }

  async function compress(file: Blob): Promise<CompressedPhoto> {
    if (!compressor) compressor = (await import('@/workers/photo-client')).compressInWorker;
    return compressor(file);
  }

  /** Compress and store a photo for a household; resolves with the reference a visit keeps. */
  async function add(file: Blob, householdId: string): Promise<PhotoRef> {
    const p = await compress(file);
    await putBlob(localRecords().db, { sha256: p.sha256, mime: p.mime, size: p.size, blob: p.blob, thumb: p.thumb, householdId });
    return { sha256: p.sha256, mime: p.mime, size: p.size, width: p.width, height: p.height };
  }

  /**
   * An object URL for a photo (its thumbnail by default). A photo another device took is
   * fetched from the relay when first shown, checked against its SHA-256 and kept here;
   * undefined when it is not on this device and the relay cannot be reached.
   */
  async function url(sha256: string, size: 'thumb' | 'full' = 'thumb'): Promise<string | undefined> {
    const key = `${size}:${sha256}`;
    const cached = urls.get(key);
    if (cached) return cached;
    const stored = await getBlob(localRecords().db, sha256);
    let blob = size === 'thumb' ? (stored?.thumb ?? stored?.blob) : stored?.blob;
    if (!blob) blob = await fetchFromRelay(sha256);
    if (!blob) return undefined;
    const u = URL.createObjectURL(blob);
    urls.set(key, u);
    return u;
  }

  async function fetchFromRelay(sha256: string): Promise<Blob | undefined> {
    try {
      const { getPhoto } = await import('@/sync/instance');
      return await getPhoto(sha256);
    } catch {
      // Offline, not joined, or not allowed: the thumbnail shows its placeholder.
      return undefined;
    }
  }

  return { setCompressor, add, url };
});
