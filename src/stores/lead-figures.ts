import { defineStore } from 'pinia';
import Dexie from 'dexie';
import { ref } from 'vue';
import { localRecords } from '@/db/instance';
import type { FiguresQuery, LeadFigures, LeadOverview } from '@/domain/lead-figures';
import { FIGURE_TABLES, type FigureTable } from '@/workers/lead-figures-source';
import { figuresBackend } from '@/workers/lead-figures-client';

/** While changes keep coming (a sync), tell the worker at most this often. */
const MIN_GAP_MS = 1500;
const FIRST_DELAY_MS = 150;

/**
 * The lead's figures, computed in a worker that reads the team's rows itself (the page
 * never holds 20,000 visits). This store tells the worker which tables changed — at most
 * every 1.5 s during a sync — and bumps `version`, which the pages watch to ask again.
 */
export const useLeadFiguresStore = defineStore('lead-figures', () => {
  const version = ref(0);
  let stopListening: (() => void) | undefined;
  const changed = new Set<FigureTable>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last = 0;

  function flush(): void {
    timer = undefined;
    last = Date.now();
    const tables = [...changed];
    changed.clear();
    // The profile scripts read it: a change makes the worker read those tables again.
    performance.mark(`lianhu:lead-figures:changed:${tables.join(',')}`);
    figuresBackend().changed(localRecords().db.name, tables);
    version.value++;
  }

  /** Follow changes to the row tables (idempotent). */
  function start(): void {
    if (stopListening) return;
    const onMutated = (parts: Record<string, unknown>) => {
      const prefix = `idb://${localRecords().db.name}/`;
      const keys = Object.keys(parts);
      for (const table of FIGURE_TABLES) if (keys.some((k) => k.startsWith(`${prefix}${table}/`))) changed.add(table);
      if (changed.size === 0 || timer) return;
      timer = setTimeout(flush, Math.max(FIRST_DELAY_MS, last + MIN_GAP_MS - Date.now()));
    };
    Dexie.on('storagemutated', onMutated);
    stopListening = () => Dexie.on('storagemutated').unsubscribe(onMutated);
  }

  function stop(): void {
    stopListening?.();
    stopListening = undefined;
    clearTimeout(timer);
    timer = undefined;
    changed.clear();
  }

  function figures(query: FiguresQuery): Promise<LeadFigures> {
    // Reactive proxies cannot cross to a worker: send plain copies.
    const plain = JSON.parse(JSON.stringify(query)) as FiguresQuery;
    return figuresBackend().figures(localRecords().db.name, plain);
  }

  function overview(today: string): Promise<LeadOverview> {
    return figuresBackend().overview(localRecords().db.name, today);
  }

  return { version, start, stop, figures, overview };
});
