// Which storage backend the relay integration suite runs against: SQLite (project
// "integration") or PostgreSQL (project "integration-pg", LIANHU_TEST_BACKEND=postgres). On
// Postgres each relay data dir gets its own database, `lianhu_test_<random>`, created on
// first use and dropped after the test file; relays started in this process, child relays
// and admin CLI runs on that data dir all get its DATABASE_URL from `backendEnv`.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import os from 'node:os';
import pg from 'pg';

export const BACKEND = process.env.LIANHU_TEST_BACKEND === 'postgres' ? 'postgres' : 'sqlite';

/** Where the test databases are made (trust auth on loopback, as on the project's machines). */
export const PG_ADMIN_URL = process.env.LIANHU_TEST_PG_URL || `postgres://${encodeURIComponent(process.env.PGUSER || os.userInfo().username)}@127.0.0.1:5432/postgres`;
export const REDIS_TEST_URL = process.env.LIANHU_TEST_REDIS_URL || 'redis://127.0.0.1:6379';

export const HOW_TO_START = {
  postgres: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
  redis: 'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log',
};

const created = new Map<string, string>();

function urlFor(name: string): string {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Run a statement on the admin database, synchronously (a child Node process), with a clear error when Postgres is not there. */
function adminSync(sql: string): void {
  const script = `const pg = require('pg'); const c = new pg.Client(process.argv[1]); c.connect().then(() => c.query(process.argv[2])).then(() => c.end(), (e) => { console.error(e.message); process.exit(1); });`;
  const r = spawnSync(process.execPath, ['-e', script, PG_ADMIN_URL, sql], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) {
    throw new Error(`PostgreSQL at ${PG_ADMIN_URL} did not answer (${(r.stderr || r.error?.message || '').trim()}). This suite needs it: start it with\n  ${HOW_TO_START.postgres}\nor point LIANHU_TEST_PG_URL at one.`);
  }
}

/** The database of a relay data dir (made on first use); undefined on SQLite. */
export function testDatabaseUrl(dataDir: string): string | undefined {
  if (BACKEND !== 'postgres') return undefined;
  let url = created.get(dataDir);
  if (!url) {
    const name = `lianhu_test_${crypto.randomBytes(6).toString('hex')}`;
    adminSync(`CREATE DATABASE ${name}`);
    url = urlFor(name);
    created.set(dataDir, url);
  }
  return url;
}

/** Env for a process working on `dataDir` (a child relay, the admin CLI). */
export function backendEnv(dataDir: string): Record<string, string> {
  const url = testDatabaseUrl(dataDir);
  return url ? { DATABASE_URL: url } : {};
}

/** A fresh database not tied to a data dir (storage tests, several relays on one database). */
export function freshTestDatabase(): string {
  const name = `lianhu_test_${crypto.randomBytes(6).toString('hex')}`;
  adminSync(`CREATE DATABASE ${name}`);
  const url = urlFor(name);
  created.set(`#${name}`, url);
  return url;
}

/** Drop every database this test file made (after its relays closed; FORCE ends leftover sessions of killed relays). */
export async function dropTestDatabases(): Promise<void> {
  if (created.size === 0) return;
  const c = new pg.Client(PG_ADMIN_URL);
  await c.connect();
  try {
    for (const url of created.values()) await c.query(`DROP DATABASE IF EXISTS ${new URL(url).pathname.slice(1)} WITH (FORCE)`);
  } finally {
    created.clear();
    await c.end();
  }
}
