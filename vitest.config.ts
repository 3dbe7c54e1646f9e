import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';
import { defineConfig, type Plugin } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Vite's transformer (oxc) lowers only legacy (experimentalDecorators) decorators, and Node 20 cannot parse the
// TC39 ones, so a file that uses them goes through esbuild first, which lowers them as tsc does. The receiver's
// `@handles` decorator is a TC39 (TypeScript 5) decorator, and its tests and example use the syntax.
const tc39Decorators: Plugin = {
  name: 'hookline:tc39-decorators',
  enforce: 'pre',
  async transform(code, id) {
    if (!id.endsWith('.ts') || !/^\s*@[A-Za-z_$]/m.test(code)) return null;
    const result = await transform(code, { loader: 'ts', target: 'es2022', sourcemap: true, sourcefile: id });
    return { code: result.code, map: result.map };
  },
};

export default defineConfig({
  plugins: [tc39Decorators],
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
      // The benches' own checks (what a bench asserts must be able to fail), not the benches themselves.
      'bench/**/*.test.ts',
    ],
    reporters: ['default', './test/support/summary-reporter.ts'],
    // Two files at a time on CI's 2 cores: most files wait on child processes, servers and databases, and one
    // at a time (Vitest's default there: cores - 1) let the suite grow past CI's 20-minute budget.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
