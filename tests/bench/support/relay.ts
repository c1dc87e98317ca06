import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { householdDocName, teamDocName } from '../../../src/docs/schema';
import type { Role } from '../../../src/domain/team';
import { Registry } from '../../../sync-server/src/auth/registry';
import { createLogger } from '../../../sync-server/src/logger';
import { nowIso, openDatabase, type Db } from '../../../sync-server/src/storage/db';
import { DocStore, type Author } from '../../../sync-server/src/storage/doc-store';
import type { GeneratedTeam } from '../generate';
import { track } from './children';

/**
 * A relay for a benchmark: its DATA_DIR filled through the relay's own storage API before
 * it starts (as if the team had synced for two years), then the real relay process
 * (`node --import tsx sync-server/src/index.ts`) serving the built PWA on a free port.
 */

const ROOT = process.cwd();

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A team's documents as the relay stores them (Yjs v1 updates). */
export interface SeedTeam {
  teamId: string;
  name: string;
  teamDoc: Uint8Array;
  households: { id: string; createdBy: string; update: Uint8Array }[];
}

/** The generated team as stored documents. */
export function seedOf(team: GeneratedTeam, name = '东山林场第一党支部'): SeedTeam {
  return {
    teamId: team.teamId,
    name,
    teamDoc: Y.encodeStateAsUpdate(team.team),
    households: [...team.households].map(([id, doc]) => ({ id, createdBy: String(doc.getMap('meta').get('createdBy') ?? ''), update: Y.encodeStateAsUpdate(doc) })),
  };
}

/** Work on a relay's storage: the SQLite file in `dataDir`, or PostgreSQL at `databaseUrl`. */
export async function withStore<T>(dataDir: string, fn: (s: { db: Db; store: DocStore; registry: Registry }) => Promise<T>, databaseUrl?: string): Promise<T> {
  const db = await openDatabase(dataDir, databaseUrl);
  try {
    const store = new DocStore(db, createLogger('silent'));
    return await fn({ db, store, registry: new Registry(db, store) });
  } finally {
    await db.close();
  }
}

/**
 * Store teams and their documents, each household written by a device of the member who
 * registered it. Teams keep the generator's ids (the household docs carry them), so the
 * team row is inserted as `team create` would, with that id.
 */
export function seedTeams(dataDir: string, teams: SeedTeam[], databaseUrl?: string): Promise<void> {
  return withStore(dataDir, async ({ db, store }) => {
    for (const t of teams) {
      // One transaction (one fsync) per team; each append joins it.
      await db.tx(async (tx) => {
        await tx.run('INSERT INTO teams (id, name, created_at, seq) VALUES (@id, @name, @at, 0)', { id: t.teamId, name: t.name, at: nowIso() });
        await store.append(teamDocName(t.teamId), t.teamDoc, null, undefined, tx);
        for (const h of t.households) await store.append(householdDocName(t.teamId, h.id), h.update, { deviceId: `seed-${h.createdBy.slice(-12)}`, memberId: h.createdBy }, undefined, tx);
      });
    }
  }, databaseUrl);
}

/** Invite codes (a code per entry), made for the given member ids so devices keep them. */
export function createInvites(dataDir: string, teamId: string, invites: { role: Role; memberId: string }[], databaseUrl?: string): Promise<string[]> {
  return withStore(dataDir, async ({ registry }) => {
    const codes: string[] = [];
    for (const i of invites) codes.push((await registry.createInvite({ teamId, role: i.role, memberId: i.memberId, createdBy: 'bench', ttlDays: 14 })).code);
    return codes;
  }, databaseUrl);
}

/** Append updates to stored docs while the relay is stopped (others' work while a device was away). */
export function appendUpdates(dataDir: string, updates: { name: string; update: Uint8Array; author: Author }[], databaseUrl?: string): Promise<void> {
  return withStore(dataDir, ({ db, store }) =>
    db.tx(async (tx) => {
      for (const u of updates) await store.append(u.name, u.update, u.author, undefined, tx);
    }),
    databaseUrl,
  );
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface RelayProcess {
  url: string;
  host: string;
  port: number;
  pid: number;
  dataDir: string;
  /** resident memory now, MB */
  rssMb(): number;
  /** CPU time the relay has used so far, seconds */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** Start the relay on `dataDir`, serving `staticDir`; resolves once /healthz answers. */
export async function startRelayProcess(dataDir: string, staticDir: string, env: Record<string, string> = {}): Promise<RelayProcess> {
  const port = await freePort();
  // BENCH_RELAY_PROFILE=<dir>: the relay writes a V8 CPU profile there when it stops.
  const profile = process.env.BENCH_RELAY_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_RELAY_PROFILE}`] : [];
  const child: ChildProcess = track(spawn(process.execPath, [...profile, '--import', 'tsx', 'sync-server/src/index.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: dataDir,
      STATIC_DIR: staticDir,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  }));
  let log = '';
  // BENCH_RELAY_LOG=<file>: the relay's whole log (refused frames and sockets) is appended there.
  const logFile = process.env.BENCH_RELAY_LOG;
  const keep = (b: Buffer) => {
    log = (log + b.toString()).slice(-8000);
    if (logFile) appendFileSync(logFile, b);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  // A starved machine (other benches, builds) can take a minute to start tsx and open the database.
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`relay exited with ${child.exitCode}:\n${log}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`relay not healthy after 90 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const pid = child.pid!;
  return {
    url,
    host: '127.0.0.1',
    port,
    pid,
    dataDir,
    rssMb: () => {
      try {
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        return m ? Number(m[1]) / 1024 : NaN;
      } catch {
        return NaN; // the relay has exited
      }
    },
    cpuSeconds: () => {
      // utime and stime, fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 per second on Linux).
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 8000))]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
    },
  };
}

/** Remove a benchmark's temporary directory (never fails the benchmark). */
export function removeDir(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    // a leftover temp dir is not worth a failed run
  }
}
