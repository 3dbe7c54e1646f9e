// Bundles the compiled CLI (dist/cli/main.js, written by `tsc -b`) into one file, dist/hookline.mjs, which
// bin/hookline.js runs. Why: on Node 20 (no module compile cache) `hookline serve` spent about 40 % of its CPU to
// ready resolving, reading and linking ~470 module files (270 of ours, ~200 of its packages'); one file cut the CPU
// to ready from ~450 to ~250 ms and the idle RSS from ~82.5 to ~78.5 MiB (bench/README.md, issue 12 goal 5).
// Run by the root `build`, `prepare` and `start` scripts and by the bench's Hookline contenders; `node
// packages/server/scripts/bundle.mjs` after `tsc -b`.
import { readFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));

// Left as imports, each for its reason: loaded only when used (undici at the first send, ajv and
// fast-json-stringify at a route's first request, pg for a postgres:// database, the broker clients for their
// destinations): bundled, their source would sit in memory from the start; native (better-sqlite3); pino starts
// its transports from files found by path (thread-stream).
const external = [
  'undici',
  'ajv',
  'ajv-formats',
  'fast-json-stringify',
  'pg',
  'ioredis',
  'nats',
  'amqplib',
  'better-sqlite3',
  'pino',
  'thread-stream',
];

// Our modules find files beside them by `import.meta.url` (migrations, the dashboard's assets, `createRequire`):
// in the bundle each keeps the URL of the module it was compiled to, so those paths do not depend on where the
// bundle is.
const ownUrls = {
  name: 'own-import-meta-url',
  setup(builder) {
    builder.onLoad({ filter: /[/\\]packages[/\\][^/\\]+[/\\]dist[/\\].*\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return { contents: source, loader: 'js' };
      const fromBundle = relative(dist, args.path).split('\\').join('/');
      const url = `new URL(${JSON.stringify(fromBundle.startsWith('.') ? fromBundle : `./${fromBundle}`)}, import.meta.url).href`;
      return { contents: source.replaceAll('import.meta.url', url), loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

await build({
  entryPoints: [`${dist}cli/main.js`],
  outfile: `${dist}hookline.mjs`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external,
  // Smaller source held in memory; names kept so stack traces still read.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  // The packages bundled are CommonJS; their `require` of node builtins and of the external packages above needs one.
  banner: {
    js: "import { createRequire as __hooklineRequire } from 'node:module'; const require = __hooklineRequire(import.meta.url);",
  },
  plugins: [ownUrls],
  logLevel: 'warning',
});
