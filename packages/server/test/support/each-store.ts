// A real Hookline on each store, for HTTP tests that must hold on both: SQLite in a temp dir, and PostgreSQL in a
// fresh schema of its own (dropped on stop), so parallel runs never see each other's rows.
import { SERVICES, serviceAvailable } from '../../../../test/support/services.js';
import { type DeliveryConfig, startHookline, type TestHookline } from './hookline.js';
import { dropSchema, randomSchemaName } from './postgres-schema.js';

export type StoreKind = 'sqlite' | 'postgres';

/** The stores to run on: SQLite always, PostgreSQL when it answers (under CI=true it must). */
export async function availableStores(): Promise<StoreKind[]> {
  return (await serviceAvailable('postgres')) ? ['sqlite', 'postgres'] : ['sqlite'];
}

export interface StoreHookline extends TestHookline {
  /** On PostgreSQL, the schema its tables live in (for tests that look at rows directly); null on SQLite. */
  postgresSchema: string | null;
}

export async function startHooklineOn(
  store: StoreKind,
  delivery: DeliveryConfig = {},
  overrides: Parameters<typeof startHookline>[1] = {},
): Promise<StoreHookline> {
  if (store === 'sqlite') return { ...(await startHookline(delivery, overrides)), postgresSchema: null };
  const schema = randomSchemaName();
  const url = new URL(SERVICES.postgres.url);
  url.searchParams.set('schema', schema);
  const hookline = await startHookline(delivery, { ...overrides, database: url.toString() });
  return {
    ...hookline,
    postgresSchema: schema,
    async stop() {
      await hookline.stop();
      await dropSchema(SERVICES.postgres.url, schema);
    },
  };
}
