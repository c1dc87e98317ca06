import type { IncomingMessage, ServerResponse } from 'node:http';
import type * as v from 'valibot';
import { checkBody, invalidBodyCode, type ErrorAnswer } from '#domain/api-contract';
import { RelayError } from '../errors';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * An answer typed by its schema in src/domain/api-contract.ts. Not checked at run time: the
 * integration tests check every answer against the same schema (relay-api-contract.test.ts).
 */
export function sendAnswer<S extends v.GenericSchema>(res: ServerResponse, status: number, _schema: S, body: v.InferInput<S>): void {
  sendJson(res, status, body);
}

/** `{ "error": { "code", "message", "path"? } }` with the error's status. */
export function sendError(res: ServerResponse, e: RelayError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body: ErrorAnswer = { error: { code: e.code, message: e.message, ...(e.path !== undefined ? { path: e.path } : {}) } };
  sendJson(res, e.status, body);
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

/** Read a JSON body and check it with its schema: a body that does not match is `400 <field>_invalid` with the field's path, before anything is stored. */
export async function readBody<S extends v.GenericSchema>(req: IncomingMessage, schema: S): Promise<v.InferOutput<S>> {
  const checked = checkBody(schema, await readJson(req));
  if (checked.ok) return checked.value;
  // valibot's message may quote the value: a 60 KB name is not echoed back whole
  throw new RelayError(400, invalidBodyCode(checked.path), `${checked.path || 'body'}: ${checked.message}`.slice(0, 200), checked.path);
}

export function bearer(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m?.[1];
}
