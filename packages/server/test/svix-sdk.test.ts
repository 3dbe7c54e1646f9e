// The official `svix` SDK drives a real Hookline (API, engine, SQLite) on loopback, as a team moving from Svix would:
// every call goes through the SDK's own request and response code, and deliveries verify with its Webhook class.
import { ApiException, MessageAttemptTriggerType, MessageStatus, Svix, Webhook } from 'svix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startHookline, type TestHookline } from './support/hookline.js';
import { type ReceivedRequest, TestReceiver, waitFor } from './support/receiver.js';

let hookline: TestHookline;
let receiver: TestReceiver;
let svix: Svix;

beforeAll(async () => {
  receiver = new TestReceiver();
  await receiver.start();
  receiver.script('/failing', () => ({ status: 500, body: 'down' }));
  hookline = await startHookline();
  // No SDK retries: a 5xx must fail the test, not be retried away.
  svix = new Svix(ADMIN_TOKEN, { serverUrl: hookline.server.url, numRetries: 0 });
});

afterAll(async () => {
  await hookline?.stop();
  await receiver?.stop();
});

/** A Date the SDK built from our answer: a real instant, not `Invalid Date` from a missing or malformed field. */
function expectDate(value: unknown): void {
  expect(value).toBeInstanceOf(Date);
  expect(Number.isNaN((value as Date).getTime())).toBe(false);
}

async function expectApiError(call: Promise<unknown>, status: number): Promise<ApiException<unknown>> {
  const error = await call.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ApiException<unknown>);
  expect((error as ApiException<unknown>).code).toBe(status);
  return error as ApiException<unknown>;
}

/** Follows `iterator` to the end; bounded, so a cursor that never finishes fails the test. */
async function allPages<T>(
  fetchPage: (iterator: string | undefined) => Promise<{ data: T[]; iterator: string | null; done: boolean }>,
): Promise<T[]> {
  const items: T[] = [];
  let iterator: string | undefined;
  for (let page = 0; page < 100; page++) {
    const result = await fetchPage(iterator);
    items.push(...result.data);
    if (result.done) return items;
    expect(result.iterator).not.toBeNull();
    iterator = result.iterator ?? undefined;
  }
  throw new Error('pagination did not finish within 100 pages');
}

const INVOICE_SCHEMA = {
  type: 'object',
  required: ['invoice', 'amount'],
  properties: { invoice: { type: 'string' }, amount: { type: 'integer', minimum: 0 } },
};

describe('the official svix SDK against Hookline', () => {
  it('manages applications: create, get-or-create, get by uid, put, patch, list', async () => {
    const created = await svix.application.create({ name: 'Acme', uid: 'acme', metadata: { plan: 'pro' } });
    expect(created).toMatchObject({ name: 'Acme', uid: 'acme', metadata: { plan: 'pro' } });
    expect(created.id).toMatch(/^app_/);
    expectDate(created.createdAt);
    expectDate(created.updatedAt);

    const again = await svix.application.getOrCreate({ name: 'Acme again', uid: 'acme' });
    expect(again.id).toBe(created.id);
    expect(again.name).toBe('Acme');
    const fresh = await svix.application.getOrCreate({ name: 'Beta', uid: 'beta' });
    expect(fresh.id).not.toBe(created.id);

    expect((await svix.application.get('acme')).id).toBe(created.id);
    // An application-wide rate is refused, not stored and ignored: rates are per endpoint (issue 14).
    await expectApiError(svix.application.update('acme', { name: 'Acme Inc', uid: 'acme', throttleRate: 100 }), 422);
    const put = await svix.application.update('acme', { name: 'Acme Inc', uid: 'acme' });
    expect(put).toMatchObject({ id: created.id, name: 'Acme Inc', uid: 'acme', throttleRate: null, metadata: {} });
    const patched = await svix.application.patch(created.id, { metadata: { plan: 'enterprise' } });
    expect(patched).toMatchObject({ name: 'Acme Inc', metadata: { plan: 'enterprise' } });

    const listed = await allPages((iterator) => svix.application.list({ limit: 1, ...(iterator ? { iterator } : {}) }));
    expect(listed.map((app) => app.id)).toEqual(expect.arrayContaining([created.id, fresh.id]));
    await svix.application.delete(fresh.id);
    await expectApiError(svix.application.get(fresh.id), 404);
  });

  it('creates a missing application alongside a message, once, and 404s without one', async () => {
    await expectApiError(svix.message.create('auto-app', { eventType: 'auto.created', payload: {} }), 404);
    const first = await svix.message.create('auto-app', {
      eventType: 'auto.created',
      payload: { n: 1 },
      application: { name: 'Auto', uid: 'auto-app' },
    });
    const second = await svix.message.create('auto-app', {
      eventType: 'auto.created',
      payload: { n: 2 },
      application: { name: 'Ignored, it exists' },
    });
    const app = await svix.application.get('auto-app');
    expect(app).toMatchObject({ name: 'Auto', uid: 'auto-app' });
    const listed = await svix.message.list('auto-app');
    expect(listed.data.map((message) => message.id)).toEqual([second.id, first.id]);
    await svix.application.delete(app.id);
  });

  it('schedules a message with deliverAt, tags it and finds it by tag, and refuses more than 24 hours ahead', async () => {
    const app = await svix.application.create({ name: 'Scheduled' });
    const deliverAt = new Date(Date.now() + 3600 * 1000);
    const scheduled = await svix.message.create(app.id, {
      eventType: 'later.please',
      payload: {},
      deliverAt,
      tags: ['project_1'],
    });
    await svix.message.create(app.id, { eventType: 'later.please', payload: {}, tags: ['project_2'] });
    expect(scheduled.deliverAt).toEqual(deliverAt);
    expect(scheduled.tags).toEqual(['project_1']);
    const byTag = await svix.message.list(app.id, { tag: 'project_1' });
    expect(byTag.data.map((message) => message.id)).toEqual([scheduled.id]);
    expect((await svix.message.get(app.id, scheduled.id)).deliverAt).toEqual(deliverAt);
    await expectApiError(
      svix.message.create(app.id, {
        eventType: 'later.please',
        payload: {},
        deliverAt: new Date(Date.now() + 48 * 3600 * 1000),
      }),
      422,
    );
    await svix.application.delete(app.id);
  });

  it('manages event types: create with a schema, get, list with and without archived, patch, put, archive, expunge', async () => {
    const created = await svix.eventType.create({
      name: 'invoice.paid',
      description: 'An invoice was paid',
      schemas: { '1': INVOICE_SCHEMA },
    });
    expect(created).toMatchObject({ name: 'invoice.paid', archived: false, deprecated: false });
    expect(created.schemas).toEqual({ '1': INVOICE_SCHEMA });
    expectDate(created.createdAt);
    await svix.eventType.create({ name: 'invoice.void', description: 'voided' });
    await svix.eventType.create({ name: 'invoice.draft', description: 'drafted' });

    expect((await svix.eventType.get('invoice.paid')).description).toBe('An invoice was paid');
    const patched = await svix.eventType.patch('invoice.void', { deprecated: true });
    expect(patched).toMatchObject({ deprecated: true, description: 'voided' });
    const put = await svix.eventType.update('invoice.void', { description: 'voided for good' });
    expect(put).toMatchObject({ description: 'voided for good', deprecated: false });

    await svix.eventType.delete('invoice.draft');
    const visible = await svix.eventType.list({ withContent: true });
    expect(visible.data.map((type) => type.name)).toEqual(['invoice.paid', 'invoice.void']);
    expect(visible.data[0]?.schemas).toEqual({ '1': INVOICE_SCHEMA });
    const all = await svix.eventType.list({ includeArchived: true });
    expect(all.data.find((type) => type.name === 'invoice.draft')?.archived).toBe(true);
    await svix.eventType.delete('invoice.draft', { expunge: true });
    await expectApiError(svix.eventType.get('invoice.draft'), 404);
  });

  it('sends, lists, resends and recovers through the SDK; every delivery verifies with svix Webhook', async () => {
    const app = await svix.application.create({ name: 'Shop' });
    const main = await svix.endpoint.create(app.id, {
      url: `${receiver.url}/main`,
      uid: 'main',
      description: 'paid invoices',
      filterTypes: ['invoice.paid'],
      metadata: { team: 'billing' },
    });
    expect(main).toMatchObject({
      uid: 'main',
      filterTypes: ['invoice.paid'],
      version: 1,
      metadata: { team: 'billing' },
    });
    expectDate(main.createdAt);
    const voids = await svix.endpoint.create(app.id, { url: `${receiver.url}/voids`, filterTypes: ['invoice.void'] });
    const failing = await svix.endpoint.create(app.id, { url: `${receiver.url}/failing`, channels: ['flaky'] });

    // Secrets: read, rotate, read the new one.
    const firstSecret = (await svix.endpoint.getSecret(app.id, 'main')).key;
    expect(firstSecret).toMatch(/^whsec_/);
    await svix.endpoint.rotateSecret(app.id, main.id, {});
    const secret = (await svix.endpoint.getSecret(app.id, main.id)).key;
    expect(secret).not.toBe(firstSecret);

    // Custom headers: sent with deliveries; sensitive values are not read back.
    await svix.endpoint.updateHeaders(app.id, main.id, {
      headers: { 'X-Tenant': 'shop', Authorization: 'Bearer s3cret' },
    });
    await svix.endpoint.patchHeaders(app.id, main.id, { headers: { 'X-Region': 'eu' } });
    const headers = await svix.endpoint.getHeaders(app.id, main.id);
    expect(headers).toEqual({ headers: { 'X-Tenant': 'shop', 'X-Region': 'eu' }, sensitive: ['Authorization'] });

    // A payload its event type's schema refuses: 422 in the shape the SDK parses.
    const refused = await expectApiError(
      svix.message.create(app.id, { eventType: 'invoice.paid', payload: { invoice: 'in_0', amount: -1 } }),
      422,
    );
    expect(refused.body).toMatchObject({
      code: 'validation',
      detail: [{ loc: ['body', 'payload', 'amount'], type: 'value_error.minimum' }],
    });

    const sent = [];
    for (let i = 1; i <= 7; i++) {
      sent.push(
        await svix.message.create(app.id, {
          eventType: 'invoice.paid',
          eventId: `evt_${i}`,
          payload: { invoice: `in_${i}`, amount: i },
        }),
      );
    }
    const voided = await svix.message.create(app.id, { eventType: 'invoice.void', payload: { invoice: 'in_1' } });
    const flaky = await svix.message.create(app.id, {
      eventType: 'invoice.paid',
      payload: { invoice: 'in_f', amount: 0 },
      channels: ['flaky'],
    });
    expect(sent[0]).toMatchObject({
      eventType: 'invoice.paid',
      eventId: 'evt_1',
      payload: { invoice: 'in_1', amount: 1 },
    });
    expectDate(sent[0]?.timestamp);

    // Deliveries: 8 invoice.paid to main (7 + the flaky one), 1 void to voids, and the failing endpoint's tries.
    await waitFor(() => receiver.on('/main').length === 8, 'eight deliveries to main');
    await waitFor(() => receiver.on('/voids').length === 1, 'one delivery to voids');
    for (const request of receiver.on('/main')) {
      const payload = new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
      expect(payload).toHaveProperty('invoice');
      expect(request.headers['x-tenant']).toBe('shop');
      expect(request.headers.authorization).toBe('Bearer s3cret');
    }
    const voidSecret = (await svix.endpoint.getSecret(app.id, voids.id)).key;
    const [voidRequest] = receiver.on('/voids') as [ReceivedRequest];
    expect(new Webhook(voidSecret).verify(voidRequest.body, voidRequest.headers as Record<string, string>)).toEqual({
      invoice: 'in_1',
    });

    // Messages: filtered and paged to the end, newest first.
    const paid = await allPages((iterator) =>
      svix.message.list(app.id, { limit: 3, eventTypes: ['invoice.paid'], ...(iterator ? { iterator } : {}) }),
    );
    expect(paid.map((message) => message.id)).toEqual([flaky.id, ...sent.map((message) => message.id).reverse()]);
    const onFlaky = await svix.message.list(app.id, { channel: 'flaky' });
    expect(onFlaky.data.map((message) => message.id)).toEqual([flaky.id]);
    expect((await svix.message.get(app.id, 'evt_3')).payload).toEqual({ invoice: 'in_3', amount: 3 });
    expect((await svix.message.list(app.id, { before: new Date(0) })).data).toEqual([]);
    void voided;

    // Attempts by endpoint, paged to the end; by message; one attempt; where a message went.
    await waitFor(
      async () => (await svix.messageAttempt.listByEndpoint(app.id, main.id)).data.length === 8,
      'attempt log',
    );
    const attempts = await allPages((iterator) =>
      svix.messageAttempt.listByEndpoint(app.id, main.id, { limit: 3, ...(iterator ? { iterator } : {}) }),
    );
    expect(attempts).toHaveLength(8);
    for (const attempt of attempts) {
      expect(attempt).toMatchObject({ status: MessageStatus.Success, statusText: 'success', responseStatusCode: 200 });
      expect(attempt.triggerType).toBe(MessageAttemptTriggerType.Scheduled);
      expectDate(attempt.timestamp);
    }
    const withMessages = await svix.messageAttempt.listByEndpoint(app.id, main.id, { limit: 2, withMsg: true });
    for (const attempt of withMessages.data) expect(attempt.msg?.id).toBe(attempt.msgId);
    const first = sent[0];
    if (first === undefined) throw new Error('nothing sent');
    const [attemptOfFirst] = (await svix.messageAttempt.listByMsg(app.id, first.id)).data;
    expect(attemptOfFirst?.msgId).toBe(first.id);
    const one = await svix.messageAttempt.get(app.id, first.id, attemptOfFirst?.id as string);
    expect(one.id).toBe(attemptOfFirst?.id);
    const destinations = await svix.messageAttempt.listAttemptedDestinations(app.id, flaky.id);
    expect(destinations.data.map((destination) => destination.id).sort()).toEqual([main.id, failing.id].sort());
    expect(destinations.data.find((destination) => destination.id === main.id)).toMatchObject({
      status: MessageStatus.Success,
      statusText: 'success',
    });

    // Resend: one more, manual, attempt.
    await svix.messageAttempt.resend(app.id, first.id, main.id);
    await waitFor(async () => (await svix.messageAttempt.listByMsg(app.id, first.id)).data.length === 2, 'the resend');
    const [resent] = (await svix.messageAttempt.listByMsg(app.id, first.id)).data;
    expect(resent?.triggerType).toBe(MessageAttemptTriggerType.Manual);

    // Recover: the failing endpoint's delivery dies after its retries, then recover queues it again.
    await waitFor(async () => (await svix.endpoint.getStats(app.id, failing.id)).fail === 1, 'the dead delivery');
    const failed = await svix.messageAttempt.listByEndpoint(app.id, failing.id, {
      status: MessageStatus.Fail,
      statusCodeClass: 500,
    });
    const failedCount = failed.data.length;
    expect(failedCount).toBeGreaterThan(0);
    const recovered = await svix.endpoint.recover(app.id, failing.id, { since: new Date(Date.now() - 3_600_000) });
    expect(recovered).toMatchObject({ status: 'finished', task: 'endpoint.recover' });
    expectDate(recovered.updatedAt);
    await waitFor(
      async () => (await svix.messageAttempt.listByEndpoint(app.id, failing.id)).data.length > failedCount,
      'the recovered attempt',
    );
    expect(await svix.endpoint.getStats(app.id, main.id)).toEqual({
      success: 8,
      fail: 0,
      pending: 0,
      sending: 0,
      canceled: 0,
    });

    // Endpoint put and patch, then delete everything.
    const replaced = await svix.endpoint.update(app.id, main.id, { url: `${receiver.url}/main`, description: 'all' });
    expect(replaced).toMatchObject({ description: 'all', uid: 'main' });
    expect(replaced.filterTypes ?? null).toBeNull();
    const disabled = await svix.endpoint.patch(app.id, main.id, { disabled: true });
    expect(disabled.disabled).toBe(true);
    const endpoints = await allPages((iterator) =>
      svix.endpoint.list(app.id, { limit: 2, ...(iterator ? { iterator } : {}) }),
    );
    expect(endpoints.map((endpoint) => endpoint.id).sort()).toEqual([main.id, voids.id, failing.id].sort());
    await svix.endpoint.delete(app.id, voids.id);
    await expectApiError(svix.endpoint.get(app.id, voids.id), 404);
    await svix.application.delete(app.id);
    await expectApiError(svix.message.get(app.id, first.id), 404);
  });
});
