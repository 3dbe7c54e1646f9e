// The transactional outbox on embedded SQLite: the application's own better-sqlite3 connection to Hookline's file,
// its own table beside Hookline's, and publish inside its transaction: the event exists exactly when it commits.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHookline, type Hookline } from '../src/embedded/create-hookline.js';
import { TestReceiver, waitFor } from './support/receiver.js';

describe('publish inside the application’s SQLite transaction', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookline-outbox-'));
  const file = join(dir, 'app.db');
  const receiver = new TestReceiver();
  let hookline: Hookline;
  let db: BetterSqlite3.Database;
  let appId: string;

  beforeAll(async () => {
    await receiver.start();
    hookline = await createHookline({ database: file, allowPrivateNetworks: true, delivery: { pollIntervalMs: 50 } });
    appId = (await hookline.createApplication({ name: 'shop' })).id;
    await hookline.createEndpoint(appId, { url: `${receiver.url}/orders` });
    db = new BetterSqlite3(file);
    db.pragma('busy_timeout = 5000');
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

  async function placeOrder(eventId: string, outcome: 'COMMIT' | 'ROLLBACK') {
    db.exec('BEGIN IMMEDIATE');
    try {
      db.prepare('INSERT INTO orders (event_id) VALUES (?)').run(eventId);
      await hookline.publish(appId, 'order.created', { eventId }, { eventId, db });
    } finally {
      db.exec(outcome);
    }
  }

  async function sentinelDelivered() {
    const eventId = `sentinel-${Math.random().toString(36).slice(2)}`;
    await placeOrder(eventId, 'COMMIT');
    await waitFor(() => received(eventId) === 1, 'the sentinel delivered', 30_000);
  }

  it('delivers a committed event once', { timeout: 60_000 }, async () => {
    await placeOrder('committed-1', 'COMMIT');
    await waitFor(() => received('committed-1') === 1, 'the committed event delivered', 30_000);
    await sentinelDelivered();
    expect(received('committed-1')).toBe(1);
  });

  it('delivers nothing of a rolled-back transaction', { timeout: 60_000 }, async () => {
    await placeOrder('rolled-back-1', 'ROLLBACK');
    await sentinelDelivered();
    expect(received('rolled-back-1')).toBe(0);
    expect(await hookline.store.getMessage(appId, 'rolled-back-1')).toBeNull();
  });

  it('16 transactions, half rolled back: exactly the committed half delivered', { timeout: 60_000 }, async () => {
    const ids = Array.from({ length: 16 }, (_, i) => `tx-${i}`);
    // One connection runs one transaction at a time: these follow each other, the deliveries of earlier ones
    // running meanwhile on Hookline's own connection.
    for (const [i, id] of ids.entries()) await placeOrder(id, i % 2 === 0 ? 'COMMIT' : 'ROLLBACK');
    await sentinelDelivered();
    for (const [i, id] of ids.entries()) expect(received(id), id).toBe(i % 2 === 0 ? 1 : 0);
  });

  it('refuses a connection that is not inside a transaction', async () => {
    await expect(hookline.publish(appId, 'order.created', {}, { db })).rejects.toThrow(/inside a transaction/);
  });
});
