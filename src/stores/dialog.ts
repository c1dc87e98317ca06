import { defineStore } from 'pinia';
import { shallowRef } from 'vue';

export interface DialogChoice {
  value: string;
  labelKey: string;
  /** `primary` is the default button; `danger` for destructive choices */
  kind?: 'primary' | 'danger' | 'plain';
}

export interface DialogRequest {
  titleKey: string;
  messageKey: string;
  choices: DialogChoice[];
  /** the answer when the dialog is dismissed with Escape */
  cancelValue: string;
}

/** One modal question at a time, answered by a promise (rendered by CommonConfirmDialog). */
export const useDialogStore = defineStore('dialog', () => {
  const current = shallowRef<(DialogRequest & { resolve: (value: string) => void }) | undefined>();

  function ask(request: DialogRequest): Promise<string> {
    current.value?.resolve(current.value.cancelValue);
    return new Promise((resolve) => {
      current.value = { ...request, resolve };
    });
  }

  function answer(value: string): void {
    const c = current.value;
    current.value = undefined;
    c?.resolve(value);
  }

  return { current, ask, answer };
});
