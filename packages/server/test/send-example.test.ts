// A test event to one endpoint (POST …/endpoint/{id}/send-example, the dashboard's "Send a test event"): it reaches
// that endpoint alone, whatever its filters, signed like any delivery; the Svix SDK's sendExample works unchanged.
import { Svix } from 'svix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startHookline, type TestHookline } from './support/hookline.js';
import { TestReceiver, waitFor } from './support/receiver.js';

describe('send-example: a test event to one endpoint', () => {
  let hookline: TestHookline;
  const receiver = new TestReceiver();

  beforeAll(async () => {
    await receiver.start();
    hookline = await startHookline();
    await hookline.api.ok('POST', '/api/v1/app', { name: 'Acme', uid: 'acme' });
    // The target accepts only another event type: a test is for the endpoint, not for its filter.
    await hookline.api.ok('POST', '/api/v1/app/acme/endpoint', {
      url: `${receiver.url}/target`,
      uid: 'target',
      filterTypes: ['user.created'],
    });
    await hookline.api.ok('POST', '/api/v1/app/acme/endpoint', { url: `${receiver.url}/bystander`, uid: 'bystander' });
  });

  afterAll(async () => {
    await hookline?.stop();
    await receiver.stop();
  });

  it('delivers to that endpoint alone, with the payload given, and the message is like any other', async () => {
    const sent = await hookline.api.call<{ id: string; eventType: string; payload: unknown }>(
      'POST',
      '/api/v1/app/acme/endpoint/target/send-example',
      { eventType: 'invoice.paid', payload: { test: true } },
    );
    expect(sent.status).toBe(202);
    expect(sent.body).toMatchObject({ eventType: 'invoice.paid', payload: { test: true } });
    await waitFor(() => receiver.on('/target').length === 1, 'the test event');
    expect(receiver.on('/target')[0]?.body).toBe('{"test":true}');
    expect(receiver.on('/target')[0]?.headers['webhook-id']).toBe(sent.body.id);
    const destinations = await hookline.api.ok<{ data: Array<{ uid: string }> }>(
      'GET',
      `/api/v1/app/acme/msg/${sent.body.id}/endpoint`,
    );
    expect(destinations.data.map((endpoint) => endpoint.uid)).toEqual(['target']);
    expect(receiver.on('/bystander')).toHaveLength(0);
  });

  it("sends the event type schema's example when no payload is given, through the Svix SDK's sendExample", async () => {
    const example = { invoice: 'in_1', amount: 4200 };
    await hookline.api.ok('POST', '/api/v1/event-type', {
      name: 'invoice.created',
      description: 'an invoice',
      schemas: { '1': { type: 'object', examples: [example] } },
    });
    const svix = new Svix(ADMIN_TOKEN, { serverUrl: hookline.server.url });
    const message = await svix.endpoint.sendExample('acme', 'target', { eventType: 'invoice.created' });
    expect(message.payload).toEqual(example);
    await waitFor(() => receiver.on('/target').some((request) => request.body === JSON.stringify(example)), 'example');
    expect(receiver.on('/bystander')).toHaveLength(0);
    const missing = await hookline.api.call<{ code: string }>('POST', '/api/v1/app/acme/endpoint/target/send-example', {
      eventType: 'invoice.created',
      exampleIndex: 3,
    });
    expect(missing.status).toBe(422);
  });

  it('refuses a disabled endpoint (409) and an unknown one (404), and sends nothing', async () => {
    await hookline.api.ok('PATCH', '/api/v1/app/acme/endpoint/bystander', { disabled: true });
    const disabled = await hookline.api.call<{ code: string; detail: string }>(
      'POST',
      '/api/v1/app/acme/endpoint/bystander/send-example',
      { eventType: 'invoice.paid' },
    );
    expect(disabled.status).toBe(409);
    expect(disabled.body).toMatchObject({ code: 'endpoint_disabled', detail: expect.stringContaining('enable it') });
    const unknown = await hookline.api.call('POST', '/api/v1/app/acme/endpoint/nowhere/send-example', {
      eventType: 'invoice.paid',
    });
    expect(unknown.status).toBe(404);
    expect(receiver.on('/bystander')).toHaveLength(0);
  });
});
