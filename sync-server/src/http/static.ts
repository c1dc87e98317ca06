import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.webmanifest', '.svg', '.txt', '.map']);

/**
 * Cache policy: hashed build output under /assets/ never changes (immutable); the service
 * worker, index.html and the other unhashed entry files must be revalidated every time, or a
 * phone keeps an old app forever.
 */
function cacheControl(rel: string): string {
  if (rel.startsWith('assets/')) return 'public, max-age=31536000, immutable';
  const ext = path.extname(rel);
  if (ext === '.html' || ext === '.js' || ext === '.mjs' || ext === '.webmanifest' || ext === '.json') return 'no-cache';
  return 'public, max-age=3600';
}

/** Serves the built PWA from `root`, with the SPA fallback to index.html. */
export class StaticFiles {
  private readonly gzipCache = new Map<string, { mtimeMs: number; body: Buffer }>();

  constructor(private readonly root: string) {}

  serve(req: IncomingMessage, res: ServerResponse, pathname: string): void {
    let rel: string;
    try {
      rel = decodeURIComponent(pathname).replace(/^\/+/, '');
    } catch {
      return this.plain(res, 400, 'bad path');
    }
    if (rel.includes('\0')) return this.plain(res, 400, 'bad path');
    const normal = path.posix.normalize(rel || 'index.html');
    if (normal.startsWith('..') || path.isAbsolute(normal)) return this.plain(res, 404, 'not found');
    let file = path.join(this.root, normal);
    let stat = statFile(file);
    if (stat?.isDirectory()) {
      file = path.join(file, 'index.html');
      stat = statFile(file);
    }
    let relOut = normal;
    if (!stat) {
      // Deep links (/households/123) are the app's routes; a missing asset is a real 404.
      if (normal.startsWith('assets/') || (path.extname(normal) !== '' && path.extname(normal) !== '.html')) return this.plain(res, 404, 'not found');
      file = path.join(this.root, 'index.html');
      stat = statFile(file);
      relOut = 'index.html';
      if (!stat) return this.plain(res, 503, 'The app is not built yet: run `npm run build` (or `npm start`, which builds it).');
    }
    const ext = path.extname(file);
    const etag = `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
    const headers: Record<string, string | number> = {
      'Content-Type': TYPES[ext] ?? 'application/octet-stream',
      'Cache-Control': cacheControl(relOut),
      ETag: etag,
      'X-Content-Type-Options': 'nosniff',
    };
    if (relOut === 'sw.js') headers['Service-Worker-Allowed'] = '/';
    if (COMPRESSIBLE.has(ext)) headers.Vary = 'Accept-Encoding';
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    const gzip = COMPRESSIBLE.has(ext) && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) && stat.size > 1024;
    if (gzip) {
      let cached = this.gzipCache.get(file);
      if (!cached || cached.mtimeMs !== stat.mtimeMs) {
        cached = { mtimeMs: stat.mtimeMs, body: zlib.gzipSync(fs.readFileSync(file), { level: 9 }) };
        this.gzipCache.set(file, cached);
      }
      res.writeHead(200, { ...headers, 'Content-Encoding': 'gzip', 'Content-Length': cached.body.length });
      res.end(req.method === 'HEAD' ? undefined : cached.body);
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Length': stat.size });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    fs.createReadStream(file).on('error', () => res.destroy()).pipe(res);
  }

  private plain(res: ServerResponse, status: number, text: string): void {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(text);
  }
}

function statFile(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}
