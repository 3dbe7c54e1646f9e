import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { inVersionOrder } from './migrate.js';
import { MIGRATIONS } from './migrations.js';
import { SqliteStore } from './sqlite-store.js';

const migration = (version: number) => ({ version, name: `m${version}`, sql: '' });

it('orders by version whatever the list order, and accepts gaps in the numbers', () => {
  expect(inVersionOrder([migration(5), migration(1), migration(3)]).map((m) => m.version)).toEqual([1, 3, 5]);
});

it('refuses a version listed twice', () => {
  expect(() => inVersionOrder([migration(1), migration(2), migration(1)])).toThrow(/listed twice/);
});

it('a new database gets every shipped migration, each recorded once, and migrating again changes nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookline-migrate-'));
  const store = new SqliteStore({ path: join(dir, 'h.db') });
  try {
    await store.migrate();
    await store.migrate();
    const versions = store.db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
    expect(versions).toEqual(inVersionOrder(MIGRATIONS).map((m) => m.version));
    expect(versions).toContain(5);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
