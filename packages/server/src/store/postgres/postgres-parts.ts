// What a module of the PostgreSQL store needs from PostgresStore: a way to run a statement on the pool, and a
// transaction on one connection checked out of it.
import type pg from 'pg';
import type { Queryable, WatchedPool } from './watched-pool.js';

export interface PostgresParts {
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
  /** Runs `work` between BEGIN and COMMIT on one connection; rolls back when it throws. */
  transaction<T>(work: (client: Queryable) => Promise<T>): Promise<T>;
}

/** The unique constraint a statement broke, when that is what failed (SQLSTATE 23505). */
export function uniqueViolation(error: unknown, constraint: string): boolean {
  const pgError = error as { code?: string; constraint?: string };
  return pgError.code === '23505' && pgError.constraint === constraint;
}

/** BEGIN, `work`, COMMIT on one connection of the pool; ROLLBACK when it throws (a connection that cannot is dropped). */
export async function inTransaction<T>(pool: WatchedPool, work: (client: Queryable) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}
