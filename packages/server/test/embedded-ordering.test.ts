// Ordered delivery from the embedded library (issue 14 section 1): an ordered endpoint made with createEndpoint,
// events published with an orderingKey arrive one at a time per key in publish order, and a key held by its dead
// head is listed by listHeldKeys.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createHookline, type Hookline } from '../src/index.js';
import { TestReceiver, waitFor } from './support/receiver.js';

let dir: string;
let receiver: TestReceiver;
let hookline: Hookline | null = null;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hookline-embedded-ordering-'));
  receiver = new TestReceiver();
  await receiver.start();
});

afterEach(async () => {
  await hookline?.close();
  hookline = null;
  await receiver.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('publishes with an ordering key; a failing head holds its key and nothing behind it is sent', async () => {
  hookline = await createHookline({
    database: join(dir, 'hookline.db'),
    allowPrivateNetworks: true,
    delivery: { retrySchedule: [0.05], pollIntervalMs: 100 },
    logger: pino({ level: 'silent' }),
  });
  // The first request of each key fails (both attempts of it); later ones succeed.
  receiver.script('/sink', (request) => {
    const { n } = JSON.parse(request.body) as { n: number };
    return { status: n === 0 ? 500 : 200 };
  });
  await hookline.createApplication({ name: 'shop', uid: 'shop' });
  const { endpoint } = await hookline.createEndpoint('shop', {
    url: `${receiver.url}/sink`,
    ordering: 'fifo',
    orderingOnDead: 'hold',
  });
  expect(endpoint).toMatchObject({ ordering: 'fifo', orderingOnDead: 'hold' });
  const head = await hookline.publish('shop', 'order.updated', { n: 0 }, { orderingKey: 'order-1' });
  expect(head.orderingKey).toBe('order-1');
  await hookline.publish('shop', 'order.updated', { n: 1 }, { orderingKey: 'order-1' });
  hookline.startWorker();
  const current = hookline;
  await waitFor(async () => (await current.listHeldKeys('shop', endpoint.id)).length === 1, 'the held key', 30_000);
  expect(await hookline.listHeldKeys('shop', endpoint.id)).toEqual([
    expect.objectContaining({ orderingKey: 'order-1', messageId: head.id, waiting: 1 }),
  ]);
  expect(receiver.on('/sink').map((request) => (JSON.parse(request.body) as { n: number }).n)).toEqual([0, 0]);
});
