import crypto from 'node:crypto';
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import * as Y from 'yjs';
import { BundleError, decodeBundle, type Bundle } from '#docs/bundle';
import { verifyBytes } from '#docs/bundle-signature';
import { isHouseholdDoc, readHousehold } from '#docs/household-doc';
import { parseDocName } from '#docs/schema';
import { API } from '#domain/api-contract';
import { checkPublicKey } from '#domain/device-key';
import type { DeviceClaims } from '../auth/tokens';
import { sniffPhotoType } from '../blobs/photo-type';
import { RelayError } from '../errors';
import type { Services } from '../services';
import { checkUpdateV1, type UpdateStats } from '../validation/yjs-update';
import type { Caller } from './authenticate';
import { sendAnswer } from './respond';

/**
 * `POST /api/carried` (docs/adr/0023-carried-file-delivery.md): a member delivers a file a
 * colleague exported and handed them. The carrier's token only lets them in; everything in
 * the file is decided on the **exporter's** authority: the signature must verify with the key
 * the exporter's device registered, that device must be of this team and not revoked, and
 * every doc must be one the exporter may write now. Then each update takes the same write
 * path as a socket frame (limits, record layout, append before answering), stored under the
 * exporter's device. Everything is checked before anything is written: a refusal writes
 * nothing, and the carrier keeps the file.
 */

const GZIP = [0x1f, 0x8b];
/** A file is inflated in memory: at most this many times its compressed cap. */
const INFLATE_FACTOR = 2;
/** a phone's clock may run ahead a little */
const CLOCK_SKEW_MS = 24 * 3600_000;

interface CheckedDoc {
  name: string;
  update: Uint8Array;
  stats: UpdateStats;
}

export async function receiveCarried(s: Services, c: Caller, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const L = s.config.limits;
  const body = await readCapped(req, L.maxCarriedBytes);
  const bytes = inflate(body, L.maxCarriedBytes * INFLATE_FACTOR);
  let bundle: Bundle;
  try {
    bundle = decodeBundle(bytes);
  } catch (e) {
    if (e instanceof BundleError) throw new RelayError(422, e.code, e.message);
    throw e;
  }
  const teamId = c.claims.teamId;
  if (bundle.header.teamId !== teamId) throw new RelayError(403, 'carried_foreign_team', 'this file is of another team than the carrier');

  // The exporter, by the signature.
  const sig = bundle.signature;
  if (!sig) throw new RelayError(422, 'carried_unsigned', 'the file is not signed: hand it to the lead to import');
  if (bundle.header.source.kind !== 'device' || bundle.header.source.deviceId !== sig.deviceId) throw new RelayError(422, 'signature_invalid', 'the signature is not of the device the file names');
  const exporter = await s.registry.device(sig.deviceId);
  if (!exporter || exporter.team_id !== teamId) throw new RelayError(422, 'exporter_unknown', 'the device that exported the file is not of this team');
  const key = exporter.public_key ? checkPublicKey(JSON.parse(exporter.public_key)) : undefined;
  if (!key) throw new RelayError(422, 'exporter_no_key', 'the device that exported the file has not registered a signing key yet');
  if (!(await verifyBytes(key, sig, bytes.subarray(0, sig.signedLength)))) throw new RelayError(422, 'signature_invalid', 'the file was changed after it was signed, or signed by another key');
  // Revoked after signing counts too: a lead who revoked a phone (lost, stolen) stops its files.
  if (exporter.revoked_at) throw new RelayError(403, 'exporter_revoked', 'the device that exported the file was revoked by the team lead');
  const made = Date.parse(bundle.header.createdAt);
  const maxAgeMs = L.carriedMaxAgeDays * 86400_000;
  if (!Number.isFinite(made) || made > Date.now() + CLOCK_SKEW_MS) throw new RelayError(422, 'signature_invalid', 'the file says it was made in the future');
  if (made < Date.now() - maxAgeMs) throw new RelayError(410, 'signature_expired', `the file is older than ${L.carriedMaxAgeDays} days`);
  const claims: DeviceClaims = { deviceId: exporter.id, teamId, memberId: exporter.member_id, role: exporter.role, exp: Number.MAX_SAFE_INTEGER };
  await s.teamDocs.get(teamId);

  // Load every doc the file writes; check all of them before applying any.
  const conns = new Map<string, Awaited<ReturnType<Services['hocuspocus']['openDirectConnection']>>>();
  try {
    const checked: CheckedDoc[] = [];
    const readOnly: string[] = [];
    for (const d of bundle.docs) {
      const parsed = parseDocName(d.name);
      if (!parsed || parsed.teamId !== teamId) throw new RelayError(403, 'carried_foreign_team', `${d.name} is not of this team`, d.name);
      const decision = await s.access.decide(claims, d.name);
      if (!decision.ok) throw new RelayError(403, 'doc_forbidden', `the exporter may not write ${d.name}`, d.name);
      if (decision.readOnly) {
        // Every export carries the team doc, which a member may read but not write: as on a
        // socket (SyncStatus false), its update is not applied, and the rest of the file is.
        readOnly.push(d.name);
        continue;
      }
      let update: Uint8Array;
      try {
        update = Y.convertUpdateFormatV2ToV1(d.update);
      } catch {
        throw new RelayError(422, 'invalid_update', `${d.name}: not a Yjs update`, d.name);
      }
      const strict = checkUpdateV1(update);
      if (!strict.ok) throw new RelayError(422, 'invalid_update', `${d.name}: ${strict.reason}`, d.name);
      let conn = conns.get(d.name);
      if (!conn) {
        conn = await s.hocuspocus.openDirectConnection(d.name, {});
        conns.set(d.name, conn);
      }
      const refused = s.writer.precheck(conn.document!, d.name, update, strict.value);
      if (refused && !refused.ok) throw refusal(d.name, refused);
      checked.push({ name: d.name, update, stats: strict.value });
    }
    for (const p of bundle.photos) {
      if (p.size > L.maxUploadBytes) throw new RelayError(413, 'photo_too_large', `photo ${p.sha256} is over ${L.maxUploadBytes} bytes`, p.sha256);
      if (crypto.createHash('sha256').update(p.data).digest('hex') !== p.sha256) throw new RelayError(422, 'photo_invalid', `photo ${p.sha256} does not match its hash`, p.sha256);
      if (!sniffPhotoType(p.data.subarray(0, 16))) throw new RelayError(415, 'upload_not_a_photo', `photo ${p.sha256} is no JPEG, PNG or WebP`, p.sha256);
    }

    // Apply, each doc in its turn with the sockets' updates.
    const results: { name: string; result: 'applied' | 'unchanged' | 'read-only' }[] = readOnly.map((name) => ({ name, result: 'read-only' }));
    const photoHouseholds = new Map<string, string>();
    for (const d of checked) {
      const doc = conns.get(d.name)!.document!;
      const outcome = await s.writer.serialize(d.name, () => s.writer.apply(doc, d.name, d.update, d.stats, claims, CARRIED_ORIGIN));
      if (!outcome.ok) {
        // Something changed the doc between the check and now (another device's write): what
        // was applied before stays (it is valid), the carrier keeps the file and tries again.
        if (outcome.refusal === 'storage') s.hocuspocus.closeConnections(d.name);
        s.log.warn({ carrier: c.device.id, exporter: exporter.id, doc: d.name, refusal: outcome.refusal, detail: outcome.detail }, 'carried file: a doc refused after the check');
        throw refusal(d.name, outcome);
      }
      results.push({ name: d.name, result: outcome.changed ? 'applied' : 'unchanged' });
      const parsed = parseDocName(d.name);
      if (parsed?.kind === 'household' && isHouseholdDoc(doc)) for (const v of readHousehold(doc).visits) for (const p of v.photos) photoHouseholds.set(p.sha256, parsed.id!);
    }
    // Photos are kept for the households that name them, under the exporter's member.
    let photos = 0;
    for (const p of bundle.photos) {
      const householdId = photoHouseholds.get(p.sha256);
      if (!householdId) continue;
      const tmp = path.join(s.blobs.dir, `carried-${crypto.randomBytes(8).toString('hex')}`);
      fs.writeFileSync(tmp, p.data);
      await s.blobs.adopt(tmp, { sha256: p.sha256, size: p.size, mime: p.mime });
      await s.blobs.addRef(p.sha256, claims, householdId);
      photos++;
    }
    s.log.info({ carrier: c.device.id, exporter: exporter.id, docs: results.length, photos }, 'carried file delivered');
    sendAnswer(res, 200, API.carried.answer, { exporter: { deviceId: exporter.id, memberId: exporter.member_id }, docs: results, photos });
  } finally {
    await Promise.allSettled([...conns.values()].map((dc) => dc.disconnect()));
  }
}

/** The origin of a carried file's updates (not a socket: Hocuspocus broadcasts them to every socket on the doc). */
const CARRIED_ORIGIN = Object.freeze({ origin: 'lianhu-carried' });

function refusal(name: string, r: { refusal: string; detail: string }): RelayError {
  switch (r.refusal) {
    case 'limit':
      return new RelayError(413, 'document_too_large', `${name}: ${r.detail}`, name);
    case 'record':
      return new RelayError(422, 'invalid_record', `${name}: ${r.detail}`, name);
    case 'apply':
      return new RelayError(422, 'invalid_update', `${name}: ${r.detail}`, name);
    default:
      return new RelayError(503, 'storage_unavailable', `${name}: not stored, try again`, name);
  }
}

async function readCapped(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw new RelayError(413, 'carried_too_large', `the file is over ${limit} bytes: hand it to the lead to import`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new RelayError(413, 'carried_too_large', `the file is over ${limit} bytes: hand it to the lead to import`);
    chunks.push(chunk);
  }
  if (size === 0) throw new RelayError(422, 'bundle_empty', 'the body is empty: send the .lianhu file');
  return Buffer.concat(chunks);
}

function inflate(body: Buffer, limit: number): Uint8Array {
  if (body[0] !== GZIP[0] || body[1] !== GZIP[1]) return new Uint8Array(body.buffer, body.byteOffset, body.length);
  try {
    const out = zlib.gunzipSync(body, { maxOutputLength: limit });
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  } catch (e) {
    if (e instanceof RangeError || (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new RelayError(413, 'carried_too_large', `the file inflates to over ${limit} bytes`);
    throw new RelayError(422, 'bundle_corrupt', `gzip: ${(e as Error).message}`);
  }
}
