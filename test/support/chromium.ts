// The dashboard's end-to-end tests drive Debian's Chromium. Present: they run. Missing: they skip with a message,
// except under CI=true, where a missing browser fails the run (CI must never pass by skipping).
import { existsSync } from 'node:fs';
import { isCi } from './services.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking'];

export function chromiumAvailable(
  options: { env?: Readonly<Record<string, string | undefined>>; log?: (line: string) => void } = {},
): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  const reason = `Chromium is not installed at ${CHROMIUM_PATH}`;
  const install = 'apt-get update && apt-get install -y chromium';
  if (isCi(options.env)) throw new Error(`${reason}, and CI=true requires it. Install it with: ${install}`);
  (options.log ?? console.warn)(`SKIP dashboard end-to-end tests: ${reason}. To run them: ${install}`);
  return false;
}
