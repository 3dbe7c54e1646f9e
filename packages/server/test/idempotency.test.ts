// Idempotency-Key through a real server: parallel duplicates create one resource and all get the same answer, a
// later retry replays it byte for byte, another body with the same key is refused, and failures are not stored.
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve } from '../src/cli/serve.js';
import { defaultConfig } from '../src/config.js';
import type { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { ADMIN_TOKEN, startHookline, type TestHookline } from './support/hookline.js';

let hookline: TestHookline;

beforeAll(async () => {
  hookline = await startHookline();
});
afterAll(() => hookline.stop());

interface Answer {
  status: number;
  text: string;
  replayed: string | null;
}

async function post(
  path: string,
  body: unknown,
  key: string | null,
  token = ADMIN_TOKEN,
  baseUrl = hookline.server.url,
): Promise<Answer> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      ...(key === null ? {} : { 'idempotency-key': key }),
    },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    text: await response.text(),
    replayed: response.headers.get('idempotent-replayed'),
  };
}

function count(sql: string, ...params: unknown[]): number {
  return ((hookline.server.store as SqliteStore).db.prepare(sql).get(...params) as { n: number }).n;
}

describe('Idempotency-Key', () => {
  it('parallel identical POSTs with one key create exactly one application, and every caller gets its answer', async () => {
    const answers = await Promise.all(
      Array.from({ length: 16 }, () => post('/api/v1/app', { name: 'parallel-app' }, 'create-app-1')),
    );
    expect(count("SELECT COUNT(*) AS n FROM applications WHERE name = 'parallel-app'")).toBe(1);
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([201]));
    expect(new Set(answers.map((a) => a.text)).size).toBe(1);
    expect(answers.filter((a) => a.replayed === 'true')).toHaveLength(15);
  });

  it('parallel identical publishes with one key create exactly one message', async () => {
    const app = JSON.parse((await post('/api/v1/app', { name: 'publisher' }, null)).text) as { id: string };
    const body = { eventType: 'invoice.paid', payload: { invoice: 'in_1' } };
    const answers = await Promise.all(
      Array.from({ length: 16 }, () => post(`/api/v1/app/${app.id}/msg`, body, 'publish-1')),
    );
    expect(count('SELECT COUNT(*) AS n FROM messages WHERE app_id = ?', app.id)).toBe(1);
    expect(new Set(answers.map((a) => `${a.status} ${a.text}`)).size).toBe(1);
    expect(answers[0]?.status).toBe(202);
    expect(answers.filter((a) => a.replayed === 'true')).toHaveLength(15);
  });

  it('a later retry replays the first answer byte for byte, without a second create', async () => {
    const first = await post('/api/v1/app', { name: 'replayed', metadata: { a: '1' } }, 'replay-1');
    const again = await post('/api/v1/app', { name: 'replayed', metadata: { a: '1' } }, 'replay-1');
    expect(first.status).toBe(201);
    expect(first.replayed).toBeNull();
    expect(again).toEqual({ status: 201, text: first.text, replayed: 'true' });
    expect(count("SELECT COUNT(*) AS n FROM applications WHERE name = 'replayed'")).toBe(1);
  });

  it('the same key with a different body answers 422 idempotency_key_reused and creates nothing', async () => {
    await post('/api/v1/app', { name: 'first-body' }, 'reuse-1');
    const reused = await post('/api/v1/app', { name: 'second-body' }, 'reuse-1');
    expect(reused.status).toBe(422);
    expect(JSON.parse(reused.text)).toEqual({ code: 'idempotency_key_reused', detail: expect.any(String) });
    expect(count("SELECT COUNT(*) AS n FROM applications WHERE name = 'second-body'")).toBe(0);
  });

  it('a failed request is not stored: the retry after the fix runs', async () => {
    const body = { eventType: 'invoice.paid', payload: { n: 1 } };
    const missing = await post('/api/v1/app/later-app/msg', body, 'after-fix-1');
    expect(missing.status).toBe(404);
    await post('/api/v1/app', { name: 'later', uid: 'later-app' }, null);
    const retried = await post('/api/v1/app/later-app/msg', body, 'after-fix-1');
    expect(retried.status).toBe(202);
    expect(retried.replayed).toBeNull();
  });

  it('the key is per caller and per path', async () => {
    const key = JSON.parse((await post('/api/v1/auth/api-key', { name: 'second caller' }, null)).text) as {
      key: string;
    };
    const one = await post('/api/v1/app', { name: 'per-caller' }, 'shared-key');
    const two = await post('/api/v1/app', { name: 'per-caller' }, 'shared-key', key.key);
    expect([one.status, two.status, two.replayed]).toEqual([201, 201, null]);
    expect(count("SELECT COUNT(*) AS n FROM applications WHERE name = 'per-caller'")).toBe(2);
    const app = JSON.parse(one.text) as { id: string };
    const otherPath = await post(`/api/v1/app/${app.id}/endpoint`, { url: 'https://example.com/h' }, 'shared-key');
    expect([otherPath.status, otherPath.replayed]).toEqual([201, null]);
  });

  it('a malformed key answers 422 invalid_idempotency_key', async () => {
    const answer = await post('/api/v1/app', { name: 'bad-key' }, 'x'.repeat(300));
    expect(answer.status).toBe(422);
    expect(JSON.parse(answer.text)).toMatchObject({ code: 'invalid_idempotency_key' });
    expect(count("SELECT COUNT(*) AS n FROM applications WHERE name = 'bad-key'")).toBe(0);
  });

  it('two servers on one database file (two connections, two write queues) share the records: duplicates split across them create one application', async () => {
    const second = await serve(
      {
        ...defaultConfig(),
        port: 0,
        database: join(hookline.dir, 'hookline.db'),
        adminToken: ADMIN_TOKEN,
        allowPrivateNetworks: true,
        logLevel: 'silent',
      },
      { logger: pino({ level: 'silent' }) },
    );
    try {
      const answers = await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          post(
            '/api/v1/app',
            { name: 'two-servers' },
            'shared-db-1',
            ADMIN_TOKEN,
            i % 2 === 0 ? hookline.server.url : second.url,
          ),
        ),
      );
      expect(count("SELECT COUNT(*) AS n FROM applications WHERE name = 'two-servers'")).toBe(1);
      expect(new Set(answers.map((a) => `${a.status} ${a.text}`)).size).toBe(1);
      // A publish stores its answer in its own write: the second connection finds the key taken in its transaction.
      const app = JSON.parse(answers[0]?.text ?? '{}') as { id: string };
      const published = await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          post(
            `/api/v1/app/${app.id}/msg`,
            { eventType: 'invoice.paid', payload: { n: 1 } },
            'shared-db-2',
            ADMIN_TOKEN,
            i % 2 === 0 ? hookline.server.url : second.url,
          ),
        ),
      );
      expect(count('SELECT COUNT(*) AS n FROM messages WHERE app_id = ?', app.id)).toBe(1);
      expect(new Set(published.map((a) => `${a.status} ${a.text}`))).toEqual(new Set([`202 ${published[0]?.text}`]));
    } finally {
      await second.close();
    }
  });
});
