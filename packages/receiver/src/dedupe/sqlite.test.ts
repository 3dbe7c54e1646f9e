import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteDedupeStore } from '@hookline/receiver';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { dedupeStoreSuite } from './dedupe-store.suite.js';

describe('SqliteDedupeStore (a real database file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookline-dedupe-'));
  const db = new Database(join(dir, 'dedupe.db'));
  db.pragma('journal_mode = WAL');
  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  dedupeStoreSuite(async () => {
    let now = 1_000_000;
    return { store: new SqliteDedupeStore(db, { now: () => now }), advanceSeconds: (s) => (now += s * 1000) };
  });

  it('a second connection to the same file sees the first one claims (two processes, one file)', async () => {
    const other = new Database(join(dir, 'dedupe.db'));
    try {
      const a = new SqliteDedupeStore(db, { table: 'shared_dedupe' });
      const b = new SqliteDedupeStore(other, { table: 'shared_dedupe' });
      expect(await a.claim('evt_shared', 60)).toBe('claimed');
      expect(await b.claim('evt_shared', 60)).toBe('in-progress');
      await a.complete('evt_shared', 60);
      expect(await b.claim('evt_shared', 60)).toBe('done');
    } finally {
      other.close();
    }
  });

  it('refuses a table name that is not a plain identifier', () => {
    expect(() => new SqliteDedupeStore(db, { table: 'x; DROP TABLE y' })).toThrow(/identifier/);
  });
});
