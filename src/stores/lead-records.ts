import { defineStore } from 'pinia';
import Dexie from 'dexie';
import { ref, shallowRef } from 'vue';
import { localRecords } from '@/db/instance';
import { unpackRecords } from '@/db/records';
import type { ComplaintRow, RatingRow, RequestRow, VisitRow } from '@/domain/projection';

/** The Dexie tables read: request rows, and visits, ratings and complaints packed per household. */
type RecordTable = 'records' | 'requests';
const TABLES: RecordTable[] = ['records', 'requests'];

/** After a reload, wait at least this long before the next one while changes keep coming. */
const MIN_GAP_MS = 1500;
const FIRST_DELAY_MS = 150;

/**
 * Every visit, request, rating and complaint row of the team, in memory for the lead's
 * pages (20,000 visits are a few MB; filters and figures then run without IndexedDB).
 * A plain liveQuery would re-read 20,000 rows for each of the thousands of documents a
 * sync brings in; instead each table is re-read after a change at most every 1.5 s.
 */
export const useLeadRecordsStore = defineStore('lead-records', () => {
  const visits = shallowRef<VisitRow[]>([]);
  const requests = shallowRef<RequestRow[]>([]);
  const ratings = shallowRef<RatingRow[]>([]);
  const complaints = shallowRef<ComplaintRow[]>([]);
  const loaded = ref(false);
  const state = new Map<RecordTable, { timer?: ReturnType<typeof setTimeout>; last: number; dirty: boolean; loading: boolean }>(TABLES.map((t) => [t, { last: 0, dirty: false, loading: false }]));
  let stopListening: (() => void) | undefined;

  async function load(table: RecordTable): Promise<void> {
    const s = state.get(table)!;
    s.loading = true;
    s.dirty = false;
    try {
      const db = localRecords().db;
      if (table === 'requests') {
        requests.value = await db.requests.toArray();
      } else {
        const rows = unpackRecords(await db.records.toArray());
        visits.value = rows.visits;
        ratings.value = rows.ratings;
        complaints.value = rows.complaints;
      }
    } catch (err) {
      // A closed database (the records restarting on another team) is read again on the next change.
      console.warn(`lead: reading ${table} failed`, err);
    } finally {
      s.loading = false;
      s.last = Date.now();
      if (s.dirty) schedule(table);
    }
  }

  function schedule(table: RecordTable): void {
    const s = state.get(table)!;
    if (s.loading) {
      s.dirty = true;
      return;
    }
    if (s.timer) return;
    const wait = Math.max(FIRST_DELAY_MS, s.last + MIN_GAP_MS - Date.now());
    s.timer = setTimeout(() => {
      s.timer = undefined;
      void load(table);
    }, wait);
  }

  /** Load every table and follow changes (idempotent). */
  async function start(): Promise<void> {
    if (!stopListening) {
      const onMutated = (parts: Record<string, unknown>) => {
        const prefix = `idb://${localRecords().db.name}/`;
        for (const table of TABLES) if (Object.keys(parts).some((k) => k.startsWith(`${prefix}${table}/`))) schedule(table);
      };
      Dexie.on('storagemutated', onMutated);
      stopListening = () => Dexie.on('storagemutated').unsubscribe(onMutated);
    }
    if (!loaded.value) {
      await refresh();
      loaded.value = true;
      // The lead pages are ready to compute from here (benchmarks time the assessment page by it).
      performance.clearMarks('lianhu:lead-records-loaded');
      performance.mark('lianhu:lead-records-loaded');
    }
  }

  /** Re-read every table now. */
  async function refresh(): Promise<void> {
    await Promise.all(TABLES.map(load));
  }

  function stop(): void {
    stopListening?.();
    stopListening = undefined;
    for (const s of state.values()) {
      clearTimeout(s.timer);
      s.timer = undefined;
    }
    loaded.value = false;
  }

  return { visits, requests, ratings, complaints, loaded, start, refresh, stop };
});
