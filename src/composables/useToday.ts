import { onBeforeUnmount, ref } from 'vue';
import { toLocalDate } from '@/domain/dates';

/** Today's local date, refreshed when the app comes back to the front (it may stay open overnight). */
export function useToday() {
  const today = ref(toLocalDate(new Date()));
  const refresh = () => {
    today.value = toLocalDate(new Date());
  };
  document.addEventListener('visibilitychange', refresh);
  onBeforeUnmount(() => document.removeEventListener('visibilitychange', refresh));
  return today;
}
