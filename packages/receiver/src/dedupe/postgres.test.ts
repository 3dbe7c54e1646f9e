import { PostgresDedupeStore } from '@hookline/receiver';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { SERVICES, serviceAvailable } from '../../../../test/support/services.js';
import { dedupeStoreSuite } from './dedupe-store.suite.js';

const ok = await serviceAvailable('postgres');

describe.skipIf(!ok)('PostgresDedupeStore (real PostgreSQL)', () => {
  const pool = new pg.Pool({ connectionString: SERVICES.postgres.url, max: 8 });
  // A table per run, so parallel runs never share rows.
  const table = `hookline_dedupe_test_${process.pid}_${Date.now().toString(36)}`;
  afterAll(async () => {
    await pool.query(`DROP TABLE IF EXISTS ${table}`);
    await pool.end();
  });

  dedupeStoreSuite(async () => {
    let now = 1_000_000;
    return {
      store: new PostgresDedupeStore(pool, { table, now: () => now }),
      advanceSeconds: (s) => (now += s * 1000),
    };
  });

  it('two pools (two processes) agree on who claimed', async () => {
    const other = new pg.Pool({ connectionString: SERVICES.postgres.url, max: 2 });
    try {
      const a = new PostgresDedupeStore(pool, { table });
      const b = new PostgresDedupeStore(other, { table });
      expect(await a.claim('evt_two_pools', 60)).toBe('claimed');
      expect(await b.claim('evt_two_pools', 60)).toBe('in-progress');
    } finally {
      await other.end();
    }
  });
});
