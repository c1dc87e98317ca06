import { openPostgres } from './postgres-db';
import type { SqlDb } from './sql';
import { openSqlite } from './sqlite-db';

export type Db = SqlDb;
export { DB_FILE } from './sqlite-db';

/**
 * Open (and migrate) the relay's database: PostgreSQL when `databaseUrl` is a
 * `postgres://` URL, else the SQLite file in `dataDir` (the default, `npm start`).
 */
export async function openDatabase(dataDir: string, databaseUrl?: string): Promise<Db> {
  if (databaseUrl) {
    if (!/^postgres(ql)?:\/\//.test(databaseUrl)) throw new Error(`DATABASE_URL must be a postgres:// URL, got ${databaseUrl.replace(/\/\/[^@]*@/, '//…@')}`);
    return openPostgres(databaseUrl);
  }
  return openSqlite(dataDir);
}

export const nowIso = (): string => new Date().toISOString();
