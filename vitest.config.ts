import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources, not dist/, so a test never passes on a stale build.
    alias: [
      { find: /^@hookline\/signatures\/web$/, replacement: src('./packages/signatures/src/web.ts') },
      { find: /^@hookline\/signatures(\/node)?$/, replacement: src('./packages/signatures/src/index.ts') },
      { find: /^@hookline\/receiver$/, replacement: src('./packages/receiver/src/index.ts') },
    ],
  },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'test/**/*.test.ts',
      'examples/**/*.test.ts',
    ],
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
