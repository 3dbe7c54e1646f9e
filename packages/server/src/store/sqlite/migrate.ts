// The order migrations run in: by version number, whatever order the list has. Numbers may have gaps (branches
// take numbers independently, and a database applies whichever it lacks); a number listed twice is a bug.
import type { Migration } from './migrations.js';

export function inVersionOrder(migrations: readonly Migration[]): Migration[] {
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  for (let i = 1; i < ordered.length; i++) {
    const version = (ordered[i] as Migration).version;
    if (version === (ordered[i - 1] as Migration).version) throw new Error(`migration ${version} is listed twice`);
  }
  return ordered;
}
