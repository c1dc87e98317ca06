import type { LianhuDb } from '@/db/database';

/** Settings key of the relay address when it is not the page's own origin (`npm run dev`). */
export const RELAY_URL_SETTING = 'relayUrl';

/** Where the relay is: its HTTP base (no trailing slash) and its WebSocket endpoint. */
export interface RelayEndpoints {
  http: string;
  ws: string;
}

export function endpointsFor(base: string): RelayEndpoints {
  const http = base.replace(/\/+$/, '');
  return { http, ws: `${http.replace(/^http/i, 'ws')}/sync` };
}

/**
 * The relay serves the PWA, so by default it is the page's origin (same-origin requests,
 * no CORS). A `relayUrl` setting overrides it, e.g. for the Vite dev server.
 */
export async function resolveRelay(db: LianhuDb, fallbackOrigin?: string): Promise<RelayEndpoints | undefined> {
  const saved = (await db.settings.get(RELAY_URL_SETTING))?.value;
  if (typeof saved === 'string' && /^https?:\/\//i.test(saved)) return endpointsFor(saved);
  const origin = fallbackOrigin ?? (typeof location !== 'undefined' ? location.origin : undefined);
  return origin && /^https?:\/\//i.test(origin) ? endpointsFor(origin) : undefined;
}

export async function saveRelayUrl(db: LianhuDb, url: string | undefined): Promise<void> {
  if (url) await db.settings.put({ key: RELAY_URL_SETTING, value: url.replace(/\/+$/, '') });
  else await db.settings.delete(RELAY_URL_SETTING);
}
