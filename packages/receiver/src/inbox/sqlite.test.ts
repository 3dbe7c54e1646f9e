import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteInboxStore } from '@hookline/receiver';
import Database from 'better-sqlite3';
import { afterAll, describe } from 'vitest';
import { inboxStoreSuite } from './inbox-store.suite.js';

describe('SqliteInboxStore (a real database file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookline-inbox-'));
  const file = join(dir, 'inbox.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  const otherDb = new Database(file);
  otherDb.pragma('busy_timeout = 2000');
  afterAll(() => {
    db.close();
    otherDb.close();
    rmSync(dir, { recursive: true, force: true });
  });

  let suite = 0;
  inboxStoreSuite(async () => {
    let now = 1_700_000_000_000;
    const table = `inbox_${++suite}`;
    const clock = () => now;
    return {
      store: new SqliteInboxStore(db, { table, now: clock }),
      other: new SqliteInboxStore(otherDb, { table, now: clock }),
      advanceSeconds: (s) => {
        now += s * 1000;
      },
      now: clock,
    };
  });
});
