import { MemoryRateLimitStore, type RateLimitStore, RedisRateLimitStore } from '@hookline/receiver';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { SERVICES, serviceAvailable } from '../../../../test/support/services.js';

const ok = await serviceAvailable('redis');

function rateLimitSuite(name: string, make: (now: () => number) => RateLimitStore) {
  describe(name, () => {
    it('allows the burst, refuses the next with Retry-After, refills with time, per key', async () => {
      let now = 5_000_000;
      const store = make(() => now);
      const limit = { capacity: 2, refillPerSecond: 0.5 };
      const key = `src_${process.pid}_${Date.now()}`;
      expect((await store.take(key, limit)).allowed).toBe(true);
      expect((await store.take(key, limit)).allowed).toBe(true);
      expect(await store.take(key, limit)).toEqual({ allowed: false, retryAfterSeconds: 2 });
      expect((await store.take(`${key}_other`, limit)).allowed).toBe(true);
      now += 2000;
      expect((await store.take(key, limit)).allowed).toBe(true);
      expect((await store.take(key, limit)).allowed).toBe(false);
    });
  });
}

rateLimitSuite('MemoryRateLimitStore', (now) => new MemoryRateLimitStore({ now }));

describe.skipIf(!ok)('RedisRateLimitStore (real Redis)', () => {
  const redis = ok ? new Redis(SERVICES.redis.url, { maxRetriesPerRequest: 1 }) : undefined;
  const prefix = `hookline-test-rl:${process.pid}:${Date.now().toString(36)}:`;
  afterAll(async () => {
    if (redis === undefined) return;
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  rateLimitSuite('shared bucket', (now) => new RedisRateLimitStore(redis as Redis, { keyPrefix: prefix, now }));

  it('two clients (two processes) draw from one bucket, on the Redis clock', async () => {
    const other = new Redis(SERVICES.redis.url, { maxRetriesPerRequest: 1 });
    try {
      const a = new RedisRateLimitStore(redis as Redis, { keyPrefix: prefix });
      const b = new RedisRateLimitStore(other, { keyPrefix: prefix });
      const limit = { capacity: 2, refillPerSecond: 0.001 };
      const results = [await a.take('shared', limit), await b.take('shared', limit), await a.take('shared', limit)];
      expect(results.map((r) => r.allowed)).toEqual([true, true, false]);
    } finally {
      other.disconnect();
    }
  });
});
