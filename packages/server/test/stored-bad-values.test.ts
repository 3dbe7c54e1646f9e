// Values the API accepted before issue 16 and a store kept: a rate of Infinity on SQLite (every later list of the
// rows failed to serialize), and a lone surrogate in a JSON list on PostgreSQL (every `::jsonb` cast of the row
// failed: each publish to the application answered 500). Reads tolerate the first; a migration repairs both.
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { SERVICES, serviceAvailable } from '../../../test/support/services.js';
import type { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { type StoreHookline, startHooklineOn } from './support/each-store.js';

const postgresAvailable = await serviceAvailable('postgres');
let hookline: StoreHookline | null = null;
afterEach(async () => {
  await hookline?.stop();
  hookline = null;
});

describe('a non-finite rate SQLite kept', () => {
  it('reads as no limit, lists still answer, and migration 9 sets it back to NULL', async () => {
    hookline = await startHooklineOn('sqlite');
    const { api } = hookline;
    // Written by an older Hookline (the API refuses an application rate now): the row is set by hand below.
    const app = await api.ok<{ id: string }>('POST', '/api/v1/app', { name: 'a' });
    const endpoint = await api.ok<{ id: string }>('POST', `/api/v1/app/${app.id}/endpoint`, {
      url: 'http://127.0.0.1:9/x',
      throttleRate: 7,
    });
    const db = (hookline.server.store as SqliteStore).db;
    // 9e999 is SQLite's literal for Infinity: what a coerced "1e400" became.
    db.prepare('UPDATE applications SET rate_limit = 9e999 WHERE id = ?').run(app.id);
    db.prepare('UPDATE endpoints SET throttle_rate = -9e999 WHERE id = ?').run(endpoint.id);

    const apps = await api.call<{ data: Array<{ rateLimit: unknown }> }>('GET', '/api/v1/app');
    expect(apps.status).toBe(200);
    expect(apps.body.data[0]?.rateLimit).toBeNull();
    const endpoints = await api.call<{ data: Array<{ throttleRate: unknown }> }>(
      'GET',
      `/api/v1/app/${app.id}/endpoint`,
    );
    expect(endpoints.status).toBe(200);
    expect(endpoints.body.data[0]?.throttleRate).toBeNull();

    db.prepare('DELETE FROM schema_migrations WHERE version = 9').run();
    await hookline.server.store.migrate();
    expect(db.prepare('SELECT typeof(rate_limit) AS t FROM applications').get()).toEqual({ t: 'null' });
    expect(db.prepare('SELECT typeof(throttle_rate) AS t FROM endpoints').get()).toEqual({ t: 'null' });
  });
});

describe.skipIf(!postgresAvailable)('a lone surrogate PostgreSQL kept in a JSON list', () => {
  it('poisons publishing until migration 7 replaces it with U+FFFD; valid rows are left alone', async () => {
    hookline = await startHooklineOn('postgres');
    const { api } = hookline;
    const app = await api.ok<{ id: string }>('POST', '/api/v1/app', { name: 'a' });
    const poisoned = await api.ok<{ id: string }>('POST', `/api/v1/app/${app.id}/endpoint`, {
      url: 'http://127.0.0.1:9/x',
    });
    const poisonedChannels = await api.ok<{ id: string }>('POST', `/api/v1/app/${app.id}/endpoint`, {
      url: 'http://127.0.0.1:9/z',
    });
    const healthy = await api.ok<{ id: string }>('POST', `/api/v1/app/${app.id}/endpoint`, {
      url: 'http://127.0.0.1:9/y',
      filterTypes: ['a.b'],
      channels: ['\u{1F984}'],
    });
    const message = await api.ok<{ id: string }>('POST', `/api/v1/app/${app.id}/msg`, {
      eventType: 'a.b',
      payload: {},
      channels: ['c'],
    });
    const client = new pg.Client({
      connectionString: SERVICES.postgres.url,
      options: `-c search_path=${hookline.postgresSchema}`,
    });
    await client.connect();
    try {
      // What JSON.stringify wrote for ["\ud800"] and ["x\udc00", "🦄"] before the API refused them.
      await client.query(String.raw`UPDATE endpoints SET event_types = '["\ud800"]' WHERE id = $1`, [poisoned.id]);
      await client.query(String.raw`UPDATE endpoints SET channels = '["x\udc00","\ud83e\udd84"]' WHERE id = $1`, [
        poisonedChannels.id,
      ]);
      await client.query(
        String.raw`UPDATE messages SET channels = '["\udfff"]', tags = '["\ud800\ud800\udc00"]' WHERE id = $1`,
        [message.id],
      );
      const publish = (channels: string[] | null) =>
        api.call('POST', `/api/v1/app/${app.id}/msg`, { eventType: 'a.b', payload: {}, channels });
      expect((await publish(null)).status).toBe(500);
      expect((await publish(['c'])).status).toBe(500);
      expect((await api.call('GET', `/api/v1/app/${app.id}/msg?channel=c`)).status).toBe(500);

      await client.query('DELETE FROM schema_migrations WHERE version = 7');
      await hookline.server.store.migrate();

      expect((await publish(null)).status).toBe(202);
      expect((await publish(['c'])).status).toBe(202);
      expect((await api.call('GET', `/api/v1/app/${app.id}/msg?channel=c`)).status).toBe(200);
      expect((await api.call('GET', `/api/v1/app/${app.id}/msg?tag=t`)).status).toBe(200);
      const rows = await client.query<{ id: string; event_types: string | null; channels: string | null }>(
        'SELECT id, event_types, channels FROM endpoints ORDER BY id',
      );
      const row = (id: string) => rows.rows.find((candidate) => candidate.id === id);
      expect(row(poisoned.id)).toMatchObject({ event_types: String.raw`["\ufffd"]`, channels: null });
      // The escaped pair beside the lone one stays as it was.
      expect(row(poisonedChannels.id)).toMatchObject({ channels: String.raw`["x\ufffd","\ud83e\udd84"]` });
      expect(row(healthy.id)).toMatchObject({ event_types: '["a.b"]', channels: '["\u{1F984}"]' });
      const stored = await client.query('SELECT channels, tags FROM messages WHERE id = $1', [message.id]);
      expect(stored.rows[0]).toEqual({ channels: String.raw`["\ufffd"]`, tags: String.raw`["\ufffd\ud800\udc00"]` });
    } finally {
      await client.end();
    }
  });
});
