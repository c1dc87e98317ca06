import { flushPromises, mount } from '@vue/test-utils';
import { getActivePinia } from 'pinia';
import { defineComponent, h } from 'vue';
import { createMemoryHistory, createRouter, RouterView } from 'vue-router';
import { i18n, setLocale } from '@/i18n';
import { routes } from '@/router';

/** Mount the app's routes at `path` with the active Pinia, zh-CN, and a memory history. */
export async function mountAt(path: string) {
  await setLocale('zh-CN');
  const router = createRouter({ history: createMemoryHistory(), routes });
  const Root = defineComponent({ render: () => h(RouterView) });
  await router.push(path);
  const wrapper = mount(Root, { attachTo: document.body, global: { plugins: [getActivePinia()!, i18n, router] } });
  await router.isReady();
  await flushPromises();
  return { wrapper, router };
}
