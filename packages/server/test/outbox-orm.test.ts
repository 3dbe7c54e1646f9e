// The transactional outbox through Kysely's and Drizzle's transactions on PostgreSQL (hookline/outbox/kysely,
// hookline/outbox/drizzle): the application's row and the event commit together or not at all. The worker here has
// a long poll, so a delivery it makes in time was woken by the NOTIFY sent at the application's commit.

import { drizzle } from 'drizzle-orm/node-postgres';
import { pgTable, text } from 'drizzle-orm/pg-core';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICES, serviceAvailable } from '../../../test/support/services.js';
import { createHookline, type Hookline } from '../src/embedded/create-hookline.js';
import { drizzleOutbox } from '../src/outbox/drizzle.js';
import { kyselyOutbox } from '../src/outbox/kysely.js';
import { dropSchema, randomSchemaName } from './support/postgres-schema.js';
import { TestReceiver, waitFor } from './support/receiver.js';

const available = await serviceAvailable('postgres');
const url = SERVICES.postgres.url;

/** Thrown inside a transaction to make the ORM roll it back. */
class RolledBack extends Error {}

describe.skipIf(!available)('publish inside a Kysely or Drizzle transaction', () => {
  const schema = randomSchemaName();
  const table = `${randomSchemaName()}_orders`;
  const receiver = new TestReceiver();
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  let hookline: Hookline;
  let appId: string;

  interface ShopDatabase {
    [table: string]: { event_id: string };
  }
  const kysely = new Kysely<ShopDatabase>({ dialect: new PostgresDialect({ pool }) });
  const orders = pgTable(table, { eventId: text('event_id').primaryKey() });
  const db = drizzle(pool);

  beforeAll(async () => {
    await receiver.start();
    hookline = await createHookline({
      database: `${url}?schema=${schema}`,
      allowPrivateNetworks: true,
      delivery: { retrySchedule: [0.05], pollIntervalMs: 60_000 },
    });
    appId = (await hookline.createApplication({ name: 'shop' })).id;
    await hookline.createEndpoint(appId, { url: `${receiver.url}/orders` });
    await pool.query(`CREATE TABLE public.${table} (event_id text PRIMARY KEY)`);
    hookline.startWorker();
  });

  afterAll(async () => {
    await hookline?.close();
    await pool.query(`DROP TABLE IF EXISTS public.${table}`);
    await kysely.destroy(); // ends the pool Drizzle shares
    await receiver.stop();
    await dropSchema(url, schema);
  }, 120_000);

  const received = (eventId: string) => receiver.requests.filter((r) => JSON.parse(r.body).eventId === eventId).length;
  const rowsOf = async (eventId: string) =>
    (await pool.query(`SELECT 1 FROM public.${table} WHERE event_id = $1`, [eventId])).rowCount;

  const orms = {
    kysely: async (eventId: string, outcome: 'commit' | 'rollback') => {
      await kysely.transaction().execute(async (trx) => {
        await trx.insertInto(table).values({ event_id: eventId }).execute();
        await hookline.publish(appId, 'order.created', { eventId }, { eventId, client: kyselyOutbox(trx) });
        // The application's own statements after the publish still find its tables (search_path put back).
        await trx.selectFrom(table).select('event_id').execute();
        if (outcome === 'rollback') throw new RolledBack();
      });
    },
    drizzle: async (eventId: string, outcome: 'commit' | 'rollback') => {
      await db.transaction(async (tx) => {
        await tx.insert(orders).values({ eventId });
        await hookline.publish(appId, 'order.created', { eventId }, { eventId, client: drizzleOutbox(tx) });
        await tx.select().from(orders);
        if (outcome === 'rollback') throw new RolledBack();
      });
    },
  };

  describe.each(Object.entries(orms))('%s', (name, placeOrder) => {
    async function sentinelDelivered() {
      const eventId = `${name}-sentinel-${randomSchemaName()}`;
      await placeOrder(eventId, 'commit');
      await waitFor(() => received(eventId) === 1, 'the sentinel delivered', 30_000);
    }

    it('delivers a committed event once, woken by the commit', { timeout: 60_000 }, async () => {
      const eventId = `${name}-committed`;
      await placeOrder(eventId, 'commit');
      await waitFor(() => received(eventId) === 1, 'the committed event delivered', 30_000);
      await sentinelDelivered();
      expect(received(eventId)).toBe(1);
      expect(await rowsOf(eventId)).toBe(1);
    });

    it('delivers nothing of a rolled-back transaction', { timeout: 60_000 }, async () => {
      const eventId = `${name}-rolled-back`;
      await expect(placeOrder(eventId, 'rollback')).rejects.toBeInstanceOf(RolledBack);
      await sentinelDelivered();
      expect(received(eventId)).toBe(0);
      expect(await hookline.store.getMessage(appId, eventId)).toBeNull();
      expect(await rowsOf(eventId)).toBe(0);
    });
  });
});
