import { buildAppNow } from './app-server';

/**
 * The e2e project's global setup: build the PWA and the relay once for the whole run, before
 * any test file starts, instead of once in every file (a Vite build of each is most of a
 * minute on the shared 2-core machine). The files' own `buildApp()` calls then find it built.
 */
export default function setup(): void {
  buildAppNow();
}
