import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server as TusServer } from '@tus/server';
import type { DeviceClaims } from '../auth/tokens';
import { NOT_A_PHOTO, SHA256_RE } from '../blobs/blob-store';
import { UPLOAD_PATH } from '../blobs/tus';
import { checkHealth } from '../cluster/health';
import { RelayError } from '../errors';
import type { Services } from '../services';
import { handleApi } from './api';
import { clientAddress, TrustedProxies } from './client-address';
import { authenticate } from './authenticate';
import { sendError, sendJson } from './respond';
import type { StaticFiles } from './static';

/**
 * One HTTP handler for everything that is not the WebSocket: `/healthz`, `/api/*`,
 * `/files/*` (tus uploads and content-addressed downloads) and the PWA.
 */
export function createRouter(s: Services, tus: TusServer, tusCallers: WeakMap<IncomingMessage, DeviceClaims>, files: StaticFiles) {
  const trusted = new TrustedProxies(s.config.trustProxy);
  const cors = (req: IncomingMessage, res: ServerResponse): boolean => {
    const origin = req.headers.origin;
    if (!origin || !s.config.corsOrigins.includes(origin)) return false;
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
    res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, Tus-Resumable, Upload-Length, Upload-Metadata, Upload-Offset, Upload-Defer-Length, X-HTTP-Method-Override');
    res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, POST, PATCH, DELETE, OPTIONS');
    res.setHeader('Access-Control-Expose-Headers', 'X-Lianhu-Seq, X-Lianhu-More, X-Lianhu-Total, Location, Upload-Offset, Upload-Length, Tus-Resumable, Upload-Expires');
    return true;
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://relay.invalid');
    const p = url.pathname;
    const allowedCors = cors(req, res);
    if (req.method === 'OPTIONS' && allowedCors && !p.startsWith(UPLOAD_PATH)) {
      res.writeHead(204);
      res.end();
      return;
    }
    if (p === '/healthz') {
      const health = await checkHealth(s.db, s.cluster);
      return sendJson(res, health.ok ? 200 : 503, { status: health.ok ? 'ok' : 'degraded', uptimeS: Math.round((Date.now() - s.startedAt) / 1000), sockets: s.sessions.socketCount, docsLoaded: s.hocuspocus.getDocumentsCount(), stores: { database: health.database, bus: health.bus } });
    }
    if (p === '/api' || p.startsWith('/api/')) return handleApi(s, req, res, url, clientAddress(req, trusted));
    if (p === UPLOAD_PATH || p.startsWith(`${UPLOAD_PATH}/`)) return upload(req, res, p);
    const blob = /^\/files\/([0-9a-f]{64})$/.exec(p);
    if (blob) return download(req, res, blob[1]!);
    if (p.startsWith('/files/')) throw new RelayError(404, 'not_found', 'no such file');
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new RelayError(405, 'method_not_allowed', `${req.method} is not served here`);
    files.serve(req, res, p);
  }

  async function upload(req: IncomingMessage, res: ServerResponse, p: string): Promise<void> {
    if (req.method === 'OPTIONS') return tus.handle(req, res);
    // tus can also serve finished uploads by id; photos are served only by hash, with checks.
    if (req.method === 'GET') throw new RelayError(405, 'method_not_allowed', 'download photos from /files/<sha256>');
    // A replaced phone's last upload includes its photos (ADR 0029).
    const c = await authenticate(s, req, { lastUpload: true });
    const id = p.slice(UPLOAD_PATH.length + 1);
    if (id) {
      // An upload belongs to the device that created it.
      let owner: string | undefined;
      try {
        owner = (await tus.datastore.getUpload(id)).metadata?.deviceId ?? undefined;
      } catch {
        owner = undefined;
      }
      if (owner !== c.claims.deviceId) throw new RelayError(404, 'not_found', 'no such upload');
    }
    tusCallers.set(req, c.claims);
    await tus.handle(req, res);
  }

  async function download(req: IncomingMessage, res: ServerResponse, sha256: string): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new RelayError(405, 'method_not_allowed', 'GET or HEAD');
    const c = await authenticate(s, req);
    const meta = SHA256_RE.test(sha256) ? await s.blobs.meta(sha256) : undefined;
    // Unknown and forbidden look the same: a device learns nothing about photos it may not see.
    if (!meta || !(await s.blobs.mayRead(sha256, c.claims))) throw new RelayError(404, 'not_found', 'no such photo');
    const headers = {
      'Content-Type': meta.mime,
      'Content-Length': meta.size,
      'Cache-Control': 'private, max-age=31536000, immutable',
      ETag: `"${sha256}"`,
      'X-Content-Type-Options': 'nosniff',
      // bytes that are no photo are only ever a download
      ...(meta.mime === NOT_A_PHOTO ? { 'Content-Disposition': 'attachment' } : {}),
    };
    if (req.headers['if-none-match'] === `"${sha256}"`) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    fs.createReadStream(s.blobs.pathOf(sha256)).on('error', () => res.destroy()).pipe(res);
  }

  return (req: IncomingMessage, res: ServerResponse): void => {
    route(req, res).catch((e: unknown) => {
      if (e instanceof RelayError) return sendError(res, e);
      // decodeURIComponent anywhere below (ours, tus', the static files'): the request's fault
      if (e instanceof URIError) return sendError(res, new RelayError(400, 'bad_request', 'malformed percent-encoding'));
      s.log.error({ err: e, method: req.method, url: req.url }, 'request failed');
      sendError(res, new RelayError(500, 'internal', 'the relay could not answer this request'));
    });
  };
}
