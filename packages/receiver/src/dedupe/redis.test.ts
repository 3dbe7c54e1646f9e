import { RedisDedupeStore } from '@hookline/receiver';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { SERVICES, serviceAvailable } from '../../../../test/support/services.js';
import { dedupeStoreSuite } from './dedupe-store.suite.js';

const ok = await serviceAvailable('redis');

describe.skipIf(!ok)('RedisDedupeStore (real Redis)', () => {
  const redis = ok ? new Redis(SERVICES.redis.url, { lazyConnect: false, maxRetriesPerRequest: 1 }) : undefined;
  const prefix = `hookline-test:${process.pid}:${Date.now().toString(36)}:`;
  afterAll(async () => {
    if (redis === undefined) return;
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  // Time passes in Redis by expiry: advancing the clock shortens every test key's TTL by as much (gone at 0).
  async function advanceSeconds(seconds: number): Promise<void> {
    const client = redis as Redis;
    for (const key of await client.keys(`${prefix}*`)) {
      const ttl = await client.pttl(key);
      if (ttl < 0) continue;
      if (ttl <= seconds * 1000) await client.del(key);
      else await client.pexpire(key, ttl - seconds * 1000);
    }
  }

  dedupeStoreSuite(async () => ({
    store: new RedisDedupeStore(redis as Redis, { keyPrefix: prefix }),
    advanceSeconds,
  }));

  it('claims with SET NX EX (the lease) and completes with the TTL, as Redis expiry', async () => {
    const store = new RedisDedupeStore(redis as Redis, { keyPrefix: prefix });
    await store.claim('evt_ttl', 45);
    const leaseTtl = await (redis as Redis).ttl(`${prefix}evt_ttl`);
    expect(leaseTtl).toBeGreaterThan(40);
    expect(leaseTtl).toBeLessThanOrEqual(45);
    await store.complete('evt_ttl', 86_400);
    expect(await (redis as Redis).get(`${prefix}evt_ttl`)).toBe('done');
    expect(await (redis as Redis).ttl(`${prefix}evt_ttl`)).toBeGreaterThan(86_000);
  });
});
