// Node module hooks: resolve the `@/` alias (tsconfig paths: `@/*` → `src/*`) for the relay
// and the admin CLI when they run through `node --import tsx`. tsx reads `paths` only from
// the tsconfig in the working directory, and ours keeps them in tsconfig.node.json.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const srcUrl = new URL('../../src/', import.meta.url);

export async function resolve(specifier, context, next) {
  if (specifier.startsWith('@/')) {
    const base = new URL(specifier.slice(2), srcUrl);
    for (const candidate of [`${base.href}.ts`, `${base.href}/index.ts`, base.href]) {
      if (fs.existsSync(fileURLToPath(candidate))) return next(candidate, context);
    }
  }
  return next(specifier, context);
}
