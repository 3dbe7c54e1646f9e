// What a piece of the PostgreSQL store needs from PostgresStore: one way to run a statement (counted, pooled).
import type pg from 'pg';

export interface PostgresParts {
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}
