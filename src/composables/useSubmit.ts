import { computed, nextTick, ref } from 'vue';
import { describeError } from './errors';

export type SubmitState = 'idle' | 'saving' | 'saved' | 'error';

/**
 * Run a store action for a form: tracks saving/saved/error for an aria-live status, and
 * turns a failure into a message plus per-field messages. The form's input is never
 * touched, so a failed write (quota, I/O) keeps everything typed.
 */
export function useSubmit() {
  const state = ref<SubmitState>('idle');
  const messageKey = ref('');
  const fieldErrors = ref<Record<string, string>>({});

  const saving = computed(() => state.value === 'saving');

  async function run<T>(action: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false }> {
    if (state.value === 'saving') return { ok: false };
    state.value = 'saving';
    messageKey.value = '';
    fieldErrors.value = {};
    try {
      const value = await action();
      state.value = 'saved';
      return { ok: true, value };
    } catch (err) {
      const view = describeError(err);
      if (view.messageKey === 'errors.unknown') console.error(err);
      messageKey.value = view.messageKey;
      fieldErrors.value = Object.fromEntries(view.issues.map((i) => [i.path, i.messageKey]));
      state.value = 'error';
      return { ok: false };
    }
  }

  /** First error for a field path, or for anything under it (`address` covers `address.area`). */
  function errorFor(path: string): string | undefined {
    const errs = fieldErrors.value;
    return errs[path] ?? Object.entries(errs).find(([p]) => p.startsWith(`${path}.`))?.[1];
  }

  return { state, saving, messageKey, fieldErrors, run, errorFor };
}

/** After a refused save, take keyboard and screen reader to the first field that needs fixing. */
export async function focusFirstInvalid(): Promise<void> {
  await nextTick();
  document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
}
