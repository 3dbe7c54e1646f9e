// PostgreSQL's migrations are the numbered .sql files in ./migrations/, applied by the shared runner
// (../migrations/run-migrations.ts); this file only says where they are and how PostgreSQL runs one. The claim
// function lives in the files named NNNN-claim-function*.sql, the latest of which is the one in force.
import { type Migration, readMigrations } from '../migrations/migration-files.js';
import { runMigrations } from '../migrations/run-migrations.js';
import type { Queryable } from './watched-pool.js';

/**
 * Resolved through src/ from src/store/postgres/ and dist/store/postgres/ alike (both sit two levels under the
 * package): tsc copies no .sql into dist, and the published package and the container image keep src/'s .sql files.
 */
export const POSTGRES_MIGRATIONS_DIRECTORY = new URL('../../../src/store/postgres/migrations/', import.meta.url);

let migrations: readonly Migration[] | undefined;

/** Read once per process, on the first migrate. */
export function postgresMigrations(): readonly Migration[] {
  migrations ??= readMigrations(POSTGRES_MIGRATIONS_DIRECTORY);
  return migrations;
}

/**
 * Brings the schema (the client's search_path) to the latest version, each migration in its own transaction. The
 * caller holds the migration lock, so processes starting together do not race here.
 */
export async function migratePostgres(
  client: Queryable,
  all: readonly Migration[] = postgresMigrations(),
): Promise<void> {
  await client.query(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
  );
  await runMigrations(
    {
      appliedVersions: async () =>
        new Set(
          (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map(
            (row) => row.version,
          ),
        ),
      apply: async (migration, appliedAt) => {
        await client.query('BEGIN');
        try {
          // No parameters: pg sends it as one simple query, which may hold several statements.
          await client.query(migration.sql);
          await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
            migration.version,
            migration.name,
            appliedAt,
          ]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
      },
    },
    all,
  );
}
