// Ordered delivery through the API on each store (issue 14 section 1): the endpoint's ordering settings, the
// message's ordering key (the field, or the tag the Svix SDKs pass through), refusals, and a key held by its dead
// head: listed at .../ordering/held, nothing of it sent, released by resending the head.
import { afterEach, describe, expect, it } from 'vitest';
import { availableStores, type StoreHookline, startHooklineOn } from './support/each-store.js';
import { appWithEndpoint, publish } from './support/hookline.js';
import { TestReceiver, waitFor } from './support/receiver.js';

const stores = await availableStores();
let running: StoreHookline | null = null;
let receiver: TestReceiver | null = null;

afterEach(async () => {
  await running?.stop();
  await receiver?.stop();
  running = null;
  receiver = null;
});

interface HeldOut {
  orderingKey: string;
  msgId: string;
  waiting: number;
  lastStatusCode: number | null;
}

describe.each(stores)('ordering through the API on %s', (store) => {
  it('keeps the ordering settings and the key, and refuses what it cannot use', async () => {
    receiver = new TestReceiver();
    await receiver.start();
    running = await startHooklineOn(store);
    const { api } = running;
    const { appId, endpointId } = await appWithEndpoint(api, `${receiver.url}/sink`, {
      ordering: 'fifo',
      orderingOnDead: 'hold',
    });
    expect(await api.ok('GET', `/api/v1/app/${appId}/endpoint/${endpointId}`)).toMatchObject({
      ordering: 'fifo',
      orderingOnDead: 'hold',
    });
    const byField = await publish(api, appId, { n: 1 }, { orderingKey: 'cus_1' });
    expect(byField).toMatchObject({ orderingKey: 'cus_1' });
    const byTag = await publish(api, appId, { n: 2 }, { tags: ['ordering-key:cus_2'] });
    expect(await api.ok('GET', `/api/v1/app/${appId}/msg/${byTag.id}`)).toMatchObject({ orderingKey: 'cus_2' });

    const differing = await api.call('POST', `/api/v1/app/${appId}/msg`, {
      eventType: 'payment.succeeded',
      payload: {},
      orderingKey: 'a',
      tags: ['ordering-key:b'],
    });
    expect(differing.status).toBe(422);
    const badMode = await api.call('PATCH', `/api/v1/app/${appId}/endpoint/${endpointId}`, { ordering: 'lifo' });
    expect(badMode.status).toBe(422);
    const missing = await api.call('GET', `/api/v1/app/${appId}/endpoint/ep_missing/ordering/held`);
    expect(missing.status).toBe(404);
  });

  it('a dead head holds its key: listed, the next not sent, released by resending the head', async () => {
    receiver = new TestReceiver();
    await receiver.start();
    let accept = false;
    receiver.script('/sink', () => (accept ? { status: 200 } : { status: 500 }));
    running = await startHooklineOn(store, { retrySchedule: [0.05], pollIntervalMs: 100 });
    const { api } = running;
    const { appId, endpointId } = await appWithEndpoint(api, `${receiver.url}/sink`, {
      ordering: 'fifo',
      orderingOnDead: 'hold',
    });
    const head = await publish(api, appId, { n: 0 }, { orderingKey: 'cus_1' });
    await publish(api, appId, { n: 1 }, { orderingKey: 'cus_1' });
    const heldPath = `/api/v1/app/${appId}/endpoint/${endpointId}/ordering/held`;
    let held: HeldOut[] = [];
    await waitFor(
      async () => {
        held = (await api.ok<{ data: HeldOut[] }>('GET', heldPath)).data;
        return held.length > 0;
      },
      'the key held by its dead head',
      60_000,
    );
    expect(held).toEqual([expect.objectContaining({ orderingKey: 'cus_1', msgId: head.id, waiting: 1 })]);
    expect(held[0]?.lastStatusCode).toBe(500);
    const sent = () => receiver?.on('/sink').map((request) => (JSON.parse(request.body) as { n: number }).n) ?? [];
    // Both attempts of the head, and nothing of the message behind it.
    expect(sent()).toEqual([0, 0]);

    accept = true;
    await api.ok('POST', `/api/v1/app/${appId}/msg/${head.id}/endpoint/${endpointId}/resend`);
    await waitFor(() => sent().includes(1), 'the message behind the head', 60_000);
    expect(sent()).toEqual([0, 0, 0, 1]);
    expect((await api.ok<{ data: HeldOut[] }>('GET', heldPath)).data).toEqual([]);
  });
});
