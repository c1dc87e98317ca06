import type { CompressedPhoto } from './compress-photo';
import type { PhotoJobResult } from './photo.worker';

/** A photo the camera or gallery gave us that cannot be read as an image. */
export class PhotoError extends Error {
  readonly code = 'photo_unreadable';
  readonly messageKey = 'errors.photoUnreadable';
}

let worker: Worker | undefined;
let nextId = 1;
const waiting = new Map<number, { resolve: (p: CompressedPhoto) => void; reject: (e: Error) => void }>();

function getWorker(): Worker {
  if (!worker) {
    worker = new Worker(new URL('./photo.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (e: MessageEvent<PhotoJobResult>) => {
      const job = waiting.get(e.data.id);
      waiting.delete(e.data.id);
      if (!job) return;
      if (e.data.ok) job.resolve(e.data.photo);
      else job.reject(new PhotoError(e.data.error));
    };
  }
  return worker;
}

/** Compress a photo off the main thread (see compress-photo.ts). */
export function compressInWorker(file: Blob): Promise<CompressedPhoto> {
  return new Promise((resolve, reject) => {
    const id = nextId++;
    waiting.set(id, { resolve, reject });
    getWorker().postMessage({ id, file });
  });
}
