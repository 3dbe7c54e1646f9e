// PostgreSQL unreachable by black hole (packets dropped, not refused), through a loopback proxy that stops passing
// bytes: before, statements on open connections waited out their read timeout (35 s) and answered 500, and every
// later request waited the 5 s connect timeout. Now every request answers 503 store_unavailable with Retry-After,
// well inside the read timeout (the client gives up at 30 s, so a 35 s wait fails the test), later requests do not
// wait at all, and once the database answers again requests succeed again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICES, serviceAvailable } from '../../../test/support/services.js';
import type { PostgresStore } from '../src/store/postgres/postgres-store.js';
import { BlackholeProxy } from './support/blackhole-proxy.js';
import { ADMIN_TOKEN, startHookline, type TestHookline } from './support/hookline.js';
import { dropSchema, randomSchemaName } from './support/postgres-schema.js';
import { waitFor } from './support/receiver.js';

const available = await serviceAvailable('postgres');
/** Below the read timeout (statement timeout 30 s + 5 s): an answer only that wait could give fails the test. */
const CLIENT_GIVES_UP_MS = 30_000;

describe.skipIf(!available)('PostgreSQL behind a black hole', () => {
  const upstream = new URL(SERVICES.postgres.url);
  const proxy = new BlackholeProxy(upstream.hostname, Number(upstream.port || 5432));
  const schema = randomSchemaName();
  let hookline: TestHookline;
  let appId: string;

  const get = async (path: string) => {
    const response = await fetch(`${hookline.server.url}${path}`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      signal: AbortSignal.timeout(CLIENT_GIVES_UP_MS),
    });
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body: await response.json() };
  };

  beforeAll(async () => {
    const port = await proxy.start();
    const database = new URL(SERVICES.postgres.url);
    database.port = String(port);
    database.searchParams.set('schema', schema);
    hookline = await startHookline({}, { database: database.toString() });
    appId = (await hookline.api.ok<{ id: string }>('POST', '/api/v1/app', { name: 'blackholed' })).id;
    // Open several pooled connections, so the black hole catches statements on connections already open.
    await Promise.all(Array.from({ length: 8 }, () => get(`/api/v1/app/${appId}`)));
  });
  afterAll(async () => {
    proxy.restore();
    await hookline?.stop();
    await proxy.stop();
    await dropSchema(SERVICES.postgres.url, schema);
  });

  it('answers 503 store_unavailable with Retry-After instead of hanging, then recovers', {
    timeout: 120_000,
  }, async () => {
    proxy.blackhole();
    const during = await Promise.all(Array.from({ length: 12 }, () => get(`/api/v1/app/${appId}`)));
    for (const answer of during) {
      expect(answer).toMatchObject({ status: 503, retryAfter: '1', body: { code: 'store_unavailable' } });
    }
    const store = hookline.server.store as PostgresStore;
    expect(store.pool.isReachable()).toBe(false);
    // While it is known to be gone, requests fail at once: they open no connection into the hole (the pool's
    // probes, one a second or so, are the only ones).
    const attemptsBefore = proxy.connectionsAccepted;
    const later = await Promise.all(Array.from({ length: 20 }, () => get('/api/v1/app')));
    expect(later.every((answer) => answer.status === 503)).toBe(true);
    expect(proxy.connectionsAccepted - attemptsBefore).toBeLessThan(later.length);

    proxy.restore();
    await waitFor(async () => (await get(`/api/v1/app/${appId}`)).status === 200, 'the API to answer again');
    expect(store.pool.isReachable()).toBe(true);
    const published = await hookline.api.call('POST', `/api/v1/app/${appId}/msg`, {
      eventType: 'after.blackhole',
      payload: {},
    });
    expect(published.status).toBe(202);
  });
});
