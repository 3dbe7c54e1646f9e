// Embedded use: Hookline as a library in the app's process. Publish and hook with the worker here, and publish
// with no worker, drained afterwards by a separate `hookline serve` process on the same SQLite file.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createHookline, type Hookline, OperationError } from '../src/index.js';
import { type ReceivedRequest, TestReceiver, waitFor } from './support/receiver.js';

let dir: string;
let receiver: TestReceiver;
let hookline: Hookline | null = null;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hookline-embedded-'));
  receiver = new TestReceiver();
  await receiver.start();
});

afterEach(async () => {
  await hookline?.close();
  hookline = null;
  await receiver.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function open(): Promise<Hookline> {
  hookline = await createHookline({
    database: join(dir, 'hookline.db'),
    allowPrivateNetworks: true,
    delivery: { retrySchedule: [0.05], pollIntervalMs: 100 },
    logger: pino({ level: 'silent' }),
  });
  return hookline;
}

it('publish with the worker in this process delivers a signed event the official library verifies', async () => {
  const hl = await open();
  await hl.createApplication({ name: 'Acme', uid: 'acme' });
  const { secret } = await hl.createEndpoint('acme', { url: `${receiver.url}/hook` });
  hl.startWorker();
  const message = await hl.publish('acme', 'invoice.paid', { invoice: 'in_1' }, { eventId: 'evt_1' });
  await waitFor(() => receiver.on('/hook').length === 1, 'the delivery');
  const [request] = receiver.on('/hook') as [ReceivedRequest];
  expect(new Webhook(secret).verify(request.body, request.headers as Record<string, string>)).toEqual({
    invoice: 'in_1',
  });
  expect(request.headers['webhook-id']).toBe(message.id);
});

it('embedded mode tells the configured operational webhook of an endpoint it created, signed and delivered', async () => {
  const opsSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  hookline = await createHookline({
    database: join(dir, 'hookline.db'),
    allowPrivateNetworks: true,
    delivery: {
      pollIntervalMs: 100,
      operationalWebhookUrl: `${receiver.url}/ops`,
      operationalWebhookSecret: opsSecret,
    },
    logger: pino({ level: 'silent' }),
  });
  const app = await hookline.createApplication({ name: 'Acme', uid: 'acme-ops' });
  const { endpoint } = await hookline.createEndpoint('acme-ops', { url: `${receiver.url}/hook`, uid: 'main' });
  hookline.startWorker();
  await waitFor(() => receiver.on('/ops').length === 1, 'the operational event');
  const [request] = receiver.on('/ops') as [ReceivedRequest];
  expect(new Webhook(opsSecret).verify(request.body, request.headers as Record<string, string>)).toMatchObject({
    type: 'endpoint.created',
    data: { appId: app.id, appUid: 'acme-ops', endpointId: endpoint.id, endpointUid: 'main' },
  });
});

it("hook publishes the wrapped function's result to the application it names, and returns the result", async () => {
  const hl = await open();
  const app = await hl.createApplication({ name: 'Owner' });
  await hl.createEndpoint(app.id, { url: `${receiver.url}/owner`, eventTypes: ['invoice.paid'] });
  hl.startWorker();
  const markPaid = hl.hook(
    'invoice.paid',
    async (invoiceId: string, ownerAppId: string) => ({ invoiceId, ownerAppId, paid: true }),
    { app: (result) => result.ownerAppId, eventId: (_result, invoiceId) => `paid-${invoiceId}` },
  );
  const result = await markPaid('in_7', app.id);
  expect(result).toEqual({ invoiceId: 'in_7', ownerAppId: app.id, paid: true });
  await waitFor(() => receiver.on('/owner').length === 1, 'the hooked event');
  expect(JSON.parse((receiver.on('/owner')[0] as ReceivedRequest).body)).toEqual(result);
  expect((await hl.store.getMessage(app.id, 'paid-in_7'))?.eventType).toBe('invoice.paid');
  // The same eventId again is refused: the hook rejects, after the function ran.
  await expect(markPaid('in_7', app.id)).rejects.toMatchObject({ code: 'conflict' });
});

// Every code here is the one the HTTP API answers for the same input (test/entry-points.test.ts holds the table).
it('refuses an unknown application, a bad event type and a payload that is not an object, with typed errors', async () => {
  const hl = await open();
  await hl.createApplication({ name: 'x', uid: 'x' });
  await expect(hl.publish('nope', 'a.b', {})).rejects.toMatchObject({ code: 'not_found' });
  await expect(hl.publish('x', 'bad type!', {})).rejects.toBeInstanceOf(OperationError);
  await expect(hl.publish('x', 'a.b', [1] as unknown as Record<string, unknown>)).rejects.toMatchObject({
    code: 'validation',
  });
  await expect(hl.createEndpoint('x', { url: 'ftp://example.com' })).rejects.toMatchObject({
    code: 'unsupported_scheme',
  });
  await expect(hl.publish('x', 'a.b', {}, { deliverAt: new Date('not a date') })).rejects.toMatchObject({
    code: 'validation',
  });
});

it('publish with deliverAt keeps the time on the message, and a time already past means at once', async () => {
  const hl = await open();
  await hl.createApplication({ name: 'x', uid: 'x' });
  const later = new Date(Date.now() + 3 * 24 * 3600 * 1000);
  expect((await hl.publish('x', 'a.b', {}, { deliverAt: later })).deliverAt).toBe(later.getTime());
  expect((await hl.publish('x', 'a.b', {}, { deliverAt: new Date(Date.now() - 1000) })).deliverAt).toBeNull();
});

it("checks a payload against its event type's JSON Schema, and refuses unknown event types when told to", async () => {
  const hl = await open();
  await hl.createApplication({ name: 'x', uid: 'x' });
  await hl.store.createEventType(
    {
      name: 'invoice.paid',
      schemas: { '1': { type: 'object', required: ['amount'], properties: { amount: { type: 'integer' } } } },
    },
    Date.now(),
  );
  await expect(hl.publish('x', 'invoice.paid', { amount: 'ten' })).rejects.toMatchObject({
    code: 'validation',
    issues: [{ loc: ['payload', 'amount'], msg: 'must be integer', type: 'value_error.type' }],
  });
  await expect(hl.publish('x', 'invoice.paid', {})).rejects.toMatchObject({ code: 'validation' });
  await expect(hl.publish('x', 'invoice.paid', { amount: 10 })).resolves.toMatchObject({ eventType: 'invoice.paid' });
  await expect(hl.publish('x', 'never.declared', {})).resolves.toMatchObject({ eventType: 'never.declared' });
  await hl.close();

  hookline = await createHookline({
    database: join(dir, 'hookline.db'),
    unknownEventTypes: 'reject',
    logger: pino({ level: 'silent' }),
  });
  await expect(hookline.publish('x', 'never.declared', {})).rejects.toMatchObject({ code: 'unknown_event_type' });
  await expect(hookline.publish('x', 'invoice.paid', { amount: 1 })).resolves.toBeDefined();
});

it('publish with no worker stays queued; a separate hookline serve process on the same file delivers it', async () => {
  const hl = await open();
  await hl.createApplication({ name: 'Queued', uid: 'queued' });
  const { secret } = await hl.createEndpoint('queued', { url: `${receiver.url}/later` });
  const message = await hl.publish('queued', 'order.shipped', { order: 'o_1' });
  expect(await hl.store.countDeliveries({ status: 'pending' })).toBe(1);
  await hl.close();
  hookline = null;
  expect(receiver.on('/later')).toHaveLength(0);

  const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      main,
      'serve',
      '--port',
      '0',
      '--database',
      join(dir, 'hookline.db'),
      '--allow-private-networks',
    ],
    { env: { ...process.env, HOOKLINE_ADMIN_TOKEN: 'embedded-test-token' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  try {
    await waitFor(() => receiver.on('/later').length === 1, 'the delivery by hookline serve', 30_000);
    const [request] = receiver.on('/later') as [ReceivedRequest];
    expect(request.headers['webhook-id']).toBe(message.id);
    expect(new Webhook(secret).verify(request.body, request.headers as Record<string, string>)).toEqual({
      order: 'o_1',
    });
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
});

it('refuses settings the server would refuse (a timeout of Infinity, a grace of a string) before opening anything', async () => {
  for (const delivery of [
    { timeoutMs: Number.POSITIVE_INFINITY },
    { secretRotationGraceMs: '1 day' as unknown as number },
  ]) {
    await expect(
      createHookline({ database: join(dir, 'refused.db'), delivery, logger: pino({ level: 'silent' }) }),
    ).rejects.toMatchObject({ code: 'invalid_config' });
  }
  await expect(
    createHookline({
      database: join(dir, 'refused.db'),
      encryption: { key: 'short' },
      logger: pino({ level: 'silent' }),
    }),
  ).rejects.toMatchObject({ code: 'invalid_config' });
});
