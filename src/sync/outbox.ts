import type * as tus from 'tus-js-client';
import type { LianhuDb, StoredBlob } from '@/db/database';

/** Where the relay takes photo uploads (tus 1.0). */
export const UPLOAD_PATH = '/files/uploads';
const URL_PREFIX = 'sync.tus:';

export interface OutboxOptions {
  /** HTTP base of the relay */
  base: string;
  token: () => string;
  /** bytes per PATCH: what an interruption can cost at most */
  chunkSize?: number;
  /** tus's own retries within one upload; the engine retries the outbox later with backoff */
  retryDelays?: number[];
  /** test hook: called after each chunk the relay accepted */
  onChunk?: (sha256: string, accepted: number, total: number) => void;
}

export interface OutboxResult {
  uploaded: string[];
  failed: { sha256: string; error: string; permanent: boolean }[];
}

/**
 * The photo outbox: every stored photo with `uploaded = 0` goes up with tus, in chunks.
 * Each upload's URL is kept in Dexie settings (tus "url storage"), keyed by a fingerprint of
 * the photo's hash and the relay, so after a reload or a lost connection the upload asks
 * the relay how far it got and continues from there. A photo is marked uploaded only when
 * the relay has verified its size and SHA-256.
 */
export class PhotoOutbox {
  private current: { upload: tus.Upload; reject: (err: Error) => void } | undefined;
  private stopped = false;

  constructor(
    private readonly db: LianhuDb,
    private readonly opts: OutboxOptions,
  ) {}

  pending(): Promise<StoredBlob[]> {
    return this.db.blobs.where('uploaded').equals(0).toArray();
  }

  /** Upload everything pending, one photo at a time. */
  async run(): Promise<OutboxResult> {
    this.stopped = false;
    const result: OutboxResult = { uploaded: [], failed: [] };
    for (const blob of await this.pending()) {
      if (this.stopped) break;
      if (!blob.householdId) {
        // The relay authorises an upload by the household it belongs to; without one it cannot go up.
        result.failed.push({ sha256: blob.sha256, error: 'no household', permanent: true });
        continue;
      }
      try {
        await this.upload(blob);
        await this.db.blobs.update(blob.sha256, { uploaded: 1 });
        result.uploaded.push(blob.sha256);
      } catch (err) {
        const status = (err as { originalResponse?: { getStatus(): number } | null }).originalResponse?.getStatus();
        // 4xx but 408/429: the relay refused this photo (forbidden, hash or size mismatch, too large).
        const permanent = status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429;
        // Bytes the relay says are no image never will be: stop sending them (they stay here, and so does the visit).
        if (status === 415) await this.db.blobs.update(blob.sha256, { uploaded: 2 });
        result.failed.push({ sha256: blob.sha256, error: err instanceof Error ? err.message : String(err), permanent });
        if (!permanent) break; // the link is down: the rest would fail the same way
      }
    }
    return result;
  }

  /** Stop the current upload; its progress stays resumable. */
  async stop(): Promise<void> {
    this.stopped = true;
    const current = this.current;
    if (!current) return;
    // tus calls neither onSuccess nor onError after abort: settle the upload here.
    await current.upload.abort(false);
    current.reject(new Error('stopped'));
  }

  private async upload(blob: StoredBlob): Promise<void> {
    const { base, token, chunkSize = 256 * 1024, retryDelays = [0, 1000, 3000, 5000] } = this.opts;
    const endpoint = `${base}${UPLOAD_PATH}`;
    // The tus client is fetched when a photo first goes up (a connection is there then), not
    // precached: uploading is the only thing it does (ADR 0006).
    const { Upload } = await import('tus-js-client');
    return new Promise<void>((resolve, reject) => {
      const upload = new Upload(blob.blob, {
        endpoint,
        metadata: { sha256: blob.sha256, mime: blob.mime, householdId: blob.householdId ?? '' },
        uploadSize: blob.size,
        chunkSize,
        retryDelays,
        fileReader: blobReader,
        urlStorage: new DexieUrlStorage(this.db),
        fingerprint: () => Promise.resolve(`lianhu:${blob.sha256}@${endpoint}`),
        storeFingerprintForResuming: true,
        removeFingerprintOnSuccess: true,
        onBeforeRequest: (req) => {
          req.setHeader('Authorization', `Bearer ${token()}`);
        },
        onChunkComplete: (_size, accepted, total) => this.opts.onChunk?.(blob.sha256, accepted, total),
        onSuccess: () => {
          this.current = undefined;
          resolve();
        },
        onError: (err) => {
          this.current = undefined;
          reject(err);
        },
      });
      this.current = { upload, reject };
      void upload
        .findPreviousUploads()
        .then((previous) => {
          if (previous[0]) upload.resumeFromPreviousUpload(previous[0]);
          if (this.stopped) reject(new Error('stopped'));
          else upload.start();
        })
        .catch(reject);
    });
  }
}

/**
 * Reads a Blob in chunks as bytes: tus's Node reader takes only Buffers and streams, and the
 * HTTP stacks of both the browser (XHR) and Node send a Uint8Array. `size` is what tus
 * counts the chunk by.
 */
const blobReader: tus.FileReader = {
  openFile(input: unknown) {
    const blob = input as Blob;
    return Promise.resolve({
      size: blob.size,
      async slice(start: number, end: number) {
        const value = new Uint8Array(await blob.slice(start, end).arrayBuffer()) as Uint8Array & { size: number };
        value.size = value.length;
        return { value, done: end >= blob.size };
      },
      close() {},
    });
  },
};

interface StoredUpload {
  fingerprint: string;
  upload: Omit<tus.PreviousUpload, 'urlStorageKey'>;
}

/** tus's URL storage in Dexie `settings` (localStorage is not there in tests, and is per origin anyway). */
export class DexieUrlStorage implements tus.UrlStorage {
  constructor(private readonly db: LianhuDb) {}

  async findAllUploads(): Promise<tus.PreviousUpload[]> {
    return this.find(() => true);
  }

  async findUploadsByFingerprint(fingerprint: string): Promise<tus.PreviousUpload[]> {
    return this.find((s) => s.fingerprint === fingerprint);
  }

  async removeUpload(urlStorageKey: string): Promise<void> {
    await this.db.settings.delete(urlStorageKey);
  }

  async addUpload(fingerprint: string, upload: tus.PreviousUpload): Promise<string> {
    const key = `${URL_PREFIX}${fingerprint}:${Date.now()}${Math.random().toString(36).slice(2, 6)}`;
    const { urlStorageKey: _ignored, ...rest } = upload;
    await this.db.settings.put({ key, value: { fingerprint, upload: rest } satisfies StoredUpload });
    return key;
  }

  private async find(match: (s: StoredUpload) => boolean): Promise<tus.PreviousUpload[]> {
    const rows = await this.db.settings.where('key').startsWith(URL_PREFIX).toArray();
    return rows
      .filter((r) => match(r.value as StoredUpload))
      .map((r) => ({ ...(r.value as StoredUpload).upload, urlStorageKey: r.key }))
      .sort((a, b) => (a.creationTime < b.creationTime ? 1 : -1));
  }
}
