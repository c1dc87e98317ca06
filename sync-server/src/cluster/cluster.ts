import crypto from 'node:crypto';
import type { Extension } from '@hocuspocus/server';
import { Redis as RedisExtension } from '@hocuspocus/extension-redis';
import IORedis, { type RedisOptions } from 'ioredis';
import * as Y from 'yjs';
import type { Logger } from '../logger';

/** What one relay tells the others (besides the documents' own updates, which the Hocuspocus Redis extension carries). */
/** `close` says why (ADR 0029); absent from an older relay: a plain revocation. */
export type ClusterEvent = { type: 'device-revoked'; deviceId: string; close?: 'lost' | 'replaced' };

/**
 * The relays of one install, as seen from one of them. Without `REDIS_URL` there is one
 * relay and nothing to tell anyone; with it, live document updates and awareness go through
 * `@hocuspocus/extension-redis` (a channel per loaded doc) and our own events (a revoked
 * device) through one channel, `<prefix>events`.
 */
export interface Cluster {
  readonly kind: 'single' | 'redis';
  /** the Hocuspocus extension that shares live updates between relays, if any */
  readonly extension?: Extension;
  /** tell every relay (this one included) */
  publish(e: ClusterEvent): Promise<void>;
  onEvent(fn: (e: ClusterEvent) => void): void;
  /** runs when the bus is back after it was lost (updates published meanwhile were missed) */
  onReconnected(fn: () => void): void;
  /** false while the bus is lost: writes are refused then (a relay would acknowledge what the others never see live) */
  readonly ready: boolean;
  /** answers when Redis answers (for /healthz); throws otherwise */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class SingleRelay implements Cluster {
  readonly kind = 'single' as const;
  readonly ready = true;
  private readonly listeners: ((e: ClusterEvent) => void)[] = [];

  async publish(e: ClusterEvent): Promise<void> {
    for (const fn of this.listeners) fn(e);
  }

  onEvent(fn: (e: ClusterEvent) => void): void {
    this.listeners.push(fn);
  }

  onReconnected(): void {}

  async ping(): Promise<void> {}

  async close(): Promise<void> {}
}

/** Options for every Redis connection of a relay: give up on a command quickly, keep reconnecting forever. */
function redisOptions(): RedisOptions {
  return {
    // A command waits at most this long for a lost connection; then it fails (no ack) instead of queueing forever.
    maxRetriesPerRequest: 2,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(100 * times, 1000),
    enableOfflineQueue: true,
  };
}

export class RedisCluster implements Cluster {
  readonly kind = 'redis' as const;
  readonly extension: Extension;
  private readonly pub: IORedis;
  private readonly sub: IORedis;
  private readonly channel: string;
  private readonly listeners: ((e: ClusterEvent) => void)[] = [];
  private readonly reconnected: (() => void)[] = [];
  private readonly clients: IORedis[] = [];
  private readonly log: Logger;

  constructor(url: string, prefix: string, log: Logger) {
    this.log = log;
    this.channel = `${prefix}events`;
    // Every connection counts, the Redis extension's too (it makes its own through `make`):
    // the bus is back when the last of them is ready again, whichever that is. Watching only
    // ours missed the moment when one of the extension's came back last, so loaded docs were
    // never caught up and a device on this relay kept getting a stale copy.
    let lost = false;
    const make = () => {
      const c = new IORedis(url, redisOptions());
      c.on('error', (e: Error) => log.debug({ err: e.message }, 'redis connection error'));
      c.on('close', () => {
        if (!lost) log.warn('redis connection lost; refusing writes until it is back');
        lost = true;
      });
      c.on('ready', () => {
        if (lost && this.ready) {
          lost = false;
          log.info('redis connection back; catching up loaded documents, accepting writes');
          for (const fn of this.reconnected) fn();
        }
      });
      this.clients.push(c);
      return c;
    };
    this.pub = make();
    this.sub = make();
    void this.sub.subscribe(this.channel).catch((e: unknown) => log.warn({ err: String(e) }, 'could not subscribe to the relay events'));
    this.sub.on('message', (channel: string, text: string) => {
      if (channel !== this.channel) return;
      let e: ClusterEvent;
      try {
        e = JSON.parse(text) as ClusterEvent;
      } catch {
        return;
      }
      for (const fn of this.listeners) fn(e);
    });
    const extension = new RedisExtension({
      prefix: `${prefix}doc`,
      identifier: `relay-${crypto.randomUUID()}`,
      createClient: make,
    });
    // The extension takes a redlock around every `onStoreDocument` (Hocuspocus runs it 2 s
    // after a doc's last change and when its last connection leaves) so that two instances do
    // not store one doc at once. The relay stores nothing there — every update is committed
    // before its ack — and its compaction locks the doc's row in the database, so two relays
    // may run it together. The lock was two round trips per store and 7.4 of the 12.2 Redis
    // commands per stored update (100 returning phones on 3 relays), for nothing: not taken.
    // (`afterStoreDocument` releases a lock only when one was taken.)
    extension.onStoreDocument = async () => undefined;
    this.extension = extension as Extension;
  }

  get ready(): boolean {
    return this.clients.every((c) => c.status === 'ready');
  }

  async publish(e: ClusterEvent): Promise<void> {
    await this.pub.publish(this.channel, JSON.stringify(e));
  }

  onEvent(fn: (e: ClusterEvent) => void): void {
    this.listeners.push(fn);
  }

  onReconnected(fn: () => void): void {
    this.reconnected.push(fn);
  }

  async ping(): Promise<void> {
    await this.pub.ping();
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.disconnect(false);
  }
}

export function openCluster(redisUrl: string | undefined, prefix: string, log: Logger): Cluster {
  if (!redisUrl) return new SingleRelay();
  if (!/^rediss?:\/\//.test(redisUrl)) throw new Error(`REDIS_URL must be a redis:// URL, got ${redisUrl.replace(/\/\/[^@]*@/, '//…@')}`);
  return new RedisCluster(redisUrl, prefix, log);
}

/** Origin of updates a relay reads back from the database to catch a loaded doc up (never stored again). */
export const CATCH_UP_ORIGIN = Object.freeze({ origin: 'lianhu-catch-up' });

/**
 * With several relays a doc can miss an update in two windows: between reading it from the
 * database and subscribing to its Redis channel (another relay committed and published in
 * between), and while the bus was lost. Both are closed the same way: read what is stored
 * again and apply it (Yjs skips what the doc already has). This extension runs after the
 * Redis extension's subscription; `catchUpAll` after the bus is back.
 */
export function catchUpExtension(loadState: (name: string) => Promise<Uint8Array | undefined>, log: Logger): Extension & { catchUp(name: string, doc: Y.Doc): Promise<void> } {
  const catchUp = async (name: string, doc: Y.Doc) => {
    try {
      const state = await loadState(name);
      if (state) Y.applyUpdate(doc, state, CATCH_UP_ORIGIN);
    } catch (e) {
      log.warn({ doc: name, err: String(e) }, 'could not catch a loaded document up from the database');
    }
  };
  return {
    extensionName: 'lianhu-cluster-catch-up',
    priority: 1,
    catchUp,
    async afterLoadDocument({ documentName, document }) {
      await catchUp(documentName, document);
    },
  };
}
