// The watched pool against a real PostgreSQL, directly and through a loopback proxy that can become a black hole.
import { afterEach, describe, expect, it } from 'vitest';
import { SERVICES, serviceAvailable } from '../../../../../test/support/services.js';
import { BlackholeProxy } from '../../../test/support/blackhole-proxy.js';
import { waitFor } from '../../../test/support/receiver.js';
import { StoreUnavailableError } from '../errors.js';
import { WatchedPool } from './watched-pool.js';

const available = await serviceAvailable('postgres');
const upstream = new URL(SERVICES.postgres.url);
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function poolBehindProxy(): Promise<{ pool: WatchedPool; proxy: BlackholeProxy }> {
  const proxy = new BlackholeProxy(upstream.hostname, Number(upstream.port || 5432));
  const url = new URL(SERVICES.postgres.url);
  url.port = String(await proxy.start());
  // The defaults a server runs with (statement timeout 30 s, so a 35 s read timeout), and a quick watch.
  const pool = new WatchedPool({ url: url.toString(), stallMs: 500, probeTimeoutMs: 1000, reprobeMs: 200 });
  cleanups.push(async () => {
    proxy.restore();
    await pool.end();
    await proxy.stop();
  });
  return { pool, proxy };
}

describe.skipIf(!available)('WatchedPool', () => {
  it('lets a statement slower than stallMs finish while the database answers probes', async () => {
    const { pool } = await poolBehindProxy();
    const { rows } = await pool.query<{ done: number }>('SELECT 1 AS done FROM pg_sleep(2)');
    expect(rows).toEqual([{ done: 1 }]);
    expect(pool.isReachable()).toBe(true);
  });

  it('fails statements in flight and after, at once, while the database is a black hole; recovers after', {
    timeout: 60_000,
  }, async () => {
    const { pool, proxy } = await poolBehindProxy();
    await pool.query('SELECT 1');
    // A transaction's client is checked out, without the pool's error listener: abandoning it must not crash.
    const held = await pool.connect();
    await held.query('BEGIN');
    proxy.blackhole();
    const inFlight = pool.query('SELECT 1');
    const inTransaction = held.query('SELECT 1');
    await expect(inFlight).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(inTransaction).rejects.toThrow(/Connection terminated/);
    held.release(true);
    expect(pool.isReachable()).toBe(false);
    await expect(pool.query('SELECT 1')).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(pool.connect()).rejects.toBeInstanceOf(StoreUnavailableError);

    proxy.restore();
    await waitFor(() => pool.isReachable(), 'a probe to get an answer again');
    expect((await pool.query<{ n: number }>('SELECT 2 AS n')).rows).toEqual([{ n: 2 }]);
  });

  it('counts an error the server sends as an answer: a refused login is no black hole', async () => {
    const url = new URL(SERVICES.postgres.url);
    url.username = 'no_such_role_hookline';
    const pool = new WatchedPool({ url: url.toString(), stallMs: 200, probeTimeoutMs: 1000 });
    cleanups.push(() => pool.end());
    await expect(pool.query('SELECT 1')).rejects.toThrow(/no_such_role_hookline/);
    expect(pool.isReachable()).toBe(true);
  });
});
