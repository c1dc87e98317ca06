/// <reference lib="webworker" />
import type { FiguresQuery, LeadFigures, LeadOverview } from '@/domain/lead-figures';
import { toLocalDate } from '@/domain/dates';
import { expectedQueries, figuresSources, type WarmHint } from './lead-figures-source';
import type { StartRequest } from './figures-worker-start';

/**
 * The lead's figures are computed here, from rows this worker reads from IndexedDB itself:
 * the page never holds or scans 20,000 visits, and stays responsive while they are read.
 */

type WarmRequest = { type: 'warm'; dbName: string; hint?: WarmHint };

export type FiguresRequest =
  | { type: 'figures'; id: number; dbName: string; query: FiguresQuery }
  | { type: 'overview'; id: number; dbName: string; today: string }
  | { type: 'changed'; dbName: string; tables: string[] }
  | WarmRequest;

export type FiguresReply = { id: number; type: 'figures'; value: LeadFigures } | { id: number; type: 'overview'; value: LeadOverview } | { id: number; type: 'error'; message: string };

// The profile scripts read the worker's marks: when its module was fetched and evaluated.
performance.mark('lianhu:figures:worker-loaded');
const source = figuresSources();
const post = (reply: FiguresReply) => (self as unknown as Worker).postMessage(reply);

/** Read ahead (a lead page is on its way); a failed read is tried again by the first real question, which reports it. */
function warm(m: WarmRequest): Promise<void> {
  performance.mark('lianhu:figures:warm-asked');
  return source(m.dbName)
    .warm(m.hint)
    .catch(() => undefined);
}

// Started for a lead page opened cold (figures-worker-start.ts), told so in its name: begin now.
const started = startIn(self.name);
if (started) {
  const today = toLocalDate(new Date());
  void warm({ type: 'warm', dbName: started.dbName, hint: { today, queries: started.members ? expectedQueries(started.path, today, started.members) : [] } });
}

self.onmessage = async (e: MessageEvent<FiguresRequest>) => {
  const m = e.data;
  if (m.type === 'changed') {
    source(m.dbName).changed(m.tables);
    return;
  }
  if (m.type === 'warm') {
    await warm(m);
    return;
  }
  try {
    if (m.type === 'figures') post({ id: m.id, type: 'figures', value: await source(m.dbName).figures(m.query) });
    else post({ id: m.id, type: 'overview', value: await source(m.dbName).overview(m.today) });
  } catch (err) {
    post({ id: m.id, type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
};

function startIn(name: string): StartRequest | undefined {
  try {
    const m = JSON.parse(name || 'null') as StartRequest | null;
    return m?.type === 'start' && typeof m.dbName === 'string' && typeof m.path === 'string' && (m.members === undefined || Array.isArray(m.members)) ? m : undefined;
  } catch {
    return undefined;
  }
}
