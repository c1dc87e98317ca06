import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import sirv, { type RequestHandler } from 'sirv';

/**
 * Cache policy: hashed build output under /assets/ never changes (immutable); the service
 * worker, index.html, app routes and the other unhashed entry files must be revalidated every
 * time, or a phone keeps an old app forever.
 */
function cacheControl(pathname: string): string {
  if (pathname.startsWith('/assets/')) return 'public, max-age=31536000, immutable';
  const ext = path.posix.extname(pathname);
  if (ext === '' || ext === '.html' || ext === '.js' || ext === '.mjs' || ext === '.webmanifest' || ext === '.json') return 'no-cache';
  return 'public, max-age=3600';
}

/** Deep links (/households/123) are the app's routes; a missing asset is a real 404. */
function isAppRoute(pathname: string): boolean {
  if (pathname.startsWith('/assets/')) return false;
  const ext = path.posix.extname(pathname);
  return ext === '' || ext === '.html';
}

/**
 * Serves the built PWA from `root` with sirv: the `.br` or `.gz` file written next to each
 * file at build time (vite.config.ts) when the browser accepts it, ETags and 304s, and the
 * SPA fallback to index.html. sirv only answers for files under `root`.
 */
export class StaticFiles {
  private readonly files: RequestHandler;

  constructor(private readonly root: string) {
    this.files = sirv(root, {
      // Per-request lookups instead of a file list read once at start: a release copied into
      // dist/ (or the e2e suite changing sw.js) is served at once and never with stale sizes.
      dev: true,
      etag: true,
      gzip: true,
      brotli: true,
      extensions: [],
    });
  }

  serve(req: IncomingMessage, res: ServerResponse, pathname: string): void {
    // Headers set here survive sirv's own (it keeps headers already on the response), and
    // a 304 carries them too.
    res.setHeader('X-Content-Type-Options', 'nosniff');
    const notFound = () => {
      res.removeHeader('Cache-Control');
      this.plain(res, 404, 'not found');
    };
    const serveIndex = () => {
      if (!fs.existsSync(path.join(this.root, 'index.html'))) return this.plain(res, 503, 'The app is not built yet: run `npm run build`.');
      res.setHeader('Cache-Control', 'no-cache');
      req.url = '/index.html';
      this.files(req, res, notFound);
    };
    res.setHeader('Cache-Control', cacheControl(pathname));
    if (pathname === '/sw.js') res.setHeader('Service-Worker-Allowed', '/');
    if (pathname === '/') return serveIndex();
    this.files(req, res, () => (isAppRoute(pathname) ? serveIndex() : notFound()));
  }

  private plain(res: ServerResponse, status: number, text: string): void {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(text);
  }
}
