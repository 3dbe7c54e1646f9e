import { describe, expect, it } from 'vitest';
import { MIGRATIONS, type Migration, pendingMigrations } from './migrations.js';

const numbered = (...versions: number[]): Migration[] =>
  versions.map((version) => ({ version, name: `m${version}`, sql: '' }));

describe('pendingMigrations', () => {
  it('applies the missing numbers in order, across a gap', () => {
    const pending = pendingMigrations(numbered(6, 1, 4, 2, 3), new Set([1, 2]));
    expect(pending.map((m) => m.version)).toEqual([3, 4, 6]);
  });

  it('applies a lower number that arrived after a higher one was applied (5 before 4)', () => {
    const pending = pendingMigrations(numbered(1, 2, 3, 4, 5), new Set([1, 2, 3, 5]));
    expect(pending.map((m) => m.version)).toEqual([4]);
  });

  it('has nothing to do on an up-to-date database', () => {
    expect(pendingMigrations(MIGRATIONS, new Set(MIGRATIONS.map((m) => m.version)))).toEqual([]);
  });

  it('ships unique version numbers', () => {
    const versions = MIGRATIONS.map((m) => m.version);
    expect(new Set(versions).size).toBe(versions.length);
  });
});
