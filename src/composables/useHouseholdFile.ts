import { onBeforeUnmount, ref, shallowRef, watch, type Ref } from 'vue';
import type { HouseholdFile } from '@/domain/household-file';
import { useHouseholdsStore } from '@/stores/households';

/** A household's whole file for a page, kept current while it is open. */
export function useHouseholdFile(id: Ref<string>) {
  const households = useHouseholdsStore();
  const file = shallowRef<HouseholdFile | undefined>();
  const missing = ref(false);
  let close: (() => void) | undefined;

  let openedId: string | undefined;
  let loading = false;
  let attempt = 0;
  // Also re-run when the household's row appears: a link opened before its file arrived
  // (a first sync still running, a household just assigned) fills in when it lands.
  watch(
    () => ({ next: id.value, present: households.byId.has(id.value) }),
    async ({ next }) => {
      if (next === openedId && (close || loading)) return;
      const mine = ++attempt;
      openedId = next;
      loading = true;
      close?.();
      close = undefined;
      file.value = undefined;
      missing.value = false;
      const opened = await households.openFile(next);
      loading = false;
      if (mine !== attempt) return opened?.close();
      if (!opened) {
        missing.value = true;
        openedId = undefined;
        return;
      }
      close = opened.close;
      watch(opened.file, (f) => (file.value = f), { immediate: true });
    },
    { immediate: true },
  );

  onBeforeUnmount(() => close?.());
  return { file, missing };
}
