import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { FileStore } from '@tus/file-store';
import { EVENTS, Server, type Upload } from '@tus/server';
import { householdDocName } from '#docs/schema';
import { PHOTO_MIME_TYPES } from '#domain/attachment';
import type { AccessControl } from '../auth/access';
import { ID_SEGMENT } from '../auth/registry';
import type { DeviceClaims } from '../auth/tokens';
import { RelayError } from '../errors';
import type { Logger } from '../logger';
import { SHA256_RE, type BlobStore } from './blob-store';
import { UploadQuota, type UploadQuotaLimits } from './upload-quota';

/** The tus server and the upkeep of what unfinished uploads hold. */
export interface PhotoUploads {
  server: Server;
  /** settles once the quota has counted the uploads already on disk */
  ready: Promise<void>;
  /** delete expired unfinished uploads and count again; resolves with how many went */
  sweep(): Promise<number>;
}

export const UPLOAD_PATH = '/files/uploads';

const tusError = (e: RelayError) => ({ status_code: e.status, body: JSON.stringify({ error: { code: e.code, message: e.message } }) });

/**
 * Resumable photo uploads (tus 1.0) into `DATA_DIR/uploads`; a finished upload is hashed and
 * moved into the blob store only if its SHA-256 and size are what its metadata declared.
 * Metadata: `sha256`, `mime`, `householdId`; the uploader must be allowed to write that
 * household. The router authenticates each request and passes the caller in `callers`.
 */
export function createTusServer(a: {
  dataDir: string;
  maxUploadBytes: number;
  blobs: BlobStore;
  access: AccessControl;
  log: Logger;
  callers: WeakMap<IncomingMessage, DeviceClaims>;
  /** origins allowed to upload cross-origin (`CORS_ORIGINS`); none = same origin only */
  corsOrigins: string[];
  /** `UPLOAD_EXPIRY_HOURS`: an unfinished upload is deleted this long after it was created */
  expiryMs: number;
  quota: UploadQuotaLimits;
}): PhotoUploads {
  const { blobs, access, log, callers } = a;
  const quota = new UploadQuota(a.quota);
  const directory = path.join(a.dataDir, 'uploads');
  const caller = (req: unknown): DeviceClaims => {
    const r = req as { node?: { req?: IncomingMessage }; runtime?: { node?: { req?: IncomingMessage } } };
    const nodeReq = r.runtime?.node?.req ?? r.node?.req;
    const c = nodeReq && callers.get(nodeReq);
    if (!c) throw tusError(new RelayError(401, 'token_invalid', 'not authenticated'));
    return c;
  };
  const datastore = new FileStore({ directory, expirationPeriodInMilliseconds: a.expiryMs });
  /** Count again what the store holds (after a start, after a sweep). */
  const recount = async () => {
    const ids = (await datastore.configstore.list?.()) ?? [];
    const held: [string, string, number][] = [];
    for (const id of ids) {
      const u = await datastore.configstore.get(id).catch(() => undefined);
      if (u && u.size !== undefined && u.offset !== u.size) held.push([id, u.metadata?.deviceId ?? 'unknown', u.size]);
    }
    quota.reset(held);
  };
  const server = new Server({
    path: UPLOAD_PATH,
    datastore,
    maxSize: a.maxUploadBytes,
    relativeLocation: true,
    // Without this tus answers every origin with `Access-Control-Allow-Origin: *`.
    allowedOrigins: (origin: string) => a.corsOrigins.includes(origin),
    namingFunction: () => crypto.randomBytes(16).toString('hex'),
    async onUploadCreate(req, upload: Upload) {
      const claims = caller(req);
      const m = upload.metadata ?? {};
      const sha256 = m.sha256 ?? '';
      const mime = m.mime ?? '';
      const householdId = m.householdId ?? '';
      if (!SHA256_RE.test(sha256)) throw tusError(new RelayError(400, 'upload_metadata_invalid', 'metadata sha256 must be 64 lowercase hex digits'));
      if (!(PHOTO_MIME_TYPES as readonly string[]).includes(mime)) throw tusError(new RelayError(400, 'upload_metadata_invalid', `metadata mime must be one of ${PHOTO_MIME_TYPES.join(', ')}`));
      if (!ID_SEGMENT.test(householdId)) throw tusError(new RelayError(400, 'upload_metadata_invalid', 'metadata householdId is missing or malformed'));
      if (upload.size === undefined || upload.size < 1) throw tusError(new RelayError(400, 'upload_length_required', 'declare Upload-Length (deferred length is not accepted)'));
      const d = await access.decide(claims, householdDocName(claims.teamId, householdId));
      if (!d.ok || d.readOnly) throw tusError(new RelayError(403, 'forbidden', 'this device may not write that household'));
      try {
        quota.reserve(upload.id, claims.deviceId, upload.size);
      } catch (e) {
        if (!(e instanceof RelayError)) throw e;
        log.warn({ device: claims.deviceId, code: e.code, detail: e.message }, 'upload refused: quota');
        throw tusError(e);
      }
      return { metadata: { sha256, mime, householdId, deviceId: claims.deviceId, teamId: claims.teamId } };
    },
    async onUploadFinish(req, upload: Upload) {
      const claims = caller(req);
      const m = upload.metadata ?? {};
      const file = path.join(directory, upload.id);
      try {
        const stored = await blobs.adopt(file, { sha256: m.sha256 ?? '', size: upload.size ?? -1, mime: m.mime ?? '' });
        if (stored !== m.mime) log.warn({ device: claims.deviceId, sha256: m.sha256, declared: m.mime, sniffed: stored }, 'upload is not the image type it declared; stored as what its bytes are');
      } catch (e) {
        if (e instanceof RelayError) {
          log.warn({ device: claims.deviceId, upload: upload.id, code: e.code, detail: e.message }, 'upload refused');
          throw tusError(e);
        }
        throw e;
      } finally {
        // the bytes were moved into the blob store or deleted: the upload is over either way
        await datastore.configstore.delete(upload.id).catch(() => undefined);
        quota.release(upload.id);
      }
      await blobs.addRef(m.sha256!, claims, m.householdId!);
      log.info({ device: claims.deviceId, sha256: m.sha256, bytes: upload.size, household: m.householdId }, 'photo stored');
      return {};
    },
  });
  server.on(EVENTS.POST_TERMINATE, (_req, _res, id: string) => quota.release(id));
  const ready = recount().catch((e: unknown) => log.warn({ err: String(e) }, 'could not count unfinished uploads'));
  return {
    server,
    ready,
    async sweep() {
      const n = await server.cleanUpExpiredUploads();
      await recount();
      return n;
    },
  };
}
