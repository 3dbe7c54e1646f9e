import { PostgresInboxStore } from '@hookline/receiver';
import pg from 'pg';
import { afterAll, describe } from 'vitest';
import { SERVICES, serviceAvailable } from '../../../../test/support/services.js';
import { inboxStoreSuite } from './inbox-store.suite.js';

const ok = await serviceAvailable('postgres');

describe.skipIf(!ok)('PostgresInboxStore (real PostgreSQL)', () => {
  const pool = new pg.Pool({ connectionString: SERVICES.postgres.url, max: 4 });
  const otherPool = new pg.Pool({ connectionString: SERVICES.postgres.url, max: 4 });
  const tables: string[] = [];
  afterAll(async () => {
    for (const table of tables) await pool.query(`DROP TABLE IF EXISTS ${table}`);
    await pool.end();
    await otherPool.end();
  });

  inboxStoreSuite(async () => {
    let now = 1_700_000_000_000;
    const table = `hookline_inbox_test_${process.pid}_${Date.now().toString(36)}_${tables.length}`;
    tables.push(table);
    const clock = () => now;
    const store = new PostgresInboxStore(pool, { table, now: clock });
    await store.migrate();
    return {
      store,
      other: new PostgresInboxStore(otherPool, { table, now: clock }),
      advanceSeconds: (s) => {
        now += s * 1000;
      },
      now: clock,
    };
  });
});
