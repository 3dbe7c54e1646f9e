import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { SERVICES, serviceAvailable } from '../../../../../test/support/services.js';
import { storeInFreshSchema } from '../../../test/support/postgres-schema.js';
import { runStoreConformance } from '../conformance/index.js';

const available = await serviceAvailable('postgres');

describe.skipIf(!available)('PostgresStore (real PostgreSQL, a schema per test)', () => {
  runStoreConformance('PostgresStore', async () => storeInFreshSchema(SERVICES.postgres.url));
});

describe.skipIf(!available)('PostgresStore schema', () => {
  it('indexes the child columns of every foreign key, so no cascade or check scans a table', async () => {
    const { store, schema, cleanup } = storeInFreshSchema(SERVICES.postgres.url);
    try {
      await store.migrate();
      const client = new pg.Client({ connectionString: SERVICES.postgres.url });
      await client.connect();
      try {
        const counted = await client.query<{ n: string }>(
          "SELECT count(*) AS n FROM pg_constraint WHERE contype = 'f' AND connamespace = to_regnamespace($1)",
          [schema],
        );
        // A partial index (indpred set) cannot serve `DELETE ... WHERE child = ?`: only full ones count.
        const unindexed = await client.query<{ key: string }>(
          `SELECT c.conrelid::regclass::text || ' ' || c.conname AS key FROM pg_constraint c
           WHERE c.contype = 'f' AND c.connamespace = to_regnamespace($1)
             AND NOT EXISTS (
               SELECT 1 FROM pg_index i
               WHERE i.indrelid = c.conrelid AND i.indpred IS NULL
                 AND (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(c.conkey)] @> c.conkey
                 AND (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(c.conkey)] <@ c.conkey)`,
          [schema],
        );
        expect(Number(counted.rows[0]?.n)).toBeGreaterThan(5);
        expect(unindexed.rows.map((row) => row.key)).toEqual([]);
      } finally {
        await client.end();
      }
    } finally {
      await cleanup();
    }
  });
});
