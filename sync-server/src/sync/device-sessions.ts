import type { RelayLimits } from '../config';
import { CLOSE, type CloseReason } from '../errors';
import { CpuBudget } from '../limits/cpu-budget';
import { BucketMap } from '../limits/token-bucket';
import type { Logger } from '../logger';

/**
 * What this registry needs of a socket: SocketSession implements it. Declared here so the
 * two modules do not import each other's types.
 */
export interface DeviceSocket {
  pause(): void;
  resume(): void;
  close(reason: CloseReason, detail?: string): void;
}

/**
 * The open sockets of each device, and the per-device budgets: new sockets per minute,
 * open sockets, frames per second. Per device, not per IP: a whole team may sit behind one
 * NAT, and one misbehaving phone must not lock the others out.
 */
export class DeviceSessions {
  private readonly byDevice = new Map<string, Set<DeviceSocket>>();
  /** sockets without a token yet, per address and all together, oldest first (Sets keep insertion order) */
  private readonly unauthenticated = new Map<string, Set<DeviceSocket>>();
  private readonly allUnauthenticated = new Set<DeviceSocket>();
  private readonly messages: BucketMap;
  private readonly connections: BucketMap;
  private readonly cpu: CpuBudget;
  /** devices whose sockets are paused, with the timer that looks at their budget again */
  private readonly throttled = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly limits: RelayLimits,
    private readonly log?: Logger,
  ) {
    this.messages = new BucketMap(limits.messagesPerSecond, limits.messageBurst);
    this.connections = new BucketMap(limits.connectionsPerMinute / 60, limits.connectionBurst);
    this.cpu = new CpuBudget(limits.deviceCpuMsPerSecond, limits.deviceCpuBurstMs);
  }

  /**
   * Charge relay time spent on a device's frame. A device that spent more than its budget
   * has every socket paused (ws stops reading it, TCP pushes back on the phone) until it is
   * out of debt: its frames wait, nobody else's do, and nothing is dropped.
   */
  spend(deviceId: string, ms: number): void {
    const wait = this.cpu.charge(deviceId, ms);
    if (wait > 0) this.throttle(deviceId, wait);
  }

  /**
   * Resolves once the device is out of debt. Frames ws had read before the pause wait here,
   * so a burst already in the buffer is spread out too.
   */
  async outOfDebt(deviceId: string): Promise<void> {
    for (let w = this.cpu.waitOf(deviceId); w > 0; w = this.cpu.waitOf(deviceId)) await new Promise((r) => setTimeout(r, Math.ceil(w)));
  }

  /** Whether a device's sockets are paused for its time budget. */
  isThrottled(deviceId: string): boolean {
    return this.throttled.has(deviceId);
  }

  private throttle(deviceId: string, waitMs: number): void {
    if (this.throttled.has(deviceId)) return;
    this.log?.warn({ device: deviceId, waitMs: Math.ceil(waitMs) }, 'device over its time budget; its sockets are paused');
    for (const s of this.byDevice.get(deviceId) ?? []) s.pause();
    const timer = setTimeout(() => {
      this.throttled.delete(deviceId);
      const still = this.cpu.waitOf(deviceId);
      if (still > 0) return this.throttle(deviceId, still);
      for (const s of this.byDevice.get(deviceId) ?? []) s.resume();
    }, Math.ceil(waitMs));
    timer.unref();
    this.throttled.set(deviceId, timer);
  }

  register(deviceId: string, s: DeviceSocket): CloseReason | undefined {
    const set = this.byDevice.get(deviceId) ?? new Set();
    if (set.size >= this.limits.maxSocketsPerDevice) return CLOSE.tooManySockets;
    if (!this.connections.take(deviceId)) return CLOSE.rateLimited;
    set.add(s);
    this.byDevice.set(deviceId, set);
    if (this.throttled.has(deviceId)) s.pause();
    return undefined;
  }

  unregister(deviceId: string, s: DeviceSocket): void {
    const set = this.byDevice.get(deviceId);
    if (!set) return;
    set.delete(s);
    if (set.size === 0) this.byDevice.delete(deviceId);
  }

  /** Whether `ip` already holds half the unauthenticated sockets it may (new ones get a short deadline). */
  underPressure(ip: string): boolean {
    return (this.unauthenticated.get(ip)?.size ?? 0) * 2 >= this.limits.maxUnauthenticatedPerIp || this.allUnauthenticated.size * 2 >= this.limits.maxUnauthenticated;
  }

  /**
   * A socket without a token opened. Past the per-address (or overall) cap the oldest such
   * socket is closed, not the new one: a flood then only ever shortens its own sockets'
   * lives, and a phone that shows its token at once always gets in.
   */
  unauthenticatedOpened(ip: string, s: DeviceSocket): void {
    const set = this.unauthenticated.get(ip) ?? new Set();
    set.add(s);
    this.unauthenticated.set(ip, set);
    this.allUnauthenticated.add(s);
    if (set.size > this.limits.maxUnauthenticatedPerIp) set.values().next().value?.close(CLOSE.tooManyUnauthenticated, `over ${this.limits.maxUnauthenticatedPerIp} from ${ip}`);
    if (this.allUnauthenticated.size > this.limits.maxUnauthenticated) this.allUnauthenticated.values().next().value?.close(CLOSE.tooManyUnauthenticated, `over ${this.limits.maxUnauthenticated} in all`);
  }

  /** The socket authenticated or closed. */
  unauthenticatedClosed(ip: string, s: DeviceSocket): void {
    this.allUnauthenticated.delete(s);
    const set = this.unauthenticated.get(ip);
    if (!set) return;
    set.delete(s);
    if (set.size === 0) this.unauthenticated.delete(ip);
  }

  takeMessage(deviceId: string): boolean {
    return this.messages.take(deviceId);
  }

  /** Close every socket of a device (revoked: it stops at once). */
  closeDevice(deviceId: string, reason: CloseReason): number {
    const set = this.byDevice.get(deviceId);
    if (!set) return 0;
    for (const s of [...set]) s.close(reason);
    return set.size;
  }

  deviceIds(): string[] {
    return [...this.byDevice.keys()];
  }

  get socketCount(): number {
    let n = 0;
    for (const s of this.byDevice.values()) n += s.size;
    return n;
  }
}
