import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hocuspocus } from '@hocuspocus/server';
import { WebSocketServer, type WebSocket } from 'ws';
import { AccessControl } from './auth/access';
import { Registry } from './auth/registry';
import { closeFor } from './auth/revocation';
import { loadSecret, TokenService, type DeviceClaims } from './auth/tokens';
import { BlobStore } from './blobs/blob-store';
import { createTusServer } from './blobs/tus';
import { catchUpExtension, openCluster } from './cluster/cluster';
import type { RelayConfig } from './config';
import { CLOSE } from './errors';
import { clientAddress, TrustedProxies } from './http/client-address';
import { createRouter } from './http/router';
import { StaticFiles } from './http/static';
import { DocLimits, mapKeyLimits } from './limits/doc-limits';
import { DocWriter } from './sync/doc-writer';
import { BucketMap } from './limits/token-bucket';
import { createLogger, type Logger } from './logger';
import type { Services } from './services';
import { ChangeFeed } from './storage/change-feed';
import { openDatabase } from './storage/db';
import { DocStore } from './storage/doc-store';
import { RelayWrites } from './storage/relay-writes';
import { DeviceSessions } from './sync/device-sessions';
import { relayExtension, type RelayContext } from './sync/relay-extension';
import { inlineCompression, RELAY_DEFLATE } from './sync/socket-compression';
import { SocketSession } from './sync/socket-session';
import { TeamDocs } from './sync/team-docs';

export const SYNC_PATH = '/sync';
/** Fold a doc's update log into its snapshot once it holds this many updates… */
const COMPACT_AFTER_UPDATES = 200;
/** …or when it unloads holding this many: compacting costs an fsync, replaying a few updates costs less. */
const COMPACT_ON_UNLOAD_AFTER = 16;
/** How often the relay looks for devices revoked from the admin CLI (another process). */
const REVOCATION_POLL_MS = 1000;

export interface Relay {
  /** http://host:port */
  url: string;
  port: number;
  services: Services;
  /** Close every socket, unload documents, close the database. */
  close(): Promise<void>;
}

/** Start the relay: one HTTP server for the PWA, the API, photos and the WebSocket. */
export async function startRelay(config: RelayConfig, log: Logger = createLogger(config.logLevel)): Promise<Relay> {
  const db = await openDatabase(config.dataDir, config.databaseUrl);
  const store = new DocStore(db, log);
  const relayWrites = new RelayWrites();
  const access = new AccessControl(
    db,
    store,
    config.unlinkGraceDays * 86400_000,
    (e, teamId) => log.error({ team: teamId, err: String(e) }, 'access rows not updated from the team doc'),
    config.closedRequestAccessDays * 86400_000,
  );
  const registry = new Registry(db, store);
  const tokens = new TokenService(loadSecret(config.dataDir), config.tokenTtlDays, config.tokenRefreshGraceDays);
  const sessions = new DeviceSessions(config.limits, log);
  const cluster = openCluster(config.redisUrl, config.redisPrefix, log);
  // With REDIS_URL the Redis extension shares live updates between relays; ours goes first (below).
  const hocuspocus = new Hocuspocus({ name: 'lianhu-relay', quiet: true, extensions: cluster.extension ? [cluster.extension] : [] });
  const teamDocs = new TeamDocs(hocuspocus, registry);
  const limits = new DocLimits({ maxDocBytes: config.limits.maxDocBytes, maxRootTypes: config.limits.maxRootTypes, ...mapKeyLimits(config.limits.maxRecordsPerMap) });
  const writer = new DocWriter({ store, access, limits, log, writable: () => cluster.ready });
  hocuspocus.configuration.extensions.unshift(
    relayExtension({ store, access, registry, tokens, teamDocs, relayWrites, log, limits, writable: () => cluster.ready, sessions, writer, compactAfterUpdates: COMPACT_AFTER_UPDATES, compactOnUnloadAfter: COMPACT_ON_UNLOAD_AFTER }),
  );
  const blobs = new BlobStore(config.dataDir, db, access);
  const services: Services = {
    config,
    log,
    db,
    store,
    relayWrites,
    feed: new ChangeFeed(db, store),
    access,
    registry,
    tokens,
    teamDocs,
    sessions,
    blobs,
    hocuspocus,
    writer,
    cluster,
    httpBuckets: new BucketMap(config.limits.httpPerSecond, config.limits.httpBurst),
    redeemFailures: new BucketMap(config.limits.redeemFailuresPerMinute / 60, config.limits.redeemFailuresPerMinute),
    startedAt: Date.now(),
  };

  const tusCallers = new WeakMap<http.IncomingMessage, DeviceClaims>();
  const L = config.limits;
  const uploadExpiryMs = L.uploadExpiryHours * 3600_000;
  const uploads = createTusServer({
    dataDir: config.dataDir,
    maxUploadBytes: L.maxUploadBytes,
    blobs,
    access,
    log,
    callers: tusCallers,
    corsOrigins: config.corsOrigins,
    expiryMs: uploadExpiryMs,
    quota: { perDeviceCount: L.maxUnfinishedUploadsPerDevice, perDeviceBytes: L.maxUnfinishedUploadBytesPerDevice, totalBytes: L.maxUnfinishedUploadBytes },
  });
  await uploads.ready;
  const tus = uploads.server;
  const server = http.createServer(createRouter(services, tus, tusCallers, new StaticFiles(config.staticDir)));
  // Outlive the clients' idle timeout, so a client never reuses a connection the relay is
  // just closing (Node's default of 5 s races fetch's own keep-alive).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  const trustedProxies = new TrustedProxies(config.trustProxy);
  const wss = new WebSocketServer({
    noServer: true,
    // A hard ceiling for ws itself (it answers 1009 above it); frames between the limit and
    // this get our own 4413 with a reason.
    maxPayload: config.limits.maxMessageBytes * 2,
    // permessage-deflate unless WS_COMPRESSION=off (config.ts says why; the settings and
    // why in socket-compression.ts).
    perMessageDeflate: config.wsCompression ? RELAY_DEFLATE : false,
  });
  server.on('upgrade', (req, socket, head) => {
    const pathname = new URL(req.url ?? '/', 'http://relay.invalid').pathname;
    if (pathname !== SYNC_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws, req));
  });

  let warnedCompression = false;
  function accept(ws: WebSocket, req: http.IncomingMessage): void {
    ws.on('error', (e) => log.debug({ err: e.message }, 'socket error'));
    // One synchronous zlib call per compressed message instead of ws' zlib streams (ADR 0025).
    if (ws.extensions.includes('permessage-deflate') && !inlineCompression(ws) && !warnedCompression) {
      warnedCompression = true;
      log.warn('ws internals changed: permessage-deflate goes through its zlib streams (correct, more relay CPU and memory per socket)');
    }
    const session = new SocketSession(ws, req.socket, clientAddress(req, trustedProxies), config.limits, sessions, log);
    // Every frame passes the session's gate before Hocuspocus' own 'message' listener sees
    // it; Hocuspocus re-emits frames it queued during authentication, which pass unchanged.
    const emit = ws.emit.bind(ws);
    ws.emit = ((event: string | symbol, ...args: unknown[]) => {
      if (event === 'message' && !session.admit(args[0], args[1] as boolean | undefined)) return false;
      return emit(event, ...args);
    }) as typeof ws.emit;
    const context: RelayContext = { session };
    hocuspocus.handleConnection(ws, req, context);
  }

  if (cluster.kind === 'redis') {
    // After the Redis extension has subscribed a loaded doc (array order; ours is first).
    const catchUp = catchUpExtension((name) => store.encodedState(name), log);
    hocuspocus.configuration.extensions.push(catchUp);
    cluster.onReconnected(() => {
      for (const [name, doc] of hocuspocus.documents) void catchUp.catchUp(name, doc);
    });
  }
  cluster.onEvent((e) => {
    if (e.type === 'device-revoked') sessions.closeDevice(e.deviceId, e.close === 'lost' ? CLOSE.deviceLost : e.close === 'replaced' ? CLOSE.deviceReplaced : CLOSE.deviceRevoked);
  });
  // Also for revocations by the admin CLI without Redis: every relay looks in the database.
  const poll = setInterval(() => {
    registry.revokedAmong(sessions.deviceIds()).then(
      (rows) =>
        rows.forEach(({ id, revocation }) => {
          // A replaced phone making its last upload keeps its socket (ADR 0029).
          const close = closeFor(revocation);
          if (close) sessions.closeDevice(id, close);
        }),
      (e: unknown) => log.warn({ err: String(e) }, 'could not look for revoked devices'),
    );
  }, REVOCATION_POLL_MS);
  poll.unref();
  // Unfinished uploads go away when they expire (the phone was lost, the photo deleted),
  // and their quota with them; swept a few times per expiry period, at least hourly.
  const sweep = setInterval(() => {
    uploads.sweep().then(
      (n) => n > 0 && log.info({ uploads: n }, 'removed expired uploads'),
      (e: unknown) => log.warn({ err: String(e) }, 'could not remove expired uploads'),
    );
  }, Math.max(1000, Math.min(3600_000, uploadExpiryMs / 4)));
  sweep.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  log.info({ url, port, dataDir: config.dataDir, database: db.where }, 'listening');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      clearInterval(poll);
      clearInterval(sweep);
      for (const ws of wss.clients) ws.close(CLOSE.shuttingDown.code, CLOSE.shuttingDown.reason);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await new Promise((r) => setTimeout(r, 100));
      for (const ws of wss.clients) ws.terminate();
      await teamDocs.closeAll();
      access.close();
      // Let Hocuspocus unload (and our hooks compact) every document before the database goes.
      const deadline = Date.now() + 3000;
      while (hocuspocus.getDocumentsCount() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      wss.close();
      await cluster.close();
      await db.close();
      log.info('closed');
    })());
  return { url, port, services, close };
}
