import { fileURLToPath, URL } from 'node:url';
import { defineConfig } from 'vitest/config';
import vue from '@vitejs/plugin-vue';

const alias = { '@': fileURLToPath(new URL('./src', import.meta.url)) };
const define = { __APP_VERSION__: JSON.stringify('test') };

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [vue()],
        resolve: { alias },
        define,
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts', 'src/**/*.test.ts'],
          environment: 'happy-dom',
          setupFiles: ['tests/unit/setup.ts'],
        },
      },
      {
        resolve: { alias },
        define,
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          // several relays on PostgreSQL + Redis: the integration-pg project only
          exclude: ['tests/integration/cluster-*.test.ts'],
          environment: 'node',
          setupFiles: ['tests/integration/setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        // The relay's suite again on PostgreSQL (a matrix, not a copy: helpers/backend.ts
        // gives each relay data dir its own database), plus the tests of several relays.
        resolve: { alias },
        define,
        test: {
          name: 'integration-pg',
          include: ['tests/integration/relay-*.test.ts', 'tests/integration/storage-*.test.ts', 'tests/integration/cluster-*.test.ts'],
          environment: 'node',
          env: { LIANHU_TEST_BACKEND: 'postgres' },
          setupFiles: ['tests/integration/setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        resolve: { alias },
        define,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          // the app and the relay built once for the run, not once a file
          globalSetup: ['tests/e2e/support/build-app.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
