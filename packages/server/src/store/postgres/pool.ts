// The pg pool the PostgreSQL store runs on: bigints read as numbers (epoch milliseconds fit), timeouts on every
// step so nothing waits forever on a database that went away, and an optional schema (tests, several instances).
import type pg from 'pg';
import { checkSchemaName } from './database-url.js';
import { pgDriver } from './pg-driver.js';

export interface PostgresConnectionOptions {
  /** postgres://user@host:port/database */
  url: string;
  /** Tables live in this schema (created by migrate); default: the database's search_path. */
  schema?: string | null;
  /** Connections in the pool. */
  max?: number;
  /** Longest wait for a connection, and for one statement, before it fails instead of hanging. */
  connectTimeoutMs?: number;
  statementTimeoutMs?: number;
}

/** Epoch milliseconds and counts come back as int8: numbers, not strings (they stay below 2^53). */
const INT8_OID = 20;
const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID) return (value: string) => Number(value);
    return pgDriver.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export function connectionConfig(options: PostgresConnectionOptions): pg.ClientConfig {
  const statementTimeoutMs = options.statementTimeoutMs ?? 30_000;
  // lock_timeout too: a claim waits for an endpoint's gate row only as long as another claim holds it (milliseconds);
  // waiting longer means something is stuck, and the claim loop should log it and go on.
  const settings = [`-c statement_timeout=${statementTimeoutMs}`, '-c lock_timeout=10000'];
  if (options.schema != null) settings.push(`-c search_path=${checkSchemaName(options.schema)}`);
  return {
    connectionString: options.url,
    types: typeParsers,
    options: settings.join(' '),
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    // The client-side bound: a statement on a connection the server no longer answers fails, it does not hang.
    query_timeout: statementTimeoutMs + 5000,
    keepAlive: true,
  };
}
