import { RelayError } from '../errors';

export interface UploadQuotaLimits {
  /** `MAX_UNFINISHED_UPLOADS_PER_DEVICE`, default 20 */
  perDeviceCount: number;
  /** `MAX_UNFINISHED_UPLOAD_BYTES_PER_DEVICE`, default 64 MiB (declared lengths) */
  perDeviceBytes: number;
  /** `MAX_UNFINISHED_UPLOAD_BYTES`, default 2 GiB for all devices together */
  totalBytes: number;
}

/**
 * What unfinished uploads may hold on disk, per device and in all. An upload counts with
 * the length it declared (what it may still write) from its creation until it finishes,
 * is deleted or expires. Kept in memory and rebuilt from the upload store at start and
 * after each sweep of expired uploads.
 */
export class UploadQuota {
  private readonly uploads = new Map<string, { deviceId: string; bytes: number }>();
  private readonly devices = new Map<string, { count: number; bytes: number }>();
  private total = 0;

  constructor(private readonly limits: UploadQuotaLimits) {}

  /** Count a new upload, or throw the answer for its creator (429 over its own quota, 507 when the relay's is full). */
  reserve(uploadId: string, deviceId: string, bytes: number): void {
    const d = this.devices.get(deviceId) ?? { count: 0, bytes: 0 };
    if (d.count + 1 > this.limits.perDeviceCount) throw new RelayError(429, 'upload_quota', `this device has ${d.count} unfinished uploads (max ${this.limits.perDeviceCount}); finish or wait for them`);
    if (d.bytes + bytes > this.limits.perDeviceBytes) throw new RelayError(429, 'upload_quota', `this device's unfinished uploads would hold ${d.bytes + bytes} bytes (max ${this.limits.perDeviceBytes})`);
    if (this.total + bytes > this.limits.totalBytes) throw new RelayError(507, 'insufficient_storage', 'the relay holds as many unfinished uploads as it may; try again later');
    this.add(uploadId, deviceId, bytes);
  }

  release(uploadId: string): void {
    const u = this.uploads.get(uploadId);
    if (!u) return;
    this.uploads.delete(uploadId);
    this.total -= u.bytes;
    const d = this.devices.get(u.deviceId)!;
    d.count--;
    d.bytes -= u.bytes;
    if (d.count === 0) this.devices.delete(u.deviceId);
  }

  /** Start again from what the upload store holds (`[id, deviceId, declared bytes]`). */
  reset(uploads: Iterable<[string, string, number]>): void {
    this.uploads.clear();
    this.devices.clear();
    this.total = 0;
    for (const [id, deviceId, bytes] of uploads) this.add(id, deviceId, bytes);
  }

  private add(uploadId: string, deviceId: string, bytes: number): void {
    this.uploads.set(uploadId, { deviceId, bytes });
    const d = this.devices.get(deviceId) ?? { count: 0, bytes: 0 };
    d.count++;
    d.bytes += bytes;
    this.devices.set(deviceId, d);
    this.total += bytes;
  }
}
