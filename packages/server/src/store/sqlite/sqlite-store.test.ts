import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runStoreConformance } from '../conformance/index.js';
import { SqliteStore } from './sqlite-store.js';

const T0 = Date.UTC(2030, 0, 1);

function tempDatabasePath(): { path: string; removeDir(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'hookline-store-'));
  return { path: join(dir, 'hookline.db'), removeDir: () => rmSync(dir, { recursive: true, force: true }) };
}

runStoreConformance('SqliteStore on a file', async () => {
  const { path, removeDir } = tempDatabasePath();
  const store = new SqliteStore({ path });
  return {
    store,
    async cleanup() {
      await store.close();
      removeDir();
    },
  };
});

describe('SqliteStore durability', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function openAt(path: string): SqliteStore {
    const store = new SqliteStore({ path });
    cleanups.push(async () => {
      if (store.db.open) await store.close();
    });
    return store;
  }

  it('keeps applications, endpoints, messages, the queue and attempts across closing and reopening the file', async () => {
    const { path, removeDir } = tempDatabasePath();
    cleanups.push(removeDir);
    const before = openAt(path);
    await before.migrate();
    const app = await before.createApplication({ name: 'acme', uid: 'acme' }, T0);
    const endpoint = await before.createEndpoint(
      app.id,
      { url: 'https://receiver.example.com/hook', secret: 'whsec_a' },
      T0,
    );
    const delivered = await before.publish(app.id, { eventType: 'invoice.paid', eventId: 'evt_1', payload: '{}' }, T0);
    const queued = await before.publish(app.id, { eventType: 'invoice.paid', eventId: 'evt_2', payload: '{}' }, T0 + 1);
    const [first] = await before.claimDueDeliveries({
      now: T0,
      leaseUntil: T0 + 30_000,
      limit: 1,
      excludeEndpointIds: [],
      perEndpointLimit: 10,
      endpointCaps: {},
    });
    if (first === undefined) throw new Error('expected a claim');
    await before.recordAttempts([
      {
        deliveryId: first.delivery.id,
        leaseUntil: T0 + 30_000,
        outcome: 'succeeded',
        trigger: 'scheduled',
        url: endpoint.url,
        statusCode: 200,
        responseBody: 'ok',
        durationMs: 5,
        error: null,
        at: T0 + 2,
        next: { status: 'dead' },
        disableEndpoint: null,
      },
    ]);
    await before.close();

    const after = openAt(path);
    await after.migrate();
    expect(await after.getApplication('acme')).toEqual(app);
    expect(await after.getEndpoint(app.id, endpoint.id)).toEqual(endpoint);
    expect(await after.activeSecrets(endpoint.id, T0)).toEqual([{ secret: 'whsec_a', expiresAt: null }]);
    expect(await after.getMessage(app.id, 'evt_1')).toEqual(delivered.message);
    expect((await after.listAttemptsForMessage(app.id, delivered.message.id, { limit: 10 })).data).toHaveLength(1);
    expect(await after.countDeliveries({ status: 'succeeded' })).toBe(1);
    expect(await after.nextDueAt()).toBe(T0 + 1);
    const [next] = await after.claimDueDeliveries({
      now: T0 + 1,
      leaseUntil: T0 + 30_000,
      limit: 10,
      excludeEndpointIds: [],
      perEndpointLimit: 10,
      endpointCaps: {},
    });
    expect(next?.message).toEqual(queued.message);
  });

  it('a publish is on disk for another connection as soon as it resolves', async () => {
    const { path, removeDir } = tempDatabasePath();
    cleanups.push(removeDir);
    const writer = openAt(path);
    await writer.migrate();
    const reader = openAt(path);
    const app = await writer.createApplication({ name: 'acme' }, T0);
    await writer.createEndpoint(app.id, { url: 'https://receiver.example.com/hook', secret: 'whsec_a' }, T0);

    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        writer
          .publish(app.id, { eventType: 'invoice.paid', eventId: `evt_${i}`, payload: '{}' }, T0)
          .then(async (result) => {
            expect(await reader.getMessage(app.id, result.message.id)).toEqual(result.message);
            return result;
          }),
      ),
    );
    expect(results).toHaveLength(20);
    expect(await reader.countDeliveries({ appId: app.id })).toBe(20);
  });
});
