import type { IncomingMessage, ServerResponse } from 'node:http';
import { RelayError } from '../errors';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** `{ "error": { "code", "message" } }` with the error's status. */
export function sendError(res: ServerResponse, e: RelayError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, e.status, { error: { code: e.code, message: e.message } });
}

/** Read a JSON object body of at most `limit` bytes. */
export async function readJson(req: IncomingMessage, limit = 64 * 1024): Promise<Record<string, unknown>> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) throw new RelayError(415, 'unsupported_media_type', 'send application/json');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new RelayError(413, 'payload_too_large', `body over ${limit} bytes`);
    chunks.push(chunk);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    throw new RelayError(400, 'bad_json', 'the body is not JSON');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new RelayError(400, 'bad_request', 'the body must be a JSON object');
  return body as Record<string, unknown>;
}

export function bearer(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m?.[1];
}
