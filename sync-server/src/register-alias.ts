import { register } from 'node:module';

/** Make `@/…` imports (used inside src/docs and src/domain) resolve at run time. */
register('./alias-hooks.mjs', import.meta.url);
