// What a module of the PostgreSQL store needs from PostgresStore: a way to run a statement on the pool, and a
// transaction on one connection checked out of it.
import type pg from 'pg';
import type { Queryable } from './watched-pool.js';

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
