import { fileURLToPath, URL } from 'node:url';
import { readFileSync } from 'node:fs';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import VueI18n from '@intlify/unplugin-vue-i18n/vite';
import { VitePWA } from 'vite-plugin-pwa';
import { precompress } from './scripts/vite-precompress.ts';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  define: {
    __APP_VERSION__: JSON.stringify(pkg.version),
    __INTLIFY_PROD_DEVTOOLS__: false,
    // Every component is <script setup>: Vue's Options API support is dead weight in the
    // app shell (about 3 KB gzip; https://vuejs.org/api/compile-time-flags).
    __VUE_OPTIONS_API__: false,
    __VUE_PROD_DEVTOOLS__: false,
  },
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  build: {
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 700,
    rolldownOptions: {
      output: {
        codeSplitting: {
          // Only the lead modules themselves: shared code stays in the shared chunks.
          includeDependenciesRecursively: false,
          groups: [
            // The lead workspace in chunks of its own (`lead-*`): kept out of the precached
            // shell, cached on first use, and prefetched by lead devices (lead-routes.ts).
            { name: 'lead', test: /src[\\/](?:(?:pages|components|composables)[\\/]lead[\\/]|stores[\\/]lead-|i18n[\\/]messages[\\/]lead\.zh-CN\.|domain[\\/](?:assessment|team-stats|request-board|summary|duplicate-pairs|lead-figures|periods|review-feed|assignment-select)\.)/ },
            // The lead workspace's zh-TW and en messages: loaded with the lead workspace only in that language (src/i18n).
            { name: 'lead-locale-zh-TW', test: /src[\\/]i18n[\\/]messages[\\/]lead\.zh-TW\./ },
            { name: 'lead-locale-en', test: /src[\\/]i18n[\\/]messages[\\/]lead\.en\./ },
            // zh-TW and en field messages (`locale-*`): loaded when chosen, fetched ahead while
            // online (src/i18n), cached on first use like the lead workspace.
            { name: 'locale-zh-TW', test: /src[\\/]i18n[\\/]messages[\\/](?:common|field|sync)\.zh-TW\./ },
            { name: 'locale-en', test: /src[\\/]i18n[\\/]messages[\\/](?:common|field|sync)\.en\./ },
            // The photo upload client (`upload-*`): only used online, cached on first use (src/sync/outbox.ts).
            { name: 'upload', test: /node_modules[\\/](?:tus-js-client|js-base64|url-parse|requires-port|querystringify|combine-errors|custom-error-instance|lodash\.throttle|buffer-from|is-stream|proper-lockfile)[\\/]/ },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      // In `npm run dev` the relay runs separately (npm run relay); the app talks to it same-origin.
      '/api': 'http://127.0.0.1:8080',
      '/files': 'http://127.0.0.1:8080',
      '/sync': { target: 'ws://127.0.0.1:8080', ws: true },
    },
  },
  plugins: [
    vue(),
    // Messages are compiled at build time (src/i18n/messages/*.ts become message ASTs), so
    // the app ships vue-i18n's runtime-only build without its message compiler. Composition
    // API only, no global <i18n-t> components: a smaller bundle (ADR 0006).
    VueI18n({
      include: [fileURLToPath(new URL('./src/i18n/messages/**', import.meta.url))],
      runtimeOnly: true,
      compositionOnly: true,
      fullInstall: false,
      dropMessageCompiler: true,
    }),
    VitePWA({
      registerType: 'prompt',
      injectRegister: false,
      includeAssets: ['favicon.svg', 'apple-touch-icon.png'],
      manifest: {
        name: '联户走访',
        short_name: '联户走访',
        description: '离线可用的联户走访记录：户档案、走访、诉求与考核',
        lang: 'zh-CN',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'portrait',
        background_color: '#ffffff',
        theme_color: '#b3261e',
        icons: [
          { src: '/pwa-192x192.png', sizes: '192x192', type: 'image/png' },
          { src: '/pwa-512x512.png', sizes: '512x512', type: 'image/png' },
          { src: '/maskable-512x512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        // Only the shell: the plugin adds manifest and icons itself (adding png duplicates them).
        globPatterns: ['**/*.{js,css,html}'],
        // The QR decoder is only a fallback where BarcodeDetector is missing, and redeeming an
        // invite needs the network anyway: cached on first use instead of precached (46 KB gzip
        // that would push the shell past its 250 KB budget). Typing the code always works.
        // The lead workspace (lead-*.js/css) is not precached either: members never open it,
        // and a lead's device prefetches it while online (src/router/lead-routes.ts).
        // Lead-only dependencies land in chunks named after the lead page importing them (Lead*).
        // Also only used online: the photo upload client (upload-*), joining (join-*, the
        // join-again page, the QR scanner). A page that cannot load offline says so (router).
        // zh-TW and en messages (locale-*.js) likewise: the app fetches them while online
        // (src/i18n `prefetchLocales`), so a switch of language works offline afterwards.
        // The first sync's derivation worker (derive.worker-*.js, 60 KB gzip: it carries its own
        // Yjs and projection) is used only while records arrive from the relay, which needs
        // the network; where it cannot load, the same derivation runs on the main thread
        // (src/db/derive-client.ts). Cached on first use.
        // workbox-window (2 KB) only registers the worker and notices an update, both online
        // things: the page works offline without it (the worker keeps serving), and a session
        // under the worker's control caches it on first use for the "new version" prompt.
        globIgnores: ['**/jsQR-*.js', '**/lead-*.js', '**/lead-*.css', '**/Lead*.js', '**/Lead*.css', '**/locale-*.js', '**/derive.worker-*.js', '**/workbox-window.*.js', '**/upload-*.js', '**/FieldQrScanner-*.js', '**/JoinAgainPage-*.js', '**/join-*.js'],
        runtimeCaching: [
          {
            // Hashed file names never change content: cache first, keep a bounded number.
            urlPattern: /\/assets\/(?:jsQR-|lead-|Lead|locale-|derive\.worker-|workbox-window\.|upload-|FieldQrScanner-|JoinAgainPage-|join-)[\w.-]+\.(?:js|css)$/,
            handler: 'CacheFirst',
            options: { cacheName: 'lianhu-on-demand', expiration: { maxEntries: 120 } },
          },
        ],
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [/^\/api\//, /^\/files\//, /^\/sync/, /^\/healthz/],
        clientsClaim: true,
        skipWaiting: false,
        cleanupOutdatedCaches: true,
        maximumFileSizeToCacheInBytes: 3 * 1024 * 1024,
      },
      devOptions: { enabled: false },
    }),
    // Last: compresses what the PWA plugin wrote too (sw.js, workbox-*.js).
    precompress(),
  ],
});
