// SQLite's migrations are the numbered .sql files in ./migrations/, applied by the shared runner
// (../migrations/run-migrations.ts); this file only says where they are and how SQLite runs one.
import type { Database } from 'better-sqlite3';
import { type Migration, readMigrations } from '../migrations/migration-files.js';
import { runMigrations } from '../migrations/run-migrations.js';

/**
 * Resolved through src/ from src/store/sqlite/ and dist/store/sqlite/ alike (both sit two levels under the
 * package): tsc copies no .sql into dist, and the published package and the container image keep src/'s .sql files.
 */
export const SQLITE_MIGRATIONS_DIRECTORY = new URL('../../../src/store/sqlite/migrations/', import.meta.url);

let migrations: readonly Migration[] | undefined;

/** Read once per process, on the first migrate. */
export function sqliteMigrations(): readonly Migration[] {
  migrations ??= readMigrations(SQLITE_MIGRATIONS_DIRECTORY);
  return migrations;
}

/** Brings the database to the latest version, each migration in its own transaction. */
export async function migrateSqlite(db: Database, all: readonly Migration[] = sqliteMigrations()): Promise<void> {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at INTEGER)');
  await runMigrations(
    {
      appliedVersions: async () =>
        new Set(
          (db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map(
            (row) => row.version,
          ),
        ),
      apply: async (migration, appliedAt) => {
        db.transaction(() => {
          db.exec(migration.sql);
          db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
            migration.version,
            migration.name,
            appliedAt,
          );
        })();
      },
    },
    all,
  );
}
