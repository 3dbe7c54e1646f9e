// Bundles a TypeScript entry point of the bench (its own sources only: packages stay imports) into one JavaScript
// file under node_modules/.cache, so a peer process starts on plain node as `hookline serve` does. Through tsx's
// loader every start paid ~200 ms and ~35 MiB more (node --import tsx -e 0 against node -e 0), which made the
// peers' start-up and idle-memory figures no fair comparison.
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

/**
 * A bundled module that finds files beside it by `import.meta.url` (the store's migrations) keeps its own URL:
 * left as it was, the URL was the bundle's under node_modules/.cache, and bench/store/instructions.ts's driver
 * looked for SQLite's migrations at `<repo>/src/store/sqlite/migrations/` and failed. The bundle never leaves
 * the checkout, so the source file's absolute URL is right wherever it runs from.
 */
const ownImportMetaUrl: Plugin = {
  name: 'own-import-meta-url',
  setup(builder) {
    builder.onLoad({ filter: /[/\\]packages[/\\][^/\\]+[/\\]src[/\\].*\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const url = JSON.stringify(pathToFileURL(args.path).href);
      return { contents: source.replaceAll('import.meta.url', url), loader: 'ts' };
    });
  },
};

/** Returns the path of the bundle, `<name>.mjs`; inside the repository so its package imports resolve. */
export async function bundleForNode(entry: string, name: string): Promise<string> {
  const outfile = fileURLToPath(new URL(`../../node_modules/.cache/hookline-bench/${name}.mjs`, import.meta.url));
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    plugins: [ownImportMetaUrl],
  });
  return outfile;
}
