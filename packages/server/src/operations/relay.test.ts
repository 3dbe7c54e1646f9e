// The relay's sweep reads on at once after a full batch only when that batch moved: a store that refuses every
// publish (a real SQLite store whose publish is made to throw) must not be read and failed again in a tight loop.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createApp, T0 } from '../store/conformance/fixtures.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { Relay } from './relay.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function storeWithAcceptedRequests(count: number): Promise<{ store: SqliteStore; appId: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'hookline-relay-'));
  const store = new SqliteStore({ path: join(dir, 'hookline.db') });
  await store.migrate();
  cleanups.push(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const app = await createApp(store, 'relay');
  const source = await store.createSource(
    app.id,
    { uid: 'src', name: 'S', verification: { type: 'signature', scheme: 'github', secrets: ['It is a secret'] } },
    T0,
  );
  for (let i = 0; i < count; i++) {
    await store.acceptInbound(
      {
        sourceId: source.id,
        appId: app.id,
        method: 'POST',
        eventType: 'push',
        eventId: `delivery-${i}`,
        remoteAddress: '192.0.2.1',
        body: '{"a":1}',
        headers: { 'content-type': 'application/json' },
        query: '',
        signatureMode: 'original',
      },
      T0 + 1 + i,
    );
  }
  return { store, appId: app.id };
}

it('a full batch whose every publish fails ends the sweep (each failure reported once), left to the next timed sweep', async () => {
  const { store } = await storeWithAcceptedRequests(200);
  let reads = 0;
  const failing = new Proxy(store, {
    get(target, key, receiver) {
      if (key === 'publish') return () => Promise.reject(new Error('publish refused'));
      if (key === 'listUnrelayedInbound') {
        return (limit: number) => {
          reads += 1;
          // Bounded so that the old behaviour (read again at once, forever) ends and fails the count below.
          return reads > 3 ? Promise.resolve([]) : target.listUnrelayedInbound(limit);
        };
      }
      return Reflect.get(target, key, receiver);
    },
  }) as Store;
  const errors: string[] = [];
  const relay = new Relay({
    store: failing,
    now: () => T0,
    workQueued: () => {},
    onError: (_error, { requestId }) => errors.push(requestId),
  });
  await relay.sweep();
  expect(reads).toBe(1);
  expect(errors).toHaveLength(200);
  expect(new Set(errors).size).toBe(200);
});

it('a full batch that moved is followed at once by the next, until every request is relayed', async () => {
  const { store } = await storeWithAcceptedRequests(450);
  const errors: unknown[] = [];
  const relay = new Relay({ store, now: () => T0, workQueued: () => {}, onError: (error) => errors.push(error) });
  await relay.sweep();
  expect(errors).toEqual([]);
  expect(await store.listUnrelayedInbound(1000)).toEqual([]);
});
