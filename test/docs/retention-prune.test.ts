// The operating guide's hand pruning (docs/guides/operating.md, "Retention"), run as written on a real server's
// database whose messages were made old: the finished ones go with their deliveries and attempts, one still waiting
// stays. The docs test runs the same command too, but on a fresh database where nothing is old enough to go.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appWithEndpoint,
  attemptsOf,
  publish,
  startHookline,
  type TestHookline,
} from '../../packages/server/test/support/hookline.js';
import { TestReceiver, waitFor } from '../../packages/server/test/support/receiver.js';
import { isCi } from '../support/services.js';
import { extractSnippets } from './markdown-snippets.js';

const GUIDE = 'docs/guides/operating.md';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DAY_MS = 86_400_000;

function pruneCommand(): string {
  const blocks = extractSnippets(readFileSync(join(ROOT, GUIDE), 'utf8'), GUIDE).filter(
    (snippet) => snippet.runs === 'sh' && snippet.code.includes('DELETE FROM messages'),
  );
  if (blocks.length !== 1) throw new Error(`${GUIDE} should hold one pruning block, not ${blocks.length}`);
  return (blocks[0] as { code: string }).code;
}

function sqliteShellAvailable(): boolean {
  if (existsSync('/usr/bin/sqlite3')) return true;
  const install = 'apt-get install -y sqlite3';
  if (isCi()) throw new Error(`the sqlite3 shell is missing, and CI=true requires it: ${install}`);
  console.warn(`SKIP the retention pruning test: the sqlite3 shell is missing (${install})`);
  return false;
}

describe.skipIf(!sqliteShellAvailable())('pruning by hand, as the operating guide says', () => {
  let hookline: TestHookline;
  const receiver = new TestReceiver();

  beforeAll(async () => {
    await receiver.start();
    hookline = await startHookline();
  });

  afterAll(async () => {
    await hookline?.stop();
    await receiver.stop();
  });

  it('deletes old messages whose deliveries are finished, with their deliveries and attempts, and keeps one waiting', async () => {
    const { api } = hookline;
    const { appId } = await appWithEndpoint(api, `${receiver.url}/ok`);
    const delivered = [await publish(api, appId, { n: 1 }), await publish(api, appId, { n: 2 })];
    for (const message of delivered) {
      await waitFor(
        async () => (await attemptsOf(api, appId, message.id)).some((attempt) => attempt.status === 0),
        `${message.id} delivered`,
      );
    }
    await api.ok('POST', '/api/v1/admin/delivery/pause');
    const waiting = await publish(api, appId, { n: 3 });

    const databasePath = join(hookline.dir, 'hookline.db');
    const db = new Database(databasePath);
    try {
      db.pragma('busy_timeout = 10000');
      // Made 31 days old, every one of them: only the deliveries' state tells them apart.
      db.prepare('UPDATE messages SET created_at = created_at - ?').run(31 * DAY_MS);

      const command = pruneCommand().replaceAll('./data/hookline.db', databasePath);
      const output = execFileSync('sh', ['-c', command], { encoding: 'utf8' });
      expect(output).toContain('messages pruned: 2');

      const ids = (sql: string) => (db.prepare(sql).all() as { id: string }[]).map((row) => row.id);
      expect(ids('SELECT id FROM messages')).toEqual([waiting.id]);
      expect(ids('SELECT message_id AS id FROM deliveries')).toEqual([waiting.id]);
      expect(ids('SELECT message_id AS id FROM attempts')).toEqual([]);
      expect(db.pragma('foreign_key_check')).toEqual([]);
    } finally {
      db.close();
    }
  });
});
