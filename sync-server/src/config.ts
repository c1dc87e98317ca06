import path from 'node:path';
import { MAX_PHOTO_BYTES } from '#domain/attachment';

/** Everything the relay can be told from outside. Every field has an env var (see docs/relay.md). */
export interface RelayConfig {
  /** `HOST`, default 127.0.0.1 */
  host: string;
  /** `PORT`, default 8080; 0 picks a free port */
  port: number;
  /** `DATA_DIR`, default ./data: SQLite database, token secret, photos */
  dataDir: string;
  /** `STATIC_DIR`, default ./dist: the built PWA */
  staticDir: string;
  /** `LOG_LEVEL`, default info (pino levels; `silent` for none) */
  logLevel: string;
  /** `TOKEN_TTL_DAYS`, default 30: lifetime of a device token */
  tokenTtlDays: number;
  /** `TOKEN_REFRESH_GRACE_DAYS`, default 365: an expired token may still be swapped this long after it expired (a phone that spent months without signal) */
  tokenRefreshGraceDays: number;
  /** `INVITE_TTL_DAYS`, default 14 */
  inviteTtlDays: number;
  /** `UNLINK_GRACE_DAYS`, default 30: a member may still write to a household this long after it was unlinked from them */
  unlinkGraceDays: number;
  /** `CLOSED_REQUEST_ACCESS_DAYS`, default 30: the owner of a request reaches its household (not linked to them) this long after the request was closed (ADR 0024) */
  closedRequestAccessDays: number;
  /** `CORS_ORIGINS`: comma-separated origins allowed to call /api and /files (e.g. the Vite dev server); empty = same origin only */
  corsOrigins: string[];
  /**
   * `TRUST_PROXY`: comma-separated addresses or CIDR ranges of reverse proxies (`loopback`
   * for 127.0.0.0/8 and ::1) whose `X-Forwarded-For` / `Forwarded` names the client;
   * empty = the TCP peer is the client. Behind nginx without it, every phone has nginx's address.
   */
  trustProxy: string[];
  /** `DATABASE_URL`: a postgres:// URL for several relays on one PostgreSQL database; unset = the SQLite file in DATA_DIR */
  databaseUrl?: string;
  /** `REDIS_URL`: a redis:// URL; with it, relays share live updates, revocations and change hints through Redis */
  redisUrl?: string;
  /**
   * `WS_COMPRESSION`, default `on`: permessage-deflate on `/sync`. `off` saves a returning
   * phone's share of relay CPU and memory (about a third: phones compress every frame they
   * send, and the relay inflates each one, ADR 0017) but a member's day then costs about five
   * times the bytes up (8.6 → 43 KB in the field bench): on the thin links this app is for,
   * the phone's bytes come first. For relays on a LAN or short of CPU.
   */
  wsCompression: boolean;
  /** `REDIS_PREFIX`, default `lianhu:`: prefix of every Redis key and channel (one Redis for several installs or test runs) */
  redisPrefix: string;
  limits: RelayLimits;
}

export interface RelayLimits {
  /** `MAX_MESSAGE_BYTES`, default 2 MiB: a WebSocket frame above this closes the socket with 4413 */
  maxMessageBytes: number;
  /** `MAX_UPLOAD_BYTES`, default the domain's photo limit (4 MiB) */
  maxUploadBytes: number;
  /** `MAX_CARRIED_BYTES`, default 32 MiB: a carried file delivered by `POST /api/carried` (ADR 0023) above this is 413 `carried_too_large` */
  maxCarriedBytes: number;
  /** `CARRIED_MAX_AGE_DAYS`, default 90: a carried file exported longer ago is 410 `signature_expired` */
  carriedMaxAgeDays: number;
  /** `UPLOAD_EXPIRY_HOURS`, default 24: an unfinished photo upload is deleted this long after it began */
  uploadExpiryHours: number;
  /** `MAX_UNFINISHED_UPLOADS_PER_DEVICE`, default 20 (429 `upload_quota` past it) */
  maxUnfinishedUploadsPerDevice: number;
  /** `MAX_UNFINISHED_UPLOAD_BYTES_PER_DEVICE`, default 64 MiB of declared upload lengths (429 `upload_quota`) */
  maxUnfinishedUploadBytesPerDevice: number;
  /** `MAX_UNFINISHED_UPLOAD_BYTES`, default 2 GiB for all devices together (507 `insufficient_storage`) */
  maxUnfinishedUploadBytes: number;
  /** `MAX_DOCS_PER_CONNECTION`, default 1000 documents attached to one socket */
  maxDocsPerConnection: number;
  /** `MAX_PENDING_AUTH`, default 100 documents waiting for authentication on one socket */
  maxPendingAuth: number;
  /** `AUTH_TIMEOUT_MS`, default 10 s: a socket must authenticate a document within this */
  authTimeoutMs: number;
  /** `MAX_PRE_AUTH_BYTES`, default 256 KiB a socket may send before any document is authenticated */
  maxPreAuthBytes: number;
  /** `MAX_PENDING_BYTES`, default 4 MiB held for documents still authenticating on one socket */
  maxPendingBytes: number;
  /** `MSG_RATE`/`MSG_BURST`, default 500/s, burst 5000: WebSocket frames per device */
  messagesPerSecond: number;
  messageBurst: number;
  /** `CONN_PER_MINUTE`/`CONN_BURST`, default 30/min, burst 30: new sockets per device */
  connectionsPerMinute: number;
  connectionBurst: number;
  /** `MAX_SOCKETS_PER_DEVICE`, default 4 open sockets */
  maxSocketsPerDevice: number;
  /**
   * `MAX_UNAUTHENTICATED_PER_IP`, default 200 sockets from one address that have not
   * authenticated yet. The one limit by address: before a token there is no device to
   * count against, and an honest socket authenticates within milliseconds. Past it the
   * address's oldest unauthenticated socket is closed (4429 `too-many-unauthenticated`).
   */
  maxUnauthenticatedPerIp: number;
  /** `MAX_UNAUTHENTICATED`, default 1000 sockets without a token from all addresses together */
  maxUnauthenticated: number;
  /**
   * `AUTH_TIMEOUT_UNDER_PRESSURE_MS`, default 2 s: the deadline for a new socket from an
   * address already holding half its unauthenticated sockets. A full address has its
   * oldest unauthenticated socket closed for the new one, so a flood cannot shut out a
   * phone that shows its token at once.
   */
  authTimeoutUnderPressureMs: number;
  /** `HTTP_RATE`/`HTTP_BURST`, default 20/s, burst 200: API requests per device */
  httpPerSecond: number;
  httpBurst: number;
  /** `REDEEM_FAILURES_PER_MINUTE`, default 20 wrong invite codes per IP (codes cannot be guessed; this keeps the log quiet) */
  redeemFailuresPerMinute: number;
  /** `MAX_DOC_BYTES`, default 4 MiB: a document may not grow past this (4413 `document-too-large`); five years of visits take about 84 KB */
  maxDocBytes: number;
  /** `MAX_RECORDS_PER_MAP`, default 10,000 records of one type in a household (visits, requests…) or members of a team; a team's links, assignments, ended links and merges get ten times this (4413 `too-many-keys`) */
  maxRecordsPerMap: number;
  /** `MAX_ROOT_TYPES`, default 32 root types in one document (the schema uses ten) */
  maxRootTypes: number;
  /** `DEVICE_CPU_MS_PER_S`/`DEVICE_CPU_BURST_MS`, default 300 ms/s, burst 5,000 ms: relay time a device may use; past it the device's sockets are read more slowly */
  deviceCpuMsPerSecond: number;
  deviceCpuBurstMs: number;
}

/** A count, size or duration: a whole number of at least 0 (no `1.5`, `1e3` or `0x10`). */
function int(env: NodeJS.ProcessEnv, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n > max) throw new Error(`${name} must be a whole number from 0 to ${max}, got ${raw}`);
  return n;
}

/** Hours, where a fraction makes sense (an expiry of seconds in a test): digits with an optional decimal part. */
function hours(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isFinite(n)) throw new Error(`${name} must be a number of hours of at least 0 (e.g. 24 or 0.5), got ${raw}`);
  return n;
}

function onOff(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const v = env[name]?.trim().toLowerCase();
  if (v === undefined || v === '') return fallback;
  if (v === 'on' || v === '1' || v === 'true') return true;
  if (v === 'off' || v === '0' || v === 'false') return false;
  throw new Error(`${name} must be on or off, not ${JSON.stringify(env[name])}`);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): RelayConfig {
  return {
    host: env.HOST || '127.0.0.1',
    port: int(env, 'PORT', 8080, 65_535),
    dataDir: path.resolve(env.DATA_DIR || 'data'),
    staticDir: path.resolve(env.STATIC_DIR || 'dist'),
    logLevel: env.LOG_LEVEL || 'info',
    tokenTtlDays: int(env, 'TOKEN_TTL_DAYS', 30),
    tokenRefreshGraceDays: int(env, 'TOKEN_REFRESH_GRACE_DAYS', 365),
    inviteTtlDays: int(env, 'INVITE_TTL_DAYS', 14),
    unlinkGraceDays: int(env, 'UNLINK_GRACE_DAYS', 30),
    closedRequestAccessDays: int(env, 'CLOSED_REQUEST_ACCESS_DAYS', 30),
    corsOrigins: (env.CORS_ORIGINS || '').split(',').map((s) => s.trim()).filter(Boolean),
    trustProxy: (env.TRUST_PROXY || '').split(',').map((s) => s.trim()).filter(Boolean),
    ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
    ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}),
    redisPrefix: env.REDIS_PREFIX || 'lianhu:',
    wsCompression: onOff(env, 'WS_COMPRESSION', true),
    limits: {
      maxMessageBytes: int(env, 'MAX_MESSAGE_BYTES', 2 * 1024 * 1024),
      maxUploadBytes: int(env, 'MAX_UPLOAD_BYTES', MAX_PHOTO_BYTES),
      maxCarriedBytes: int(env, 'MAX_CARRIED_BYTES', 32 * 1024 * 1024),
      carriedMaxAgeDays: int(env, 'CARRIED_MAX_AGE_DAYS', 90),
      uploadExpiryHours: hours(env, 'UPLOAD_EXPIRY_HOURS', 24),
      maxUnfinishedUploadsPerDevice: int(env, 'MAX_UNFINISHED_UPLOADS_PER_DEVICE', 20),
      maxUnfinishedUploadBytesPerDevice: int(env, 'MAX_UNFINISHED_UPLOAD_BYTES_PER_DEVICE', 64 * 1024 * 1024),
      maxUnfinishedUploadBytes: int(env, 'MAX_UNFINISHED_UPLOAD_BYTES', 2 * 1024 * 1024 * 1024),
      maxDocsPerConnection: int(env, 'MAX_DOCS_PER_CONNECTION', 1000),
      maxPendingAuth: int(env, 'MAX_PENDING_AUTH', 100),
      authTimeoutMs: int(env, 'AUTH_TIMEOUT_MS', 10_000),
      maxPreAuthBytes: int(env, 'MAX_PRE_AUTH_BYTES', 256 * 1024),
      maxPendingBytes: int(env, 'MAX_PENDING_BYTES', 4 * 1024 * 1024),
      messagesPerSecond: int(env, 'MSG_RATE', 500),
      messageBurst: int(env, 'MSG_BURST', 5000),
      connectionsPerMinute: int(env, 'CONN_PER_MINUTE', 30),
      connectionBurst: int(env, 'CONN_BURST', 30),
      maxSocketsPerDevice: int(env, 'MAX_SOCKETS_PER_DEVICE', 4),
      maxUnauthenticatedPerIp: int(env, 'MAX_UNAUTHENTICATED_PER_IP', 200),
      maxUnauthenticated: int(env, 'MAX_UNAUTHENTICATED', 1000),
      authTimeoutUnderPressureMs: int(env, 'AUTH_TIMEOUT_UNDER_PRESSURE_MS', 2000),
      httpPerSecond: int(env, 'HTTP_RATE', 20),
      httpBurst: int(env, 'HTTP_BURST', 200),
      redeemFailuresPerMinute: int(env, 'REDEEM_FAILURES_PER_MINUTE', 20),
      maxDocBytes: int(env, 'MAX_DOC_BYTES', 4 * 1024 * 1024),
      maxRecordsPerMap: int(env, 'MAX_RECORDS_PER_MAP', 10_000),
      maxRootTypes: int(env, 'MAX_ROOT_TYPES', 32),
      deviceCpuMsPerSecond: int(env, 'DEVICE_CPU_MS_PER_S', 300),
      deviceCpuBurstMs: int(env, 'DEVICE_CPU_BURST_MS', 5000),
    },
  };
}

/** The config tests start from: port 0, quiet, the given data dir. */
export function testConfig(dataDir: string, overrides: Partial<Omit<RelayConfig, 'limits'>> & { limits?: Partial<RelayLimits> } = {}): RelayConfig {
  const base = loadConfig({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', STATIC_DIR: path.join(dataDir, 'no-dist') });
  return { ...base, ...overrides, limits: { ...base.limits, ...overrides.limits } };
}
