/// <reference lib="webworker" />
import type { FiguresQuery, LeadFigures, LeadOverview } from '@/domain/lead-figures';
import { figuresSources, type WarmHint } from './lead-figures-source';

/**
 * The lead's figures are computed here, from rows this worker reads from IndexedDB itself:
 * the page never holds or scans 20,000 visits, and stays responsive while they are read.
 */

export type FiguresRequest =
  | { type: 'figures'; id: number; dbName: string; query: FiguresQuery }
  | { type: 'overview'; id: number; dbName: string; today: string }
  | { type: 'changed'; dbName: string; tables: string[] }
  | { type: 'warm'; dbName: string; hint?: WarmHint };

export type FiguresReply = { id: number; type: 'figures'; value: LeadFigures } | { id: number; type: 'overview'; value: LeadOverview } | { id: number; type: 'error'; message: string };

const source = figuresSources();
const post = (reply: FiguresReply) => (self as unknown as Worker).postMessage(reply);

self.onmessage = async (e: MessageEvent<FiguresRequest>) => {
  const m = e.data;
  if (m.type === 'changed') {
    source(m.dbName).changed(m.tables);
    return;
  }
  if (m.type === 'warm') {
    // A failed read is tried again by the first real question, which reports it.
    await source(m.dbName).warm(m.hint).catch(() => undefined);
    return;
  }
  try {
    if (m.type === 'figures') post({ id: m.id, type: 'figures', value: await source(m.dbName).figures(m.query) });
    else post({ id: m.id, type: 'overview', value: await source(m.dbName).overview(m.today) });
  } catch (err) {
    post({ id: m.id, type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
};
