import { defineStore } from 'pinia';
import { liveQuery } from 'dexie';
import { ref } from 'vue';
import { localRecords } from '@/db/instance';
import { countPendingBlobs } from '@/db/blobs';
import { DEFAULT_LOCALE, isLocale, loadLocaleMessages, setLocale, type Locale } from '@/i18n';

const LOCALE_KEY = 'locale';
/** Above this share of the quota the settings screen warns. */
export const STORAGE_WARN_RATIO = 0.8;

export interface StorageInfo {
  usage: number;
  quota: number;
}

/** Device settings and facts: language, storage, persistence, what is not on the server. */
export const useSettingsStore = defineStore('settings', () => {
  const locale = ref<Locale>(DEFAULT_LOCALE);
  const storage = ref<StorageInfo | undefined>();
  const persisted = ref<boolean | undefined>();
  /** What the browser answered the last time the member asked to keep the data (shown, not guessed). */
  const persistAnswer = ref<'granted' | 'denied' | 'unsupported' | 'error' | undefined>();
  const unsyncedDocs = ref(0);
  const pendingPhotos = ref(0);

  async function loadLocale(): Promise<void> {
    const saved = (await localRecords().db.settings.get(LOCALE_KEY))?.value;
    const wanted = isLocale(saved) ? saved : DEFAULT_LOCALE;
    try {
      await setLocale(wanted);
      locale.value = wanted;
    } catch (err) {
      // Its messages could not be fetched (offline before they ever were): start in the
      // default language rather than not at all; the choice stays saved for the next start.
      console.warn(`language ${wanted} not available yet`, err);
      locale.value = DEFAULT_LOCALE;
    }
  }

  /**
   * Switch the language; throws (and changes nothing) when its messages cannot be fetched.
   * The choice is saved before the screen changes: once a member sees the new language, a
   * reload or a tap to another page keeps it (saved after, a quick reload started in the old one).
   */
  async function changeLocale(next: Locale): Promise<void> {
    await loadLocaleMessages(next);
    await localRecords().db.settings.put({ key: LOCALE_KEY, value: next });
    await setLocale(next);
    locale.value = next;
  }

  /**
   * Ask the browser to keep our data under storage pressure. Chromium grants it to an
   * installed app or a site used often; the answer is shown in settings.
   */
  async function requestPersistence(): Promise<void> {
    if (!navigator.storage?.persist) {
      persistAnswer.value = 'unsupported';
      return;
    }
    try {
      persisted.value = (await navigator.storage.persisted()) || (await navigator.storage.persist());
      persistAnswer.value = persisted.value ? 'granted' : 'denied';
    } catch {
      persisted.value = false;
      persistAnswer.value = 'error';
    }
  }

  async function refresh(): Promise<void> {
    const [estimate, isPersisted] = await Promise.all([navigator.storage?.estimate?.().catch(() => undefined), navigator.storage?.persisted?.().catch(() => false)]);
    storage.value = estimate && estimate.quota ? { usage: estimate.usage ?? 0, quota: estimate.quota } : undefined;
    persisted.value = isPersisted ?? persisted.value;
  }

  /** Keep "not on the server yet" current while it is shown (sync clears the marks). */
  function watchPending(): () => void {
    const db = localRecords().db;
    const sub = liveQuery(() => Promise.all([db.docs.where('unsynced').equals(1).count(), countPendingBlobs(db)])).subscribe({
      next: ([docs, photos]) => {
        unsyncedDocs.value = docs;
        pendingPhotos.value = photos;
      },
    });
    return () => sub.unsubscribe();
  }

  return { locale, storage, persisted, persistAnswer, unsyncedDocs, pendingPhotos, loadLocale, changeLocale, requestPersistence, refresh, watchPending };
});
