// /readyz on PostgreSQL tells a busy store from a gone one. The API fuzz once saw /readyz answer 503 "no answer
// within 2000 ms" while PostgreSQL answered everything else: its read waited for a pooled connection behind the
// fuzz's requests. With every pooled connection taken (and the database up), /readyz now answers 200; with the
// store closed it still answers 503.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICES, serviceAvailable } from '../../../test/support/services.js';
import type { PostgresStore } from '../src/store/postgres/postgres-store.js';
import { type StoreHookline, startHooklineOn } from './support/each-store.js';
import { dropSchema } from './support/postgres-schema.js';

const available = await serviceAvailable('postgres');
/** The pool's size (WatchedPool's default, which the test server keeps). */
const POOL_SIZE = 10;

describe.skipIf(!available)('/readyz on PostgreSQL', () => {
  let hookline: StoreHookline;

  beforeAll(async () => {
    hookline = await startHooklineOn('postgres');
    await hookline.server.engine.stop(0);
  });
  afterAll(async () => {
    // The second test closed the store, and closing it twice throws: the server is closed, then its schema dropped.
    await hookline?.server.close().catch(() => undefined);
    if (hookline?.postgresSchema) await dropSchema(SERVICES.postgres.url, hookline.postgresSchema);
  });

  it('answers 200 while every pooled connection is taken and the database answers', { timeout: 60_000 }, async () => {
    const store = hookline.server.store as PostgresStore;
    const held: pg.PoolClient[] = await Promise.all(Array.from({ length: POOL_SIZE }, () => store.pool.connect()));
    try {
      const ready = await fetch(`${hookline.server.url}/readyz`);
      expect({ status: ready.status, body: await ready.json() }).toEqual({ status: 200, body: { status: 'ready' } });
    } finally {
      for (const client of held) client.release();
    }
  });

  it('answers 503 not_ready once the store is closed', async () => {
    await hookline.server.store.close();
    const ready = await fetch(`${hookline.server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { code: string }).code).toBe('not_ready');
  });
});
