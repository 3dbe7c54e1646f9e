import BetterSqlite3 from 'better-sqlite3';
import { expect, it } from 'vitest';
import { applyMigrations } from './migrate.js';
import { MIGRATIONS } from './migrations.js';

const table = (version: number, name: string) => ({ version, name, sql: `CREATE TABLE ${name} (x INTEGER);` });

it('applies migrations in version order whatever the list order, and accepts a gap in the numbers', () => {
  const db = new BetterSqlite3(':memory:');
  // t3 refers to t1: it only works when 1 runs before 3.
  const three = { version: 3, name: 't3', sql: 'CREATE VIEW t3 AS SELECT x FROM t1;' };
  expect(applyMigrations(db, [three, table(1, 't1')])).toEqual([1, 3]);
  expect(applyMigrations(db, [three, table(1, 't1'), table(2, 't2')])).toEqual([2]);
  expect(applyMigrations(db, [three, table(1, 't1'), table(2, 't2')])).toEqual([]);
  db.close();
});

it('refuses a version listed twice', () => {
  const db = new BetterSqlite3(':memory:');
  expect(() => applyMigrations(db, [table(1, 'a'), table(1, 'b')])).toThrow(/listed twice/);
  db.close();
});

it('the shipped migrations apply to an empty database', () => {
  const db = new BetterSqlite3(':memory:');
  const versions = applyMigrations(db, MIGRATIONS);
  expect(versions).toEqual([...versions].sort((a, b) => a - b));
  expect(versions).toContain(5);
  db.close();
});
