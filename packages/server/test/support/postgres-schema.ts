// For tests: a PostgresStore in a fresh schema of its own on the shared test database, dropped afterwards, so
// parallel runs and other suites never see each other's rows.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresStore, type PostgresStoreOptions } from '../../src/store/postgres/postgres-store.js';

export function randomSchemaName(): string {
  return `hl_${randomBytes(6).toString('hex')}`;
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

export function storeInFreshSchema(
  url: string,
  options: Omit<PostgresStoreOptions, 'url' | 'schema'> = {},
): { store: PostgresStore; schema: string; cleanup(): Promise<void> } {
  const schema = randomSchemaName();
  const store = new PostgresStore({ url, schema, max: 4, ...options });
  return {
    store,
    schema,
    async cleanup() {
      await store.close();
      await dropSchema(url, schema);
    },
  };
}
