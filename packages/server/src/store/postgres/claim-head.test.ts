// How much of an application's head one claim of the PostgreSQL claim function reads (0018): at most the batch.
// 0012 read an equal share of 4x the batch, so with one application having due work it read 4x the batch, and the
// next claims read the rows it could not take again. Rows are counted by PostgreSQL itself: the deliveries table's
// row fetches in pg_stat_xact_user_tables, read before and after the claim in the claim's own transaction.
import { afterEach, describe, expect, it } from 'vitest';
import { SERVICES, serviceAvailable } from '../../../../../test/support/services.js';
import { storeInFreshSchema } from '../../../test/support/postgres-schema.js';
import { createApp, createEndpoint, LEASE_MS, newMessage, T0 } from '../conformance/fixtures.js';
import type { PostgresStore } from './postgres-store.js';

const available = await serviceAvailable('postgres');
const url = SERVICES.postgres.url;
/** Claims run well after every publish: the whole backlog is due. */
const LATER = T0 + 60_000;

const ROWS_READ = `SELECT COALESCE(seq_tup_read, 0) + COALESCE(idx_tup_fetch, 0) AS n
  FROM pg_stat_xact_user_tables WHERE relid = 'deliveries'::regclass`;

describe.skipIf(!available)('the PostgreSQL claim at an application head', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function storeWithBacklog(backlog: number): Promise<PostgresStore> {
    const { store, cleanup } = storeInFreshSchema(url);
    cleanups.push(cleanup);
    await store.migrate();
    const app = await createApp(store);
    await createEndpoint(store, app.id);
    for (let k = 0; k < backlog; k++) await store.publish(app.id, newMessage(), T0 + k);
    return store;
  }

  /** One claim of `limit`, and the deliveries rows PostgreSQL read for it (heap rows of every scan). */
  async function claimCountingRows(store: PostgresStore, limit: number) {
    const client = await store.pool.connect();
    try {
      // Statistics as autovacuum would leave them (the rows are the same whenever it runs).
      await client.query('ANALYZE deliveries');
      await client.query('BEGIN');
      // Plans as on a queue too big to read whole: a table of 300 rows is cheaper to scan than to probe. With no
      // index-only scans every probe reads its row from the table, whatever the visibility map says at the time.
      await client.query('SET LOCAL enable_seqscan = off');
      await client.query('SET LOCAL enable_indexonlyscan = off');
      const before = (await client.query<{ n: string }>(ROWS_READ)).rows[0]?.n ?? '0';
      const { rows } = await client.query<{ due: string }>(
        `SELECT delivery->>'next_attempt_at' AS due FROM hookline_claim($1, $2, $3, 100, '{}', '{}', NULL)`,
        [LATER, LATER + LEASE_MS, limit],
      );
      const after = (await client.query<{ n: string }>(ROWS_READ)).rows[0]?.n ?? '0';
      await client.query('COMMIT');
      return { due: rows.map((row) => Number(row.due)), read: Number(after) - Number(before) };
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  it("reads no more of one application's head than the claim can take", async () => {
    const store = await storeWithBacklog(300);
    const { due, read } = await claimCountingRows(store, 5);
    expect(due).toEqual([T0, T0 + 1, T0 + 2, T0 + 3, T0 + 4]);
    // The head's 5, read again by id as candidates, locked and updated (5 each), and a few index probes. A head
    // read of 4x the batch (0012) made it 54: 15 more at the head, read again as candidates.
    expect(read).toBe(24);
  });
});
