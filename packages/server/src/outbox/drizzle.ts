// The transactional outbox with Drizzle on node-postgres: `publish(..., { client: drizzleOutbox(tx) })` inside
// `db.transaction(async (tx) => …)`. Its own entry point (`hookline/outbox/drizzle`), so Drizzle is loaded only by
// applications that import it (this file imports its types alone).
import type { TablesRelationalConfig } from 'drizzle-orm';
import type { NodePgQueryResultHKT } from 'drizzle-orm/node-postgres';
import type { PgTransaction } from 'drizzle-orm/pg-core';
import type { OutboxClient } from '../store/postgres/messages.js';

/**
 * Hookline's statements run on the transaction's session, so the message and its deliveries commit or roll back with
 * the application's rows. They go as written, through the session's prepareQuery (what Drizzle's own `tx.execute`
 * calls once it has built its SQL): building them as Drizzle SQL would give each use of a `$n` a parameter of its
 * own, and PostgreSQL would then infer a repeated `$7` (a time) as text where it is not beside its column.
 */
export function drizzleOutbox<FullSchema extends Record<string, unknown>, Schema extends TablesRelationalConfig>(
  tx: PgTransaction<NodePgQueryResultHKT, FullSchema, Schema>,
): OutboxClient {
  return {
    async query(text, values = []) {
      const prepared = tx._.session.prepareQuery({ sql: text, params: values }, undefined, undefined, false);
      const result = (await prepared.execute()) as { rows: unknown[] };
      return { rows: result.rows };
    },
  };
}
