// Operational events (issue 14 section 5), end to end on each store: a real Hookline whose configured operational
// webhook (delivery.operationalWebhookUrl) is an endpoint of its operational application, so each event is a
// message its own engine signs, retries and records. Every body is verified with the official Standard Webhooks
// library and checked against Svix's shapes. Waits are bounded polls.
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { availableStores, type StoreHookline, startHooklineOn } from './support/each-store.js';
import type { Api } from './support/hookline.js';
import { type ReceivedRequest, TestReceiver, waitFor } from './support/receiver.js';

const OPS_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

interface OperationalEvent {
  type: string;
  timestamp: string;
  data: Record<string, unknown> & { lastAttempt?: { id: string; responseStatusCode: number; timestamp: string } };
}

describe.each(await availableStores())('operational events on %s', (store) => {
  let receiver: TestReceiver;
  let hookline: StoreHookline;
  let api: Api;

  beforeEach(async () => {
    receiver = new TestReceiver();
    await receiver.start();
  });

  afterEach(async () => {
    await hookline?.stop();
    await receiver.stop();
  });

  async function start(delivery: Parameters<typeof startHooklineOn>[1] = {}) {
    hookline = await startHooklineOn(store, {
      operationalWebhookUrl: `${receiver.url}/ops`,
      operationalWebhookSecret: OPS_SECRET,
      ...delivery,
    });
    api = hookline.api;
  }

  /** Every operational event received so far, each verified by the official library (it throws if one fails). */
  function received(): OperationalEvent[] {
    return receiver
      .on('/ops')
      .map((request: ReceivedRequest) =>
        new Webhook(OPS_SECRET).verify(request.body, request.headers as Record<string, string>),
      ) as OperationalEvent[];
  }

  /** Waits for an event of `type` matching `about`, and answers it. */
  async function eventOf(type: string, about: Record<string, unknown>): Promise<OperationalEvent> {
    const matches = () =>
      received().filter((event) => event.type === type && Object.entries(about).every(([k, v]) => event.data[k] === v));
    await waitFor(() => matches().length > 0, `${type} ${JSON.stringify(about)}`);
    return matches()[0] as OperationalEvent;
  }

  const typesFor = (endpointId: string) =>
    received()
      .filter((event) => event.data.endpointId === endpointId)
      .map((event) => event.type);

  it('endpoint created, updated, disabled and enabled by hand, and deleted: one event each, in Svix shapes', async () => {
    await start();
    const app = await api.ok<{ id: string }>('POST', '/api/v1/app', { name: 'Tenant', uid: 'tenant-1' });
    const endpoint = await api.ok<{ id: string }>('POST', `/api/v1/app/${app.id}/endpoint`, {
      url: `${receiver.url}/tenant`,
      uid: 'hook-1',
    });
    const ids = { appId: app.id, appUid: 'tenant-1', endpointId: endpoint.id, endpointUid: 'hook-1' };
    const created = await eventOf('endpoint.created', { endpointId: endpoint.id });
    expect(created.data).toEqual(ids);
    expect(Number.isNaN(Date.parse(created.timestamp))).toBe(false);

    const path = `/api/v1/app/${app.id}/endpoint/${endpoint.id}`;
    await api.ok('PATCH', path, { description: 'renamed' });
    await waitFor(() => typesFor(endpoint.id).includes('endpoint.updated'), 'endpoint.updated');
    await api.ok('PATCH', path, { disabled: true });
    const disabled = await eventOf('endpoint.disabled', { endpointId: endpoint.id });
    expect(disabled.data).toEqual({ ...ids, failSince: null, trigger: 'manual' });
    await api.ok('PATCH', path, { disabled: false });
    expect((await eventOf('endpoint.enabled', { endpointId: endpoint.id })).data).toEqual(ids);
    await api.ok('DELETE', path);
    expect((await eventOf('endpoint.deleted', { endpointId: endpoint.id })).data).toEqual(ids);
    // Each change said once: three updates (description, disabled, enabled), no repeats of the others.
    expect(typesFor(endpoint.id).sort()).toEqual([
      'endpoint.created',
      'endpoint.deleted',
      'endpoint.disabled',
      'endpoint.enabled',
      'endpoint.updated',
      'endpoint.updated',
      'endpoint.updated',
    ]);
  });

  it('the engine tells failing (fourth failure), exhausted (dead), recovered, and an endpoint it disabled', async () => {
    // Six attempts per delivery: failing at the fourth, exhausted at the sixth.
    await start({ retrySchedule: [0.02, 0.02, 0.02, 0.02, 0.02] });
    receiver.script('/down', () => ({ status: 503 }));
    receiver.script('/flaky', (_request, n) => (n <= 4 ? { status: 500 } : { status: 200 }));
    receiver.script('/gone', () => ({ status: 410 }));
    const app = await api.ok<{ id: string }>('POST', '/api/v1/app', { name: 'Tenant', uid: 'tenant-2' });
    const endpointAt = (path: string) =>
      api.ok<{ id: string }>('POST', `/api/v1/app/${app.id}/endpoint`, { url: `${receiver.url}${path}` });
    const down = await endpointAt('/down');
    const flaky = await endpointAt('/flaky');
    const gone = await endpointAt('/gone');
    const message = await api.ok<{ id: string }>('POST', `/api/v1/app/${app.id}/msg`, {
      eventType: 'invoice.paid',
      eventId: 'evt-42',
      payload: { secret: 'never in an operational event' },
    });
    const about = { appId: app.id, appUid: 'tenant-2', msgId: message.id, msgEventId: 'evt-42' };

    const exhausted = await eventOf('message.attempt.exhausted', { endpointId: down.id });
    expect(exhausted.data).toMatchObject(about);
    const attempts = await api.ok<{ data: Array<{ id: string; endpointId: string }> }>(
      'GET',
      `/api/v1/app/${app.id}/attempt/endpoint/${down.id}`,
    );
    expect(attempts.data).toHaveLength(6);
    // The attempt named is the last one, as recorded (the list is newest first).
    expect(exhausted.data.lastAttempt).toMatchObject({ id: attempts.data[0]?.id, responseStatusCode: 503 });
    expect((await eventOf('message.attempt.failing', { endpointId: down.id })).data).toMatchObject(about);

    expect((await eventOf('message.attempt.failing', { endpointId: flaky.id })).data).toMatchObject(about);
    const recovered = await eventOf('message.attempt.recovered', { endpointId: flaky.id });
    expect(recovered.data).toMatchObject({ ...about, lastAttempt: { responseStatusCode: 200 } });

    const disabled = await eventOf('endpoint.disabled', { endpointId: gone.id });
    expect(disabled.data).toMatchObject({ appId: app.id, appUid: 'tenant-2', trigger: 'automatic' });
    expect(Number.isNaN(Date.parse(disabled.data.failSince as string))).toBe(false);

    expect(typesFor(down.id).filter((type) => type.startsWith('message.'))).toEqual([
      'message.attempt.failing',
      'message.attempt.exhausted',
    ]);
    expect(typesFor(flaky.id).filter((type) => type.startsWith('message.'))).toEqual([
      'message.attempt.failing',
      'message.attempt.recovered',
    ]);
    expect(receiver.on('/ops').some((request) => request.body.includes('never in an operational event'))).toBe(false);
  });

  it('operational deliveries are retried by the engine, recorded, and never tell about themselves', async () => {
    await start({ retrySchedule: [0.02, 0.02, 0.02, 0.02, 0.02] });
    // The operator's receiver fails its first five requests: an operational delivery fails four times and more.
    receiver.script('/ops', (_request, n) => (n <= 5 ? { status: 500 } : { status: 200 }));
    const app = await api.ok<{ id: string }>('POST', '/api/v1/app', { name: 'Tenant' });
    const endpoint = await api.ok<{ id: string }>('POST', `/api/v1/app/${app.id}/endpoint`, {
      url: `${receiver.url}/tenant`,
    });
    const created = (request: ReceivedRequest) => request.body.includes('"endpoint.created"');
    await waitFor(() => receiver.on('/ops').filter(created).length === 6, 'the sixth try of endpoint.created');
    const event = received().at(-1) as OperationalEvent;
    expect(event).toMatchObject({ type: 'endpoint.created', data: { appId: app.id, endpointId: endpoint.id } });
    // The same message each time (Standard Webhooks' webhook-id), as any retried delivery.
    expect(new Set(receiver.on('/ops').map((request) => request.headers['webhook-id'])).size).toBe(1);

    const operational = await api.ok<{ data: Array<{ id: string; uid: string | null }> }>('GET', '/api/v1/app');
    const opsApp = operational.data.find((a) => a.uid === 'hookline:operational');
    expect(opsApp).toBeDefined();
    const messages = await api.ok<{ data: Array<{ id: string; eventType: string }> }>(
      'GET',
      `/api/v1/app/${opsApp?.id}/msg`,
    );
    // Only the tenant's event: the operational delivery's own failing and recovery were not announced.
    expect(messages.data.map((m) => m.eventType)).toEqual(['endpoint.created']);
    const attempts = await api.ok<{ data: unknown[] }>(
      'GET',
      `/api/v1/app/${opsApp?.id}/attempt/msg/${messages.data[0]?.id}`,
    );
    expect(attempts.data).toHaveLength(6);
  });
});
