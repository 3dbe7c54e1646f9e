// Embedded publishMany: a batch in one transaction with an outcome per message, each refused as publish would refuse
// it alone, and the accepted ones delivered by the worker.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createHookline, type Hookline, OperationError } from '../src/index.js';
import { TestReceiver, waitFor } from './support/receiver.js';

let dir: string;
let receiver: TestReceiver;
let hookline: Hookline;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hookline-embedded-many-'));
  receiver = new TestReceiver();
  await receiver.start();
  hookline = await createHookline({
    database: join(dir, 'hookline.db'),
    allowPrivateNetworks: true,
    delivery: { retrySchedule: [0.05], pollIntervalMs: 100 },
    logger: pino({ level: 'silent' }),
  });
});

afterEach(async () => {
  await hookline.close();
  await receiver.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('publishes a batch with one outcome per message, in order, refusing each as publish would', async () => {
  await hookline.createApplication({ name: 'Acme', uid: 'acme' });
  await hookline.createEndpoint('acme', { url: `${receiver.url}/hook` });
  hookline.startWorker();
  const outcomes = await hookline.publishMany('acme', [
    { eventType: 'invoice.paid', payload: { n: 1 }, eventId: 'evt_1' },
    { eventType: 'not a type!', payload: { n: 2 } },
    { eventType: 'invoice.paid', payload: { n: 3 }, deliverAt: new Date(Number.NaN) },
    { eventType: 'invoice.paid', payload: { n: 4 }, eventId: 'evt_1' },
    { eventType: 'invoice.paid', payload: { n: 5 }, tags: ['t'] },
  ]);
  expect(outcomes.map((outcome) => (outcome.ok ? 'ok' : outcome.error.code))).toEqual([
    'ok',
    'validation',
    'validation',
    'conflict',
    'ok',
  ]);
  for (const outcome of outcomes) if (!outcome.ok) expect(outcome.error).toBeInstanceOf(OperationError);
  // The same inputs alone are refused with the same codes.
  await expect(hookline.publish('acme', 'not a type!', { n: 2 })).rejects.toMatchObject({ code: 'validation' });
  await expect(hookline.publish('acme', 'invoice.paid', { n: 4 }, { eventId: 'evt_1' })).rejects.toMatchObject({
    code: 'conflict',
  });
  await waitFor(() => receiver.on('/hook').length === 2, 'the two deliveries');
  expect(receiver.on('/hook').map((request) => JSON.parse(request.body) as unknown)).toEqual(
    expect.arrayContaining([{ n: 1 }, { n: 5 }]),
  );
});

it('rejects the whole batch, publishing nothing, for an unknown application or more than 1,000 messages', async () => {
  await hookline.createApplication({ name: 'Acme', uid: 'acme' });
  const one = { eventType: 'invoice.paid', payload: {} };
  await expect(hookline.publishMany('nobody', [one])).rejects.toMatchObject({ code: 'not_found' });
  await expect(
    hookline.publishMany(
      'acme',
      Array.from({ length: 1001 }, () => one),
    ),
  ).rejects.toMatchObject({
    code: 'validation',
  });
  expect(
    (await hookline.store.listMessages((await hookline.store.getApplication('acme'))?.id ?? '', { limit: 10 })).data,
  ).toEqual([]);
});
