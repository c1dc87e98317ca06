import { onBeforeUnmount, ref, shallowRef, watch, type Ref } from 'vue';
import type { HouseholdFile } from '@/domain/household-file';
import { useHouseholdsStore } from '@/stores/households';

/** A household's whole file for a page, kept current while it is open. */
export function useHouseholdFile(id: Ref<string>) {
  const households = useHouseholdsStore();
  const file = shallowRef<HouseholdFile | undefined>();
  const missing = ref(false);
  let close: (() => void) | undefined;

  watch(
    id,
    async (next) => {
      close?.();
      close = undefined;
      file.value = undefined;
      missing.value = false;
      const opened = await households.openFile(next);
      if (next !== id.value) return opened?.close();
      if (!opened) {
        missing.value = true;
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
