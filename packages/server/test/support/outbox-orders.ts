// The application's own work in the outbox tests (outbox-postgres.test.ts and its child, outbox-child.ts): its row
// in its own table and the event, in one transaction, through each way an application can hold one: a node-postgres
// client, a Kysely transaction, a Drizzle transaction. The test decides how the transaction ends (`end`): commit,
// roll back, or never (the child that is killed).
import { drizzle } from 'drizzle-orm/node-postgres';
import { pgTable, text } from 'drizzle-orm/pg-core';
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import type { Hookline } from '../../src/embedded/create-hookline.js';
import { drizzleOutbox } from '../../src/outbox/drizzle.js';
import { kyselyOutbox } from '../../src/outbox/kysely.js';

export const OUTBOX_WAYS = ['client', 'kysely', 'drizzle'] as const;
export type OutboxWay = (typeof OUTBOX_WAYS)[number];

/** Thrown by `end` to make the transaction roll back (the ORMs roll back on a throw). */
export class RolledBack extends Error {}

/** How a transaction ends once the row and the event are written: resolve commits, RolledBack rolls back. */
export type TransactionEnd = () => Promise<void>;
export const commit: TransactionEnd = async () => undefined;
export const rollBack: TransactionEnd = async () => {
  throw new RolledBack();
};

interface ShopDatabase {
  [table: string]: { event_id: string };
}

export class OrderPlacer {
  private readonly kysely: Kysely<ShopDatabase>;
  private readonly orders;
  private readonly db;

  /** `table` is the application's table in the public schema; Hookline's tables are in a schema of their own. */
  constructor(
    private readonly hookline: Hookline,
    private readonly appId: string,
    private readonly table: string,
    private readonly pool: pg.Pool,
  ) {
    this.kysely = new Kysely<ShopDatabase>({ dialect: new PostgresDialect({ pool }) });
    this.orders = pgTable(table, { eventId: text('event_id').primaryKey() });
    this.db = drizzle(pool);
  }

  /** The row and the event `eventId` through `way`; a RolledBack from `end` is the expected end, not an error. */
  async place(way: OutboxWay, eventId: string, end: TransactionEnd): Promise<void> {
    try {
      await this.transaction(way, eventId, end);
    } catch (error) {
      if (!(error instanceof RolledBack)) throw error;
    }
  }

  private async transaction(way: OutboxWay, eventId: string, end: TransactionEnd): Promise<void> {
    const hookline = this.hookline;
    const appId = this.appId;
    const table = this.table;
    const event = { eventId } as const;
    if (way === 'client') {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(`INSERT INTO public.${table} (event_id) VALUES ($1)`, [eventId]);
        await hookline.publish(appId, 'order.created', event, { eventId, client });
        // The application's own statements after the publish still find its tables (search_path put back).
        await client.query(`SELECT count(*) FROM ${table}`);
        try {
          await end();
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    } else if (way === 'kysely') {
      await this.kysely.transaction().execute(async (trx) => {
        await trx.insertInto(table).values({ event_id: eventId }).execute();
        await hookline.publish(appId, 'order.created', event, { eventId, client: kyselyOutbox(trx) });
        await trx.selectFrom(table).select('event_id').execute();
        await end();
      });
    } else {
      await this.db.transaction(async (tx) => {
        await tx.insert(this.orders).values({ eventId });
        await hookline.publish(appId, 'order.created', event, { eventId, client: drizzleOutbox(tx) });
        await tx.select().from(this.orders);
        await end();
      });
    }
  }

  /** Ends the pool too (Kysely owns it once given it). */
  async close(): Promise<void> {
    await this.kysely.destroy();
  }
}
