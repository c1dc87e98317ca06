import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, vi } from 'vitest';
import { resetLocalRecords } from '@/db/instance';
import { useHouseholdListCache } from '@/stores/household-list-cache';
import { useHouseholdsStore } from '@/stores/households';
import { useIdentityStore } from '@/stores/identity';
import { useRequestsStore } from '@/stores/requests';
import { resetFiguresBackend } from '@/workers/lead-figures-client';

/** Fresh Pinia and a fresh LocalRecords per test (setup.ts gives a fresh fake IndexedDB). */
export function useFreshStores(): void {
  beforeEach(() => {
    setActivePinia(createPinia());
  });
  afterEach(async () => {
    // Dexie's change events are global: a store left following would patch the next test's rows.
    useHouseholdsStore().unwatchRows();
    useHouseholdListCache().stop();
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
    await resetLocalRecords();
    // The lead figures keep the rows they read: a fresh database needs a fresh reader.
    resetFiguresBackend();
  });
}

/** A member who started alone, with the live row queries running. */
export async function startAlone(memberName = '王建国') {
  const identity = useIdentityStore();
  await identity.load();
  await identity.startAlone({ memberName, deviceName: '测试手机' });
  useHouseholdsStore().watchRows();
  useRequestsStore().watchRows();
  return identity;
}

/** Poll until `check` passes (liveQuery delivers rows asynchronously). */
export async function eventually(check: () => unknown, timeoutMs = 2000): Promise<void> {
  const start = Date.now();
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() - start > timeoutMs) throw err;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

export const profileInput = (over: Record<string, unknown> = {}) => ({
  profile: {
    headName: '张三',
    phone: '13800001234',
    address: { area: '东山林场', village: '二道沟', street: '', house: '12号' },
    tags: ['elderly_alone'],
    visitIntervalDays: 30,
    ...over,
  },
  members: [] as unknown[],
  notes: '',
});
