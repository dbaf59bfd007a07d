import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // The examples import the package by name, as users do; in this repository that is the source.
    alias: [
      { find: /^credly-microcredentials\/ob3$/, replacement: fileURLToPath(new URL('./src/ob3/index.ts', import.meta.url)) },
      { find: /^credly-microcredentials\/testing$/, replacement: fileURLToPath(new URL('./src/testing/index.ts', import.meta.url)) },
      { find: /^credly-microcredentials$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    exclude: ['test/package/**', 'node_modules/**'],
    setupFiles: ['test/setup.ts'],
    // The CLI is built once for the tests that need it as a process; the rest run it in-process.
    globalSetup: ['test/global/build-cli.ts'],
    // Test files share a worker's modules: no test relies on a fresh module registry (nock is reset
    // after each test in test/setup.ts; fake timers are restored by the tests that use them).
    isolate: false,
    testTimeout: 20_000,
    hookTimeout: 20_000,
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
    },
  },
});
