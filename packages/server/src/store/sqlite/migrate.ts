// Applies the numbered migrations a database lacks, in version order, each in its own transaction. Numbers may
// have gaps (branches take numbers independently); a number listed twice is a programming error.
import type { Database } from 'better-sqlite3';
import type { Migration } from './migrations.js';

export function applyMigrations(db: Database, migrations: readonly Migration[], now: number = Date.now()): number[] {
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  for (let i = 1; i < ordered.length; i++) {
    if ((ordered[i] as Migration).version === (ordered[i - 1] as Migration).version) {
      throw new Error(`migration ${(ordered[i] as Migration).version} is listed twice`);
    }
  }
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at INTEGER)');
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version),
  );
  const newlyApplied: number[] = [];
  for (const migration of ordered) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        now,
      );
    })();
    newlyApplied.push(migration.version);
  }
  return newlyApplied;
}
