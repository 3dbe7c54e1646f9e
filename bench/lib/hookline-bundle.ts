// The entry `hookline serve` runs from (bin/hookline.js): packages/server/dist/hookline.mjs, a bundle of the compiled
// CLI made by packages/server/scripts/bundle.mjs after `tsc -b`. The bench makes it again before starting the server,
// so a run after a bare `tsc -b` does not start a stale bundle.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const hooklineServerEntry = fileURLToPath(new URL('../../packages/server/dist/hookline.mjs', import.meta.url));

const bundleScript = fileURLToPath(new URL('../../packages/server/scripts/bundle.mjs', import.meta.url));

/** Bundles dist/cli/main.js (as built by `tsc -b`) into `hooklineServerEntry`. */
export async function bundleHooklineServer(): Promise<void> {
  execFileSync(process.execPath, [bundleScript], { stdio: 'inherit' });
}
