import type { RelayLimits } from '../config';
import { CLOSE, type CloseReason } from '../errors';
import { BucketMap } from '../limits/token-bucket';
import type { SocketSession } from './socket-session';

/**
 * The open sockets of each device, and the per-device budgets: new sockets per minute,
 * open sockets, frames per second. Per device, not per IP: a whole team may sit behind one
 * NAT, and one misbehaving phone must not lock the others out.
 */
export class DeviceSessions {
  private readonly byDevice = new Map<string, Set<SocketSession>>();
  private readonly unauthenticated = new Map<string, number>();
  private readonly messages: BucketMap;
  private readonly connections: BucketMap;

  constructor(private readonly limits: RelayLimits) {
    this.messages = new BucketMap(limits.messagesPerSecond, limits.messageBurst);
    this.connections = new BucketMap(limits.connectionsPerMinute / 60, limits.connectionBurst);
  }

  register(deviceId: string, s: SocketSession): CloseReason | undefined {
    const set = this.byDevice.get(deviceId) ?? new Set();
    if (set.size >= this.limits.maxSocketsPerDevice) return CLOSE.tooManySockets;
    if (!this.connections.take(deviceId)) return CLOSE.rateLimited;
    set.add(s);
    this.byDevice.set(deviceId, set);
    return undefined;
  }

  unregister(deviceId: string, s: SocketSession): void {
    const set = this.byDevice.get(deviceId);
    if (!set) return;
    set.delete(s);
    if (set.size === 0) this.byDevice.delete(deviceId);
  }

  /** Whether another socket that has not authenticated yet may stay open from `ip`. */
  mayAcceptUnauthenticated(ip: string): boolean {
    return (this.unauthenticated.get(ip) ?? 0) < this.limits.maxUnauthenticatedPerIp;
  }

  unauthenticatedOpened(ip: string): void {
    this.unauthenticated.set(ip, (this.unauthenticated.get(ip) ?? 0) + 1);
  }

  unauthenticatedClosed(ip: string): void {
    const n = (this.unauthenticated.get(ip) ?? 1) - 1;
    if (n <= 0) this.unauthenticated.delete(ip);
    else this.unauthenticated.set(ip, n);
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
