// The store a configuration names: a postgres:// URL opens PostgreSQL, anything else is a SQLite file. One place, so
// `hookline serve` and `hookline migrate` can never disagree about what a --database value means.
import type { Logger } from 'pino';
import type { ServerConfig } from '../config.js';
import { isPostgresUrl, splitSchemaFromUrl } from '../store/postgres/database-url.js';
import type { Store } from '../store/store.js';

export type StoreConfig = Pick<ServerConfig, 'database' | 'sqliteSynchronous' | 'delivery'>;

/** Loads only the driver the configuration names: a SQLite server never loads pg, nor PostgreSQL better-sqlite3. */
export async function openStore(config: StoreConfig, logger?: Logger): Promise<Store> {
  if (isPostgresUrl(config.database)) {
    const { PostgresStore } = await import('../store/postgres/postgres-store.js');
    const circuit = {
      failureThreshold: config.delivery.circuitFailureThreshold,
      openMs: config.delivery.circuitOpenMs,
      maxOpenMs: Math.max(config.delivery.circuitOpenMs, 600_000),
    };
    return new PostgresStore({ ...splitSchemaFromUrl(config.database), circuit, ...(logger ? { logger } : {}) });
  }
  const { SqliteStore } = await import('../store/sqlite/sqlite-store.js');
  return new SqliteStore({ path: config.database, synchronous: config.sqliteSynchronous });
}

/** Where the store is, for logs and messages: a PostgreSQL URL may carry a password, so never who, only where. */
export function describeDatabase(database: string): string {
  if (!isPostgresUrl(database)) return database;
  try {
    const parsed = new URL(database);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return 'postgres://…';
  }
}
