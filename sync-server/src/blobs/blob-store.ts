import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { householdDocName } from '#docs/schema';
import type { AccessControl } from '../auth/access';
import type { DeviceClaims } from '../auth/tokens';
import { RelayError } from '../errors';
import { nowIso } from '../storage/db';
import type { Sql } from '../storage/sql';
import { sniffPhotoType } from './photo-type';

const PHOTO_KINDS = 'JPEG, PNG or WebP';

export const SHA256_RE = /^[0-9a-f]{64}$/;
/**
 * The stored type of bytes that are no JPEG, PNG or WebP. New uploads of such bytes are
 * refused (415); a relay that stored some before that still serves them as a download.
 */
export const NOT_A_PHOTO = 'application/octet-stream';

export interface BlobMeta {
  sha256: string;
  size: number;
  mime: string;
}

const Q = {
  meta: 'SELECT sha256, size, mime FROM blobs WHERE sha256 = @sha256',
  insert: 'INSERT INTO blobs (sha256, size, mime, created_at) VALUES (@sha256, @size, @mime, @at) ON CONFLICT DO NOTHING',
  addRef: 'INSERT INTO blob_refs (sha256, team_id, household_id, device_id, member_id, at) VALUES (@sha256, @team, @hid, @device, @member, @at) ON CONFLICT DO NOTHING',
  refs: 'SELECT household_id, member_id FROM blob_refs WHERE sha256 = @sha256 AND team_id = @team',
};

/**
 * Photos by content: `DATA_DIR/blobs/<aa>/<sha256>`, immutable once written. Who may fetch
 * one follows from `blob_refs`: the households it was uploaded for. A device may download a
 * photo when it may read one of those households, or when its member uploaded it.
 */
export class BlobStore {
  readonly dir: string;

  constructor(
    dataDir: string,
    private readonly db: Sql,
    private readonly access: AccessControl,
  ) {
    this.dir = path.join(dataDir, 'blobs');
    fs.mkdirSync(this.dir, { recursive: true });
  }

  pathOf(sha256: string): string {
    return path.join(this.dir, sha256.slice(0, 2), sha256);
  }

  meta(sha256: string): Promise<BlobMeta | undefined> {
    return this.db.get<BlobMeta>(Q.meta, { sha256 });
  }

  /**
   * Take a finished upload into the store if its bytes hash to `expected.sha256` and count
   * `expected.size` and are a JPEG, PNG or WebP by their magic bytes; otherwise delete it and
   * throw (460 for a wrong hash or size, 415 `upload_not_a_photo` for bytes that are no
   * photo). Returns the type the bytes are, which is what the photo is served as, whatever
   * was declared. An already stored photo is kept as is.
   */
  async adopt(file: string, expected: BlobMeta): Promise<string> {
    const hash = crypto.createHash('sha256');
    let size = 0;
    let head: Buffer | undefined;
    for await (const chunk of fs.createReadStream(file) as AsyncIterable<Buffer>) {
      head ??= chunk.subarray(0, 16);
      size += chunk.length;
      hash.update(chunk);
    }
    const actual = hash.digest('hex');
    if (size !== expected.size) {
      fs.rmSync(file, { force: true });
      throw new RelayError(460, 'upload_size_mismatch', `received ${size} bytes, declared ${expected.size}`);
    }
    if (actual !== expected.sha256) {
      fs.rmSync(file, { force: true });
      throw new RelayError(460, 'upload_sha256_mismatch', `the bytes hash to ${actual}, not ${expected.sha256}`);
    }
    // The type is the bytes' own. Bytes that are no photo are refused, not kept: the app only
    // ever uploads JPEGs (the photo worker's output), and a stored HTML page or program,
    // however served, is a file no member should be handed by the team's relay.
    const mime = head && sniffPhotoType(head);
    if (!mime) {
      fs.rmSync(file, { force: true });
      throw new RelayError(415, 'upload_not_a_photo', `the bytes are no ${PHOTO_KINDS} image`);
    }
    const target = this.pathOf(actual);
    if (fs.existsSync(target)) {
      fs.rmSync(file, { force: true });
    } else {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.renameSync(file, target);
    }
    await this.db.run(Q.insert, { sha256: actual, size, mime, at: nowIso() });
    return mime;
  }

  async addRef(sha256: string, claims: DeviceClaims, householdId: string): Promise<void> {
    await this.db.run(Q.addRef, { sha256, team: claims.teamId, hid: householdId, device: claims.deviceId, member: claims.memberId, at: nowIso() });
  }

  /** Whether this device may download the photo. */
  async mayRead(sha256: string, claims: DeviceClaims): Promise<boolean> {
    for (const ref of await this.db.all<{ household_id: string; member_id: string }>(Q.refs, { sha256, team: claims.teamId })) {
      if (ref.member_id === claims.memberId) return true;
      const d = await this.access.decide(claims, householdDocName(claims.teamId, ref.household_id));
      if (d.ok && d.via !== 'new-household') return true;
    }
    return false;
  }
}
