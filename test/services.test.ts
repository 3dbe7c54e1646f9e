// The service harness itself, and a real round trip to each machine service, so a broken harness or a dead
// service shows here first.
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { probeTcp, SERVICES, serviceAvailable } from './support/services.js';

const postgres = await serviceAvailable('postgres');
const redis = await serviceAvailable('redis');

describe.skipIf(!postgres)('PostgreSQL', () => {
  it('answers a query on the test database', async () => {
    const client = new pg.Client({ connectionString: SERVICES.postgres.url });
    await client.connect();
    try {
      const result = await client.query<{ answer: number }>('select 41 + 1 as answer');
      expect(result.rows[0]?.answer).toBe(42);
    } finally {
      await client.end();
    }
  });
});

describe.skipIf(!redis)('Redis', () => {
  it('answers SET NX and GET', async () => {
    const client = new Redis(SERVICES.redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
    try {
      const key = `hookline:test:${process.pid}:${Date.now()}`;
      expect(await client.set(key, 'v', 'EX', 10, 'NX')).toBe('OK');
      expect(await client.set(key, 'v', 'EX', 10, 'NX')).toBeNull();
      expect(await client.get(key)).toBe('v');
      await client.del(key);
    } finally {
      client.disconnect();
    }
  });
});

describe('the harness', () => {
  async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (address === null || typeof address === 'string') throw new Error('no port');
    return address.port;
  }

  it('probes a listening port as open and a closed one as closed', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    expect(await probeTcp('127.0.0.1', address.port)).toBe(true);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(await probeTcp('127.0.0.1', await closedPort())).toBe(false);
  });

  it('skips with a reason outside CI, fails under CI, when a service is down', async () => {
    const saved = SERVICES.redis.port;
    SERVICES.redis.port = await closedPort();
    try {
      const lines: string[] = [];
      expect(await serviceAvailable('redis', { env: {}, log: (line) => lines.push(line) })).toBe(false);
      expect(lines[0]).toMatch(/^SKIP tests that need redis: .*start it: redis-server/);
      await expect(serviceAvailable('redis', { env: { CI: 'true' } })).rejects.toThrow(/CI=true requires it/);
    } finally {
      SERVICES.redis.port = saved;
    }
  });
});
