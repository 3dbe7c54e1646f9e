// The transactional outbox on embedded SQLite: the application's own better-sqlite3 connection to Hookline's file,
// its own table beside Hookline's, and publish inside its transaction: the event exists exactly when it commits.
// The worker here polls once a minute: a delivery made in time was woken by the commit itself, seen through the
// store's data_version watch (store/sqlite/commit-watch.ts), whether the commit came from this process or another.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHookline, type Hookline } from '../src/embedded/create-hookline.js';
import type { OutboxThreadData } from './support/outbox-sqlite-thread.js';
import { TestReceiver, waitFor } from './support/receiver.js';
import { typescriptWorker } from './support/typescript-worker.js';

describe('publish inside the application’s SQLite transaction', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookline-outbox-'));
  const file = join(dir, 'app.db');
  const receiver = new TestReceiver();
  let hookline: Hookline;
  let db: BetterSqlite3.Database;
  let appId: string;

  beforeAll(async () => {
    await receiver.start();
    hookline = await createHookline({
      database: file,
      allowPrivateNetworks: true,
      delivery: { retrySchedule: [0.05], pollIntervalMs: 60_000 },
    });
    appId = (await hookline.createApplication({ name: 'shop' })).id;
    await hookline.createEndpoint(appId, { url: `${receiver.url}/orders` });
    db = new BetterSqlite3(file);
    db.pragma('busy_timeout = 30000');
    db.exec('CREATE TABLE orders (event_id TEXT PRIMARY KEY)');
    hookline.startWorker();
  });

  afterAll(async () => {
    await hookline?.close();
    db?.close();
    await receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const received = (eventId: string) => receiver.requests.filter((r) => JSON.parse(r.body).eventId === eventId).length;
  const orderRows = (eventId: string) =>
    db.prepare('SELECT count(*) FROM orders WHERE event_id = ?').pluck().get(eventId) as number;

  /** `turn`: the event loop turns between the publish and the commit, as when the application awaits other work. */
  async function placeOrder(eventId: string, outcome: 'COMMIT' | 'ROLLBACK', turn = false) {
    db.exec('BEGIN IMMEDIATE');
    try {
      db.prepare('INSERT INTO orders (event_id) VALUES (?)').run(eventId);
      await hookline.publish(appId, 'order.created', { eventId }, { eventId, db });
      if (turn) await new Promise((resolve) => setImmediate(resolve));
    } finally {
      db.exec(outcome);
    }
  }

  /** A committed event published after the others and delivered: whatever was to be delivered before it has been. */
  async function sentinelDelivered() {
    const eventId = `sentinel-${Math.random().toString(36).slice(2)}`;
    await placeOrder(eventId, 'COMMIT');
    await waitFor(() => received(eventId) === 1, 'the sentinel delivered', 30_000);
  }

  it('delivers a committed event once, woken by the commit', { timeout: 60_000 }, async () => {
    // The commit comes after the event loop turned: whatever the publish itself signalled in memory is past, and
    // only seeing the commit wakes the worker in time.
    await placeOrder('committed-1', 'COMMIT', true);
    await waitFor(() => received('committed-1') === 1, 'the committed event delivered', 30_000);
    await sentinelDelivered();
    expect(received('committed-1')).toBe(1);
  });

  it('delivers nothing of a rolled-back transaction', { timeout: 60_000 }, async () => {
    await placeOrder('rolled-back-1', 'ROLLBACK');
    await sentinelDelivered();
    expect(received('rolled-back-1')).toBe(0);
    expect(await hookline.store.getMessage(appId, 'rolled-back-1')).toBeNull();
    expect(orderRows('rolled-back-1')).toBe(0);
  });

  it('16 concurrent transactions on their own connections, half rolled back: exactly the committed half delivered', {
    timeout: 180_000,
  }, async () => {
    const ids = Array.from({ length: 16 }, (_, i) => `concurrent-${i}`);
    const committed = ids.filter((_, i) => i % 2 === 0);
    // better-sqlite3 is synchronous: concurrent transactions need threads of their own, each with its connection.
    const threads = ids.map((eventId, i) => {
      const data: OutboxThreadData = { file, appId, eventId, outcome: i % 2 === 0 ? 'COMMIT' : 'ROLLBACK' };
      return typescriptWorker(new URL('./support/outbox-sqlite-thread.ts', import.meta.url), data);
    });
    const said = (word: string) =>
      Promise.all(
        threads.map(
          (thread) =>
            new Promise<void>((resolve, reject) => {
              const onMessage = (message: unknown) => {
                if (message !== word) return;
                thread.off('message', onMessage);
                resolve();
              };
              thread.on('message', onMessage);
              thread.once('error', reject);
            }),
        ),
      );
    try {
      await said('ready');
      const done = said('done');
      for (const thread of threads) thread.postMessage('go');
      await done;
    } finally {
      await Promise.all(threads.map((thread) => thread.terminate()));
    }
    await waitFor(() => committed.every((id) => received(id) === 1), 'the committed eight delivered', 30_000);
    await sentinelDelivered();
    for (const id of ids) expect(received(id), id).toBe(committed.includes(id) ? 1 : 0);
    for (const id of ids) expect(orderRows(id), id).toBe(committed.includes(id) ? 1 : 0);
  });

  it('a process killed between its write and its commit leaves neither its row nor the event', {
    timeout: 90_000,
  }, async () => {
    // The child holds SQLite's one write lock from its write until it dies; this process's worker would wait for
    // it synchronously (busy_timeout) with its event loop, and so the kill, held up meanwhile.
    await hookline.stopWorker();
    const script = fileURLToPath(new URL('./support/outbox-sqlite-child.ts', import.meta.url));
    // node with tsx's loader, not the tsx CLI: the CLI runs node as a child of its own, which SIGKILL would not reach.
    const child = spawn(process.execPath, ['--import', 'tsx', script, file, appId, 'killed-1'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (data: Buffer) => {
        if (data.toString().includes('written')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`the child exited (${code}) before writing`)));
    });
    child.kill('SIGKILL');
    await exited;
    hookline.startWorker();
    await sentinelDelivered();
    expect(received('killed-1')).toBe(0);
    expect(await hookline.store.getMessage(appId, 'killed-1')).toBeNull();
    expect(orderRows('killed-1')).toBe(0);
  });

  it('refuses a connection that is not inside a transaction', async () => {
    await expect(hookline.publish(appId, 'order.created', {}, { db })).rejects.toThrow(/inside a transaction/);
  });
});
