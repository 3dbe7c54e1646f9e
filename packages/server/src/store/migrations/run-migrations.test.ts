import { describe, expect, it } from 'vitest';
import type { Migration } from './migration-files.js';
import { pendingMigrations, runMigrations } from './run-migrations.js';

const numbered = (...versions: number[]): Migration[] =>
  versions.map((version) => ({ version, name: `${version}.sql`, sql: '' }));

describe('pendingMigrations', () => {
  it('applies the missing numbers in order, whatever order they are listed in', () => {
    const pending = pendingMigrations(numbered(6, 1, 4, 2, 3), new Set([1, 2]));
    expect(pending.map((m) => m.version)).toEqual([3, 4, 6]);
  });

  it('applies a lower number that arrived after a higher one was applied (5 before 4)', () => {
    const pending = pendingMigrations(numbered(1, 2, 3, 4, 5), new Set([1, 2, 3, 5]));
    expect(pending.map((m) => m.version)).toEqual([4]);
  });

  it('has nothing to do on an up-to-date database', () => {
    expect(pendingMigrations(numbered(1, 2, 3), new Set([1, 2, 3]))).toEqual([]);
  });
});

describe('runMigrations', () => {
  it('applies each pending migration once, in order, with the time it ran', async () => {
    const applied: Array<[number, number]> = [];
    let clock = 100;
    await runMigrations(
      {
        appliedVersions: async () => new Set([1]),
        apply: async (migration, appliedAt) => {
          applied.push([migration.version, appliedAt]);
        },
      },
      numbered(1, 2, 3),
      () => clock++,
    );
    expect(applied).toEqual([
      [2, 100],
      [3, 101],
    ]);
  });

  it('stops at the first migration that fails, leaving the later ones for the next start', async () => {
    const applied: number[] = [];
    const run = runMigrations(
      {
        appliedVersions: async () => new Set(),
        apply: async (migration) => {
          if (migration.version === 2) throw new Error('syntax error');
          applied.push(migration.version);
        },
      },
      numbered(1, 2, 3),
    );
    await expect(run).rejects.toThrow('syntax error');
    expect(applied).toEqual([1]);
  });
});
