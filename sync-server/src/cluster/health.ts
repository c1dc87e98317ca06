import type { Db } from '../storage/db';
import type { Cluster } from './cluster';

export interface StoreHealth {
  kind: string;
  ok: boolean;
  error?: string;
}

export interface Health {
  ok: boolean;
  database: StoreHealth;
  bus: StoreHealth;
}

const PING_TIMEOUT_MS = 1000;

async function answers(ping: () => Promise<void>): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([ping(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS)))]);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  } finally {
    clearTimeout(timer);
  }
}

/** Which stores this relay uses and whether they answer now (for /healthz and the proxy's checks). */
export async function checkHealth(db: Db, cluster: Cluster): Promise<Health> {
  const [dbError, busError] = await Promise.all([answers(() => db.ping()), answers(() => cluster.ping())]);
  // Not where the store is: /healthz answers anyone, and a file path or host is for the
  // operator's log (printed at start), not for strangers.
  const database: StoreHealth = { kind: db.kind, ok: !dbError, ...(dbError ? { error: dbError } : {}) };
  const busOk = !busError && cluster.ready;
  const bus: StoreHealth = { kind: cluster.kind, ok: busOk, ...(busOk ? {} : { error: busError ?? 'reconnecting' }) };
  return { ok: database.ok && bus.ok, database, bus };
}
