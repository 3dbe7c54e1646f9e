// The transactional outbox with Drizzle on node-postgres: `publish(..., { client: drizzleOutbox(tx) })` inside
// `db.transaction(async (tx) => …)`. Its own entry point (`hookline/outbox/drizzle`), so Drizzle is loaded only by
// applications that import it.
import { type SQL, sql, type TablesRelationalConfig } from 'drizzle-orm';
import type { NodePgQueryResultHKT } from 'drizzle-orm/node-postgres';
import type { PgTransaction } from 'drizzle-orm/pg-core';
import type { OutboxClient } from '../store/postgres/messages.js';

/**
 * Hookline's statements run on the transaction's session through its public `execute`, so the message and its
 * deliveries commit or roll back with the application's rows.
 */
export function drizzleOutbox<FullSchema extends Record<string, unknown>, Schema extends TablesRelationalConfig>(
  tx: PgTransaction<NodePgQueryResultHKT, FullSchema, Schema>,
): OutboxClient {
  return {
    async query(text, values = []) {
      const result = await tx.execute(boundStatement(text, values));
      return { rows: result.rows };
    },
  };
}

/**
 * A statement as Hookline wrote it, with `$1 … $n`, and its values bound as Drizzle parameters (never inlined).
 * Drizzle numbers a statement's parameters $1, $2, … in the order they appear, so the values are listed once each, in
 * order, in a trailing comment: there they become the $1 … $n the statement refers to, and PostgreSQL ignores the
 * comment itself. Interpolating the values where they are used instead would give each use of a `$n` a parameter of
 * its own, and PostgreSQL would then infer a repeated `$7` (a time) as text where it is not beside its column.
 */
function boundStatement(text: string, values: readonly unknown[]): SQL {
  if (values.length === 0) return sql.raw(text);
  const listed = sql.join(
    values.map((value) => sql.param(value)),
    sql.raw(' '),
  );
  return sql`${sql.raw(text)}\n/* ${listed} */`;
}
