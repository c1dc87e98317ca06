import { builtinModules } from 'node:module';
import { defineConfig } from 'vite';
import pkg from './package.json' with { type: 'json' };

// `npm run build:relay`: the relay and the admin CLI compiled to plain JavaScript in
// dist-server/, so `npm start` runs `node dist-server/index.js` with production dependencies
// only (no tsx, no loader hook). The code they share with the app (`#domain/*`, `#docs/*`,
// package.json "imports") is bundled in; every npm dependency stays an import of
// node_modules, so native modules (better-sqlite3) and their files load as installed.
// Vite's SSR build is Rolldown, the same bundler as the app build: no second toolchain.
const runtime = new Set([...Object.keys(pkg.dependencies), ...builtinModules]);

/** Bare imports stay imports; one of a package `npm ci --omit=dev` would not install fails the build. */
function external(id: string): boolean {
  if (/^[./#\0]/.test(id) || /^[A-Za-z]:[\\/]/.test(id)) return false;
  if (id.startsWith('node:')) return true;
  const name = id.startsWith('@') ? id.split('/').slice(0, 2).join('/') : id.split('/')[0]!;
  if (!runtime.has(name)) throw new Error(`the relay imports ${id}, but ${name} is not in package.json "dependencies": npm start installs only those`);
  return true;
}

export default defineConfig({
  // No public/ copying and no index.html: this build has nothing of the app in it.
  publicDir: false,
  build: {
    ssr: true,
    target: 'node20.19',
    outDir: 'dist-server',
    emptyOutDir: true,
    sourcemap: true,
    minify: false,
    rolldownOptions: {
      input: { index: 'sync-server/src/index.ts', admin: 'sync-server/src/admin.ts' },
      external,
      output: { format: 'esm', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
    },
  },
  ssr: { target: 'node' },
});
