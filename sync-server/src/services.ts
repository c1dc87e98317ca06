import type { Hocuspocus } from '@hocuspocus/server';
import type { AccessControl } from './auth/access';
import type { Registry } from './auth/registry';
import type { TokenService } from './auth/tokens';
import type { BlobStore } from './blobs/blob-store';
import type { Cluster } from './cluster/cluster';
import type { RelayConfig } from './config';
import type { BucketMap } from './limits/token-bucket';
import type { Logger } from './logger';
import type { ChangeFeed } from './storage/change-feed';
import type { Db } from './storage/db';
import type { DocStore } from './storage/doc-store';
import type { RelayWrites } from './storage/relay-writes';
import type { DeviceSessions } from './sync/device-sessions';
import type { DocWriter } from './sync/doc-writer';
import type { TeamDocs } from './sync/team-docs';

/** The relay's parts, wired once in server.ts and handed to the HTTP handlers. */
export interface Services {
  config: RelayConfig;
  log: Logger;
  db: Db;
  store: DocStore;
  /** the relay's own writes to live docs, until stored */
  relayWrites: RelayWrites;
  feed: ChangeFeed;
  access: AccessControl;
  registry: Registry;
  tokens: TokenService;
  teamDocs: TeamDocs;
  sessions: DeviceSessions;
  blobs: BlobStore;
  hocuspocus: Hocuspocus;
  /** the one write path for devices' updates: socket frames and carried files */
  writer: DocWriter;
  /** the other relays of this install (Redis), or none */
  cluster: Cluster;
  /** API requests per device */
  httpBuckets: BucketMap;
  /** wrong invite codes per IP */
  redeemFailures: BucketMap;
  startedAt: number;
}
