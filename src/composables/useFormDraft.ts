import { onBeforeUnmount, ref, watch, type Ref } from 'vue';
import { onBeforeRouteLeave, useRoute } from 'vue-router';
import { useDialogStore } from '@/stores/dialog';
import { useDraftsStore } from '@/stores/drafts';

export type DraftState = 'idle' | 'saving' | 'saved' | 'error';

export interface FormDraft<T> {
  form: Ref<T>;
  /** false until the initial values (and any draft) are loaded */
  ready: Ref<boolean>;
  /** a draft from an earlier session was put back */
  restored: Ref<boolean>;
  /** the form differs from what it started with */
  dirty: Ref<boolean>;
  draftState: Ref<DraftState>;
  flush(): Promise<void>;
  /** The record was saved: drop the draft and let the page leave without asking. */
  clear(): Promise<void>;
  /** Throw the input away and start again from the initial values. */
  discard(): Promise<void>;
}

/** Longest a keystroke waits before the draft with it is written. */
export const DRAFT_DELAY_MS = 100;

/** Answers of the "leave with a draft?" question. */
export const LEAVE_KEEP = 'keep';
export const LEAVE_DISCARD = 'discard';
export const LEAVE_STAY = 'stay';

/**
 * A form that saves a draft as it is typed: restored after a crash, a killed tab or a
 * reload; leaving with input asks whether to keep the draft, discard it, or stay.
 */
export function useFormDraft<T extends object>(key: string, initial: () => T | Promise<T>, opts: { delayMs?: number } = {}): FormDraft<T> {
  const drafts = useDraftsStore();
  const dialog = useDialogStore();
  const route = useRoute();
  const form = ref({}) as Ref<T>;
  const ready = ref(false);
  const restored = ref(false);
  const dirty = ref(false);
  const draftState = ref<DraftState>('idle');
  let baseline = '';
  let stored = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let writing: Promise<void> = Promise.resolve();

  void (async () => {
    const base = await initial();
    baseline = JSON.stringify(base);
    const saved = await drafts.load<Partial<T>>(key);
    stored = !!saved;
    form.value = saved ? { ...base, ...saved } : base;
    restored.value = !!saved;
    dirty.value = !!saved && JSON.stringify(form.value) !== baseline;
    drafts.setDirty(key, dirty.value);
    ready.value = true;
  })();

  watch(
    form,
    () => {
      if (!ready.value) return;
      dirty.value = JSON.stringify(form.value) !== baseline;
      drafts.setDirty(key, dirty.value);
      // Written shortly after the first keystroke not yet written, and not pushed back by
      // the next ones: typing without a pause still reaches storage every `delayMs`, so a
      // hard kill loses at most that much (a debounce lost everything typed since the pause).
      timer ??= setTimeout(() => void flush(), opts.delayMs ?? DRAFT_DELAY_MS);
    },
    { deep: true },
  );

  function flush(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    if (!ready.value) return writing;
    writing = writing.then(async () => {
      try {
        if (dirty.value) {
          draftState.value = 'saving';
          await drafts.save(key, route?.fullPath ?? '', form.value);
          stored = true;
          draftState.value = 'saved';
        } else if (stored) {
          await drafts.discard(key);
          stored = false;
          draftState.value = 'idle';
        }
      } catch {
        draftState.value = 'error';
      }
    });
    return writing;
  }

  async function clear(): Promise<void> {
    clearTimeout(timer);
    await writing;
    baseline = JSON.stringify(form.value);
    dirty.value = false;
    drafts.setDirty(key, false);
    await drafts.discard(key);
    stored = false;
    draftState.value = 'idle';
  }

  async function discard(): Promise<void> {
    await clear();
    const base = await initial();
    baseline = JSON.stringify(base);
    form.value = base;
    restored.value = false;
  }

  // A phone kills a hidden tab without warning: write what is pending the moment it hides.
  const onHide = () => {
    if (document.visibilityState === 'hidden') void flush();
  };
  const onPageHide = () => void flush();
  document.addEventListener('visibilitychange', onHide);
  window.addEventListener('pagehide', onPageHide);

  onBeforeRouteLeave(async () => {
    if (!dirty.value) return true;
    const choice = await dialog.ask({
      titleKey: 'common.draft.leaveTitle',
      messageKey: 'common.draft.leaveMessage',
      cancelValue: LEAVE_STAY,
      choices: [
        { value: LEAVE_KEEP, labelKey: 'common.draft.keep', kind: 'primary' },
        { value: LEAVE_DISCARD, labelKey: 'common.draft.discard', kind: 'danger' },
        { value: LEAVE_STAY, labelKey: 'common.draft.stay', kind: 'plain' },
      ],
    });
    if (choice === LEAVE_STAY) return false;
    if (choice === LEAVE_DISCARD) await clear();
    else await flush();
    return true;
  });

  onBeforeUnmount(() => {
    document.removeEventListener('visibilitychange', onHide);
    window.removeEventListener('pagehide', onPageHide);
    if (timer) void flush();
    drafts.setDirty(key, false);
  });

  return { form, ready, restored, dirty, draftState, flush, clear, discard };
}
