// Retention through the API on each store, and in embedded mode (issue 14 section 2): a message whose payload was
// pruned still lists and reads, with Svix's `{"expired": true}` in place of its payload and the time it went; its
// attempts stay; a resend answers 410 payload_expired; past the history limit it is gone. The operator reads the
// settings at /api/v1/admin/retention. Passes run at a time the test picks (the pruner's injected clock).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createHookline, type Hookline, OperationError } from '../src/index.js';
import { availableStores, type StoreHookline, startHooklineOn } from './support/each-store.js';
import { type AttemptOut, appWithEndpoint, attemptsOf, publish } from './support/hookline.js';
import { TestReceiver, waitFor } from './support/receiver.js';

const DAY_MS = 86_400_000;
const stores = await availableStores();
let running: StoreHookline | null = null;
let receiver: TestReceiver | null = null;
let embedded: { hookline: Hookline; dir: string } | null = null;

afterEach(async () => {
  await running?.stop();
  await receiver?.stop();
  if (embedded !== null) {
    await embedded.hookline.close();
    rmSync(embedded.dir, { recursive: true, force: true });
  }
  running = null;
  receiver = null;
  embedded = null;
});

interface MessageOut {
  id: string;
  payload: unknown;
  payloadPrunedAt: string | null;
}

describe.each(stores)('retention through the API on %s', (store) => {
  it('a pruned message lists and reads as expired, keeps its attempts, refuses a resend; later it is gone', async () => {
    receiver = new TestReceiver();
    await receiver.start();
    running = await startHooklineOn(store);
    const { api, server } = running;
    expect(await api.ok('GET', '/api/v1/admin/retention')).toEqual({ payloadDays: 30, historyDays: 90 });

    const { appId, endpointId } = await appWithEndpoint(api, `${receiver.url}/sink`);
    const message = await publish(api, appId, { invoice: 'in_1' });
    let attempts: AttemptOut[] = [];
    await waitFor(async () => {
      attempts = await attemptsOf(api, appId, message.id);
      return attempts.length === 1;
    }, 'the delivery');
    const kept = await api.ok<MessageOut>('GET', `/api/v1/app/${appId}/msg/${message.id}`);
    expect(kept).toMatchObject({ payload: { invoice: 'in_1' }, payloadPrunedAt: null });

    const prunedAt = Date.now() + 31 * DAY_MS;
    expect(await server.pruner.runPass(prunedAt)).toMatchObject({ payloads: 1, messages: 0 });

    const pruned = await api.ok<MessageOut>('GET', `/api/v1/app/${appId}/msg/${message.id}`);
    expect(pruned).toMatchObject({ payload: { expired: true }, payloadPrunedAt: new Date(prunedAt).toISOString() });
    const listed = await api.ok<{ data: MessageOut[] }>('GET', `/api/v1/app/${appId}/msg`);
    expect(listed.data).toMatchObject([{ id: message.id, payload: { expired: true } }]);
    expect(await attemptsOf(api, appId, message.id)).toHaveLength(1);

    const resend = await api.call('POST', `/api/v1/app/${appId}/msg/${message.id}/endpoint/${endpointId}/resend`);
    expect(resend.status).toBe(410);
    expect(resend.body).toMatchObject({ code: 'payload_expired' });
    expect(String((resend.body as { detail: unknown }).detail)).toContain('retention');
    expect(await server.pruner.runPass(Date.now() + 91 * DAY_MS)).toMatchObject({ messages: 1 });
    expect((await api.call('GET', `/api/v1/app/${appId}/msg/${message.id}`)).status).toBe(404);
    expect((await api.ok<{ data: MessageOut[] }>('GET', `/api/v1/app/${appId}/msg`)).data).toEqual([]);
    expect(receiver.on('/sink')).toHaveLength(1);
  });
});

describe('retention in embedded mode', () => {
  it('prune() removes payloads past payloadDays and history past historyDays, at the time it is given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookline-retention-'));
    const hookline = await createHookline({
      database: join(dir, 'hookline.db'),
      retention: { payloadDays: 1, historyDays: 2 },
      logger: pino({ level: 'silent' }),
    });
    embedded = { hookline, dir };
    const app = await hookline.createApplication({ name: 'Acme' });
    // No endpoint: nothing to deliver, so nothing keeps the message.
    const message = await hookline.publish(app.id, 'invoice.paid', { invoice: 'in_1' });

    expect(await hookline.prune(new Date(Date.now() + DAY_MS / 2))).toMatchObject({ payloads: 0, messages: 0 });
    expect(await hookline.prune(new Date(Date.now() + 1.5 * DAY_MS))).toMatchObject({ payloads: 1, messages: 0 });
    expect(await hookline.store.getMessage(app.id, message.id)).toMatchObject({ payload: '' });
    expect((await hookline.store.getMessage(app.id, message.id))?.payloadPrunedAt).not.toBeNull();
    expect(await hookline.prune(new Date(Date.now() + 2.5 * DAY_MS))).toMatchObject({ messages: 1 });
    expect(await hookline.store.getMessage(app.id, message.id)).toBeNull();

    await expect(hookline.prune(new Date('not a date'))).rejects.toThrow(OperationError);
    await expect(
      createHookline({ database: join(dir, 'other.db'), retention: { payloadDays: 10, historyDays: 5 } }),
    ).rejects.toThrow('retention.payloadDays (10) must be at most retention.historyDays (5)');
  });
});
