// The one migration runner both stores use: what a database still needs, applied in version order, each in its own
// transaction with its version recorded. The dialect supplies only how to read the applied versions and how to run
// one migration inside a transaction.
import type { Migration } from './migration-files.js';

export interface MigrationTarget {
  /** The versions schema_migrations holds (the table exists by then). */
  appliedVersions(): Promise<ReadonlySet<number>>;
  /** Runs the migration's SQL and records (version, name, appliedAt) in one transaction: both or neither. */
  apply(migration: Migration, appliedAt: number): Promise<void>;
}

/**
 * The migrations a database still needs, in version order. A database may have been given a later number before an
 * earlier one (before numbers were kept in one folder, two changes each took one: 5 before 4): each missing one is
 * applied.
 */
export function pendingMigrations(all: readonly Migration[], applied: ReadonlySet<number>): Migration[] {
  return all.filter((migration) => !applied.has(migration.version)).sort((a, b) => a.version - b.version);
}

export async function runMigrations(
  target: MigrationTarget,
  all: readonly Migration[],
  now: () => number = Date.now,
): Promise<void> {
  for (const migration of pendingMigrations(all, await target.appliedVersions())) {
    await target.apply(migration, now());
  }
}
