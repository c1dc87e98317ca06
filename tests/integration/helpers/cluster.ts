// Several relay processes on one PostgreSQL database and one Redis, as the cluster-* files
// start them: a team made with the admin CLI, then the relays on one DATA_DIR, with a Redis
// key prefix of the file's own (cleared after it, so files sharing the Redis do not meet).
import crypto from 'node:crypto';
import fs from 'node:fs';
import IORedis from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { HOW_TO_START, REDIS_TEST_URL, testDatabaseUrl } from './backend';
import { adminCli, spawnRelay, tmpDir, type ChildRelay } from './relay';

export interface RelayCluster {
  readonly dataDir: string;
  /** the one database every relay of the file uses (set in the cluster's beforeAll) */
  readonly databaseUrl: string;
  readonly teamId: string;
  /** the team's first invite code (makes its first lead) */
  readonly inviteCode: string;
  /** the relays started before the tests (killed after them) */
  readonly relays: ChildRelay[];
  /** Environment of a relay of this cluster, with `redisUrl` as its Redis (for more relays a test starts itself). */
  env(redisUrl?: string): Record<string, string>;
}

/** Does a Redis answer at `url`? (A relay would only keep retrying, so tests check first.) */
export async function redisAnswers(url: string): Promise<boolean> {
  const c = new IORedis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000 });
  c.on('error', () => undefined);
  try {
    await c.connect();
    return (await c.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    c.disconnect();
  }
}

/**
 * Call at the top of a cluster-* file: before its tests, checks Redis, makes the file's
 * database and a team named `teamName`, and starts `count` relays with `env` (on top of the
 * cluster's own); after them, kills every relay, clears the file's Redis keys and removes
 * DATA_DIR (the database is dropped by tests/integration/setup.ts).
 */
export function relayCluster({ name, teamName, count = 3, env = {} }: { name: string; teamName: string; count?: number; env?: Record<string, string> }): RelayCluster {
  const dataDir = tmpDir(`lianhu-${name}-`);
  const prefix = `lianhu_test_${crypto.randomBytes(4).toString('hex')}:`;
  const relays: ChildRelay[] = [];
  let databaseUrl = '';
  let team: { teamId: string; inviteCode: string } | undefined;

  const cluster: RelayCluster = {
    dataDir,
    relays,
    get databaseUrl() {
      return databaseUrl;
    },
    get teamId() {
      return team!.teamId;
    },
    get inviteCode() {
      return team!.inviteCode;
    },
    env: (redisUrl = REDIS_TEST_URL) => ({ DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, REDIS_PREFIX: prefix, ...env }),
  };

  beforeAll(async () => {
    if (!(await redisAnswers(REDIS_TEST_URL))) throw new Error(`Redis does not answer at ${REDIS_TEST_URL}; several relays need it. Start it with\n  ${HOW_TO_START.redis}\nor point LIANHU_TEST_REDIS_URL at one.`);
    databaseUrl =
      testDatabaseUrl(dataDir) ??
      (() => {
        throw new Error('the cluster tests run in the integration-pg project (LIANHU_TEST_BACKEND=postgres)');
      })();
    team = adminCli(dataDir, 'team', 'create', teamName) as { teamId: string; inviteCode: string };
    for (let i = 0; i < count; i++) relays.push(await spawnRelay(dataDir, cluster.env()));
  });

  afterAll(async () => {
    await Promise.all(relays.map((r) => r.kill()));
    const c = new IORedis(REDIS_TEST_URL);
    const keys = await c.keys(`${prefix}*`);
    if (keys.length) await c.del(...keys);
    c.disconnect();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  return cluster;
}
