import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { localRecords } from '@/db/instance';
import { deleteDraft, getDraft, putDraft } from '@/db/drafts';

/**
 * Drafts on disk, and which open forms hold input not yet saved as a record — the app
 * must not reload under those (a waiting update asks them to finish first).
 */
export const useDraftsStore = defineStore('drafts', () => {
  const dirtyKeys = ref<string[]>([]);
  const anyDirty = computed(() => dirtyKeys.value.length > 0);

  async function load<T>(key: string): Promise<T | undefined> {
    return (await getDraft(localRecords().db, key))?.data as T | undefined;
  }

  function save(key: string, route: string, data: unknown): Promise<void> {
    return putDraft(localRecords().db, key, route, data);
  }

  function discard(key: string): Promise<void> {
    return deleteDraft(localRecords().db, key);
  }

  function setDirty(key: string, dirty: boolean): void {
    const has = dirtyKeys.value.includes(key);
    if (dirty && !has) dirtyKeys.value = [...dirtyKeys.value, key];
    if (!dirty && has) dirtyKeys.value = dirtyKeys.value.filter((k) => k !== key);
  }

  return { dirtyKeys, anyDirty, load, save, discard, setDirty };
});
