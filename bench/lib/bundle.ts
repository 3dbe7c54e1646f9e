// Bundles a TypeScript entry point of the bench (its own sources only: packages stay imports) into one JavaScript
// file under node_modules/.cache, so a peer process starts on plain node as `hookline serve` does. Through tsx's
// loader every start paid ~200 ms and ~35 MiB more (node --import tsx -e 0 against node -e 0), which made the
// peers' start-up and idle-memory figures no fair comparison.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

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
  });
  return outfile;
}
