/**
 * Relay time per device, as a token bucket of milliseconds that may go into debt: each
 * device's frames are charged the time the relay measured handling them (parse, apply,
 * store). A device in debt is throttled (its sockets stop being read) until the bucket is
 * back at zero; nobody else waits. A frame-rate limit alone does not bound this: one frame
 * can cost a thousand times another.
 */
export class CpuBudget {
  private readonly devices = new Map<string, { ms: number; at: number }>();
  private charges = 0;

  constructor(
    /** `DEVICE_CPU_MS_PER_S`: milliseconds of relay time a device earns per second */
    private readonly msPerSecond: number,
    /** `DEVICE_CPU_BURST_MS`: what it may spend at once */
    private readonly burstMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Charge `ms` to `deviceId`; returns how long the device must now wait (0 when not in debt). */
  charge(deviceId: string, ms: number): number {
    const t = this.now();
    const b = this.devices.get(deviceId) ?? { ms: this.burstMs, at: t };
    b.ms = Math.min(this.burstMs, b.ms + ((t - b.at) / 1000) * this.msPerSecond) - ms;
    b.at = t;
    this.devices.set(deviceId, b);
    if (++this.charges % 1000 === 0) this.sweep(t);
    return b.ms >= 0 ? 0 : (-b.ms / this.msPerSecond) * 1000;
  }

  /** How long `deviceId` must still wait before it is out of debt. */
  waitOf(deviceId: string): number {
    const b = this.devices.get(deviceId);
    if (!b) return 0;
    const ms = b.ms + ((this.now() - b.at) / 1000) * this.msPerSecond;
    return ms >= 0 ? 0 : (-ms / this.msPerSecond) * 1000;
  }

  private sweep(t: number): void {
    for (const [k, b] of this.devices) if (b.ms + ((t - b.at) / 1000) * this.msPerSecond >= this.burstMs) this.devices.delete(k);
  }
}
