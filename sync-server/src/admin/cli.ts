import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Registry, type DeviceRow } from '../auth/registry';
import { loadSecret } from '../auth/tokens';
import { openCluster } from '../cluster/cluster';
import { loadConfig } from '../config';
import { RelayError } from '../errors';
import { createLogger } from '../logger';
import { DB_FILE, openDatabase, type Db } from '../storage/db';
import { SqliteDb } from '../storage/sqlite-db';
import { DocStore } from '../storage/doc-store';
import { migrateToPostgres } from './migrate';

const USAGE = `Lianhu relay administration (JSON on stdout; honours DATA_DIR, and DATABASE_URL for PostgreSQL).

  team create "<name>"                          a team, its team doc, and the first lead's invite code
  team list
  invite create --team <teamId> --role member|lead [--member <memberId>]
  device list --team <teamId>
  device revoke <deviceId> [--reason replaced|lost]
                                                stops the device at once (the relay notices within a second);
                                                replaced: its last upload is accepted first; lost: it erases itself
  backup <file>                                 consistent online copy of the database (PostgreSQL: pg_dump's custom format)
  migrate --from sqlite:<file> --to postgres://… [--replace] [--verify-only]
                                                copy a single relay's SQLite file into PostgreSQL and check every doc;
                                                --replace empties a target that holds data, --verify-only only compares

Through npm, add -s so npm's own lines stay out of the JSON: npm run -s admin -- team list`;

/** Options that take no value. */
const SWITCHES = new Set(['help', 'replace', 'verify-only']);

function flags(args: string[]): { positional: string[]; opts: Record<string, string> } {
  const positional: string[] = [];
  const opts: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--')) {
      const [k, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
      const v = inline ?? (SWITCHES.has(k) ? '' : args[++i]);
      if (v === undefined) throw new RelayError(2, 'usage', `--${k} needs a value`);
      opts[k] = v;
    } else positional.push(a);
  }
  return { positional, opts };
}

const device = (d: DeviceRow) => ({
  deviceId: d.id,
  teamId: d.team_id,
  memberId: d.member_id,
  memberName: d.member_name,
  deviceName: d.device_name,
  role: d.role,
  createdAt: d.created_at,
  lastSeenAt: d.last_seen_at,
  revokedAt: d.revoked_at,
  revokeReason: d.revoke_reason,
  retiredAt: d.retired_at,
  wipeToldAt: d.wipe_told_at,
  wipedAt: d.wiped_at,
});

/** Run one admin command; returns the exit code. */
export async function runAdmin(argv: string[], env: NodeJS.ProcessEnv, out = process.stdout, err = process.stderr): Promise<number> {
  const config = loadConfig(env);
  const print = (v: unknown) => out.write(`${JSON.stringify(v, null, 2)}\n`);
  let db: Db | undefined;
  try {
    const { positional, opts } = flags(argv);
    const [group, cmd, ...rest] = positional;
    if (!group || group === 'help' || opts.help !== undefined) {
      err.write(`${USAGE}\n`);
      return group ? 0 : 2;
    }
    // migrate opens the two databases it is given, never DATA_DIR's or DATABASE_URL's.
    if (group === 'migrate') {
      if (cmd) throw new RelayError(2, 'usage', `migrate takes options only, not ${cmd}`);
      return await migrate(opts, config.dataDir, print, err);
    }
    db = await openDatabase(config.dataDir, config.databaseUrl);
    // The relay creates the token secret on first start; creating it here as well means a
    // team made before the relay ever ran works the same.
    loadSecret(config.dataDir);
    const registry = new Registry(db, new DocStore(db, createLogger('silent')));
    const key = `${group} ${cmd ?? ''}`.trim();
    switch (key) {
      case 'team create': {
        const name = rest.join(' ');
        const t = await registry.createTeam(name, config.inviteTtlDays);
        print({ teamId: t.teamId, inviteCode: t.inviteCode, expiresAt: t.expiresAt });
        return 0;
      }
      case 'team list':
        print((await registry.teams()).map((t) => ({ teamId: t.id, name: t.name, createdAt: t.created_at, seq: t.seq, devices: t.devices, docs: t.docs })));
        return 0;
      case 'invite create': {
        if (!opts.team) throw new RelayError(2, 'usage', 'invite create needs --team <teamId>');
        const role = opts.role ?? 'member';
        if (role !== 'member' && role !== 'lead') throw new RelayError(2, 'usage', '--role is member or lead');
        print(await registry.createInvite({ teamId: opts.team, role, createdBy: 'admin', ttlDays: config.inviteTtlDays, ...(opts.member ? { memberId: opts.member } : {}) }));
        return 0;
      }
      case 'device list':
        if (!opts.team) throw new RelayError(2, 'usage', 'device list needs --team <teamId>');
        if (!(await registry.team(opts.team))) throw new RelayError(404, 'team_not_found', `no team ${opts.team}`);
        print((await registry.devices(opts.team)).map(device));
        return 0;
      case 'device revoke': {
        const id = rest[0];
        if (!id) throw new RelayError(2, 'usage', 'device revoke <deviceId>');
        const d = await registry.device(id);
        if (!d) throw new RelayError(404, 'device_not_found', `no device ${id}`);
        const reason = opts.reason ?? null;
        if (reason !== null && reason !== 'replaced' && reason !== 'lost') throw new RelayError(2, 'usage', '--reason is replaced or lost');
        const changed = await registry.revoke(id, reason);
        // Relays look for revoked devices every second; with Redis they hear it at once.
        if (config.redisUrl) {
          const cluster = openCluster(config.redisUrl, config.redisPrefix, createLogger('silent'));
          try {
            await cluster.publish({ type: 'device-revoked', deviceId: id, ...(reason ? { close: reason } : {}) });
          } finally {
            await cluster.close();
          }
        }
        print({ deviceId: id, revoked: true, alreadyRevoked: !changed });
        return 0;
      }
      default:
        if (group === 'backup' && cmd) {
          const file = path.resolve(cmd);
          if (fs.existsSync(file)) throw new RelayError(409, 'file_exists', `${file} exists; choose a new file`);
          if (!(db instanceof SqliteDb)) {
            print(await pgBackup(config.databaseUrl!, file, db));
            return 0;
          }
          await db.db.backup(file);
          const copy = new Database(file, { readonly: true });
          const check = copy.pragma('quick_check', { simple: true });
          const teams = (copy.prepare('SELECT count(*) AS n FROM teams').get() as { n: number }).n;
          const docs = (copy.prepare('SELECT count(*) AS n FROM docs').get() as { n: number }).n;
          copy.close();
          if (check !== 'ok') throw new RelayError(500, 'backup_check_failed', `quick_check: ${String(check)}`);
          print({ file, bytes: fs.statSync(file).size, teams, docs, check });
          return 0;
        }
        throw new RelayError(2, 'usage', `unknown command: ${positional.join(' ')}`);
    }
  } catch (e) {
    const re = e instanceof RelayError ? e : new RelayError(1, 'failed', e instanceof Error ? e.message : String(e));
    err.write(`${JSON.stringify({ error: { code: re.code, message: re.message } })}\n`);
    if (re.code === 'usage') err.write(`\n${USAGE}\n`);
    return re.status === 2 ? 2 : 1;
  } finally {
    await db?.close();
  }
}

/** `migrate`: the copy's report on stdout; exit 1 naming what differs when the check fails. */
async function migrate(opts: Record<string, string>, dataDir: string, print: (v: unknown) => void, err: NodeJS.WritableStream): Promise<number> {
  const from = opts.from ?? `sqlite:${path.join(dataDir, DB_FILE)}`;
  if (!from.startsWith('sqlite:')) throw new RelayError(2, 'usage', '--from is sqlite:<file> (the single relay\'s lianhu.db)');
  if (!opts.to) throw new RelayError(2, 'usage', 'migrate needs --to postgres://user@host:5432/database');
  const tty = (err as { isTTY?: boolean }).isTTY === true;
  const report = await migrateToPostgres({
    from: path.resolve(from.slice('sqlite:'.length)),
    to: opts.to,
    replace: opts.replace !== undefined,
    verifyOnly: opts['verify-only'] !== undefined,
    ...(tty ? { onProgress: (line: string) => err.write(`${line}\n`) } : {}),
  });
  print(report);
  if (report.ok) return 0;
  throw new RelayError(1, 'migrate_check_failed', `the copy in ${report.to} differs from ${report.from}: ${report.differences.join('; ')}`);
}

/**
 * An online backup of a PostgreSQL install: `pg_dump --format=custom` (one consistent
 * snapshot while the relays run; restore with `pg_restore --dbname=<new database> <file>`),
 * checked by listing the archive with pg_restore. The counts are the database's at the time.
 */
async function pgBackup(url: string, file: string, db: Db): Promise<Record<string, unknown>> {
  const dump = spawnSync('pg_dump', ['--format=custom', `--file=${file}`, url], { encoding: 'utf8' });
  if (dump.error || dump.status !== 0) {
    fs.rmSync(file, { force: true });
    throw new RelayError(1, 'backup_failed', `pg_dump (the PostgreSQL client tools, same major version as the server) failed: ${(dump.error?.message ?? dump.stderr).trim()}`);
  }
  const list = spawnSync('pg_restore', ['--list', file], { encoding: 'utf8' });
  const check = list.status === 0 && /TABLE DATA public docs/.test(list.stdout) ? 'ok' : `pg_restore --list failed: ${list.stderr.trim()}`;
  if (check !== 'ok') throw new RelayError(500, 'backup_check_failed', check);
  const teams = (await db.get<{ n: number }>('SELECT count(*) AS n FROM teams'))!.n;
  const docs = (await db.get<{ n: number }>('SELECT count(*) AS n FROM docs'))!.n;
  return { file, bytes: fs.statSync(file).size, teams, docs, check, restore: `pg_restore --dbname=<new database> ${file}` };
}
