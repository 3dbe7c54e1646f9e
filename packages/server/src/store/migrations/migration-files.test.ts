import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { migrationChecksum, readMigrations } from './migration-files.js';

let folder = '';
afterEach(() => {
  if (folder !== '') rmSync(folder, { recursive: true, force: true });
  folder = '';
});

/** A migrations folder holding these files (name → SQL). */
function folderOf(files: Record<string, string>): URL {
  folder = mkdtempSync(join(tmpdir(), 'hookline-migrations-'));
  mkdirSync(folder, { recursive: true });
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(folder, name), sql);
  return pathToFileURL(`${folder}/`);
}

describe('readMigrations', () => {
  it('reads the .sql files in number order, with their text and file name', () => {
    const directory = folderOf({
      '0002-second.sql': 'CREATE TABLE b (x);',
      '0001-first.sql': 'CREATE TABLE a (x);',
      'checksums.json': '{}',
    });
    expect(readMigrations(directory)).toEqual([
      { version: 1, name: '0001-first.sql', sql: 'CREATE TABLE a (x);' },
      { version: 2, name: '0002-second.sql', sql: 'CREATE TABLE b (x);' },
    ]);
  });

  it('refuses a number used twice', () => {
    const directory = folderOf({ '0001-a.sql': '', '0002-b.sql': '', '0002-c.sql': '' });
    expect(() => readMigrations(directory)).toThrow(/0002-c\.sql.*expected number 3/);
  });

  it('refuses a number skipped', () => {
    const directory = folderOf({ '0001-a.sql': '', '0003-c.sql': '' });
    expect(() => readMigrations(directory)).toThrow(/0003-c\.sql.*expected number 2/);
  });

  it('refuses a .sql file not named NNNN-what-it-does.sql', () => {
    expect(() => readMigrations(folderOf({ '0001-a.sql': '', '2-b.sql': '' }))).toThrow(/2-b\.sql/);
    expect(() => readMigrations(folderOf({ '0001-Init.sql': '' }))).toThrow(/0001-Init\.sql/);
  });
});

describe('migrationChecksum', () => {
  it('changes with the text but not with line endings', () => {
    expect(migrationChecksum('a\r\nb\n')).toBe(migrationChecksum('a\nb\n'));
    expect(migrationChecksum('a\nb\n')).not.toBe(migrationChecksum('a\nc\n'));
    expect(migrationChecksum('')).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});
