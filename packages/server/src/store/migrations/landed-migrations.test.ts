// Landed migrations are never edited: a database that ran one will never run it again, so a changed file would
// leave old and new databases with different schemas under the same version number. Each dialect's folder keeps
// checksums.json, the list of landed files and their SHA-256; this test fails when the list and the folder disagree.
//
// To add a migration (README.md here): write the next number in the dialect's folder, e.g.
// sqlite/migrations/0011-what-it-does.sql, run this test, and add the line its failure prints to that folder's
// checksums.json. To change what a landed migration did, add a new number that changes it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { POSTGRES_MIGRATIONS_DIRECTORY, postgresMigrations } from '../postgres/migrations.js';
import { SQLITE_MIGRATIONS_DIRECTORY, sqliteMigrations } from '../sqlite/migrations.js';
import { type Migration, migrationChecksum } from './migration-files.js';

const dialects: Array<[string, URL, () => readonly Migration[]]> = [
  ['sqlite', SQLITE_MIGRATIONS_DIRECTORY, sqliteMigrations],
  ['postgres', POSTGRES_MIGRATIONS_DIRECTORY, postgresMigrations],
];

describe.each(dialects)('%s migrations', (dialect, directory, migrations) => {
  const landed = JSON.parse(readFileSync(new URL('checksums.json', directory), 'utf8')) as Record<string, string>;

  it('number 1, 2, 3… once each, every file named NNNN-what-it-does.sql', () => {
    // readMigrations refuses a gap, a reused number or a badly named file; this states the outcome.
    expect(migrations().map((migration) => migration.version)).toEqual(migrations().map((_, index) => index + 1));
  });

  it('leave every landed migration exactly as it landed', () => {
    const changed = migrations()
      .filter((migration) => landed[migration.name] !== undefined)
      .filter((migration) => landed[migration.name] !== migrationChecksum(migration.sql))
      .map((migration) => migration.name);
    expect(
      changed,
      `landed ${dialect} migrations were edited: restore them (git checkout main -- <file>) and put the change in a new number`,
    ).toEqual([]);
  });

  it('keep every landed migration, under its own name', () => {
    const present = new Set(migrations().map((migration) => migration.name));
    const missing = Object.keys(landed).filter((name) => !present.has(name));
    expect(missing, `landed ${dialect} migrations were removed or renamed: restore them`).toEqual([]);
  });

  it('list every migration in checksums.json', () => {
    const unlisted = migrations()
      .filter((migration) => landed[migration.name] === undefined)
      .map((migration) => `  "${migration.name}": "${migrationChecksum(migration.sql)}"`);
    expect(
      unlisted,
      `new ${dialect} migrations: once each is final, add these lines to ${dialect}/migrations/checksums.json`,
    ).toEqual([]);
  });
});

describe('the PostgreSQL claim function', () => {
  it('is created or replaced only by migrations named NNNN-claim-function….sql', () => {
    const touching = postgresMigrations()
      .filter((migration) => /\b(CREATE|DROP)\s+(OR\s+REPLACE\s+)?FUNCTION\s+hookline_claim\b/i.test(migration.sql))
      .map((migration) => migration.name);
    expect(touching.length).toBeGreaterThan(0);
    expect(touching.filter((name) => !/^\d{4}-claim-function/.test(name))).toEqual([]);
  });
});
