// The transactional outbox with Kysely on PostgreSQL: `publish(..., { client: kyselyOutbox(trx) })` inside
// `db.transaction().execute(async (trx) => …)`. Its own entry point (`hookline/outbox/kysely`), so Kysely is loaded
// only by applications that import it.
import { CompiledQuery, type Transaction } from 'kysely';
import type { OutboxClient } from '../store/postgres/messages.js';

/**
 * Hookline's statements run on the transaction's own connection (`executeQuery`), so the message and its deliveries
 * commit or roll back with the application's rows. The database type is the application's; nothing here reads it.
 */
export function kyselyOutbox<Database>(trx: Transaction<Database>): OutboxClient {
  return {
    async query(text, values = []) {
      const result = await trx.executeQuery(CompiledQuery.raw(text, values));
      return { rows: result.rows as unknown[] };
    },
  };
}
