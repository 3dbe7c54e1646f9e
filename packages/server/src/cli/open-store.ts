// The store a configuration names: a postgres:// URL opens PostgreSQL, anything else is a SQLite file. One place, so
// `hookline serve` and `hookline migrate` can never disagree about what a --database value means.
import type { Logger } from 'pino';
import type { ServerConfig } from '../config.js';
import { isPostgresUrl, splitSchemaFromUrl } from '../store/postgres/database-url.js';
import { type SecretBox, secretBoxFrom } from '../store/secret-box.js';
import type { Store } from '../store/store.js';

export type StoreConfig = Pick<ServerConfig, 'database' | 'sqliteSynchronous' | 'delivery' | 'encryption'>;

/**
 * Loads only the driver the configuration names: a SQLite server never loads pg, nor PostgreSQL better-sqlite3.
 * `secretBox`: the keys the store seals with; by default the configuration's.
 */
export async function openStore(
  config: StoreConfig,
  logger?: Logger,
  secretBox: SecretBox = secretBoxFrom(config.encryption),
): Promise<Store> {
  if (isPostgresUrl(config.database)) {
    const { PostgresStore } = await import('../store/postgres/postgres-store.js');
    const circuit = {
      failureThreshold: config.delivery.circuitFailureThreshold,
      openMs: config.delivery.circuitOpenMs,
      maxOpenMs: Math.max(config.delivery.circuitOpenMs, 600_000),
    };
    return new PostgresStore({
      ...splitSchemaFromUrl(config.database),
      circuit,
      secretBox,
      ...(logger ? { logger } : {}),
    });
  }
  const { SqliteStore } = await import('../store/sqlite/sqlite-store.js');
  return new SqliteStore({ path: config.database, synchronous: config.sqliteSynchronous, secretBox });
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
