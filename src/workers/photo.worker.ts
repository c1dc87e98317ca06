/// <reference lib="webworker" />
import { compressPhoto } from './compress-photo';

export interface PhotoJob {
  id: number;
  file: Blob;
}

export type PhotoJobResult = { id: number; ok: true; photo: Awaited<ReturnType<typeof compressPhoto>> } | { id: number; ok: false; error: string };

self.onmessage = async (e: MessageEvent<PhotoJob>) => {
  const { id, file } = e.data;
  let reply: PhotoJobResult;
  try {
    reply = { id, ok: true, photo: await compressPhoto(file) };
  } catch (err) {
    reply = { id, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  (self as unknown as Worker).postMessage(reply);
};
