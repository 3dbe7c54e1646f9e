import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, createEndpoint, newMessage, T0 } from '../conformance/fixtures.js';
import { SqliteStore } from './sqlite-store.js';

describe('SqliteStore: the queue depth read off the event loop', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function storeOnFile(): Promise<SqliteStore> {
    const dir = mkdtempSync(join(tmpdir(), 'hookline-read-thread-'));
    const store = new SqliteStore({ path: join(dir, 'hookline.db') });
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    cleanups.push(async () => {
      if (store.db.open) await store.close();
    });
    await store.migrate();
    return store;
  }

  it('counts on a connection of its own: what the event loop`s connection holds uncommitted is not seen', async () => {
    const store = await storeOnFile();
    const app = await createApp(store);
    await createEndpoint(store, app.id);
    await store.publish(app.id, newMessage(), T0);
    await store.publish(app.id, newMessage(), T0 + 1);
    expect(await store.countQueuedDeliveries()).toEqual({ pending: 2, sending: 0, dead: 0, paused: 0 });

    // The process's own connection in the middle of a transaction: a count run on it (on the event loop) would
    // see these two deliveries dead; the read thread's connection sees the last commit.
    store.db.exec('BEGIN');
    try {
      store.db.prepare("UPDATE deliveries SET status = 'dead'").run();
      expect(await store.countQueuedDeliveries()).toEqual({ pending: 2, sending: 0, dead: 0, paused: 0 });
    } finally {
      store.db.exec('ROLLBACK');
    }
  });

  it('a count after close fails instead of waiting forever', async () => {
    const store = await storeOnFile();
    await store.countQueuedDeliveries();
    await store.close();
    await expect(store.countQueuedDeliveries()).rejects.toThrow('closed');
  });
});
