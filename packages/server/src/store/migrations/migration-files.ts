// Migrations are numbered .sql files, one folder per dialect (sqlite/migrations/, postgres/migrations/), never edited
// once landed: this reads a folder into the ordered list the runner applies. How to add one: README.md here.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

export interface Migration {
  /** The number recorded in schema_migrations: its meaning never changes once landed. */
  readonly version: number;
  /** The file name (`0009-claim-function-lease-owners.sql`), recorded beside the version. */
  readonly name: string;
  readonly sql: string;
}

/** `NNNN-words-with-dashes.sql`: four digits so `ls` lists them in the order they run. */
export const MIGRATION_FILE_NAME = /^(\d{4})-[a-z0-9]+(?:-[a-z0-9]+)*\.sql$/;

export class MigrationFilesError extends Error {
  readonly code = 'HOOKLINE_MIGRATION_FILES';
}

/**
 * Every migration of a folder, in version order. A .sql file whose name breaks the pattern, a number used twice or
 * a number missing (1..N with a hole: a file lost in a copy) is refused, so a database never migrates from a
 * partial set.
 */
export function readMigrations(directory: URL): Migration[] {
  const names = readdirSync(directory)
    .filter((name) => name.endsWith('.sql'))
    .sort();
  const migrations = names.map((name): Migration => {
    const match = MIGRATION_FILE_NAME.exec(name);
    if (match === null) {
      throw new MigrationFilesError(`${name} in ${directory.pathname}: a migration is named NNNN-what-it-does.sql`);
    }
    return { version: Number(match[1]), name, sql: readFileSync(new URL(name, directory), 'utf8') };
  });
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new MigrationFilesError(
        `${migration.name} in ${directory.pathname}: expected number ${index + 1} here (numbers run 1, 2, 3… once each)`,
      );
    }
  });
  return migrations;
}

/** What checksums.json holds per file: line endings do not count, so a checkout with CRLF still matches. */
export function migrationChecksum(sql: string): string {
  return `sha256:${createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex')}`;
}
