// A broker endpoint subscribes as an HTTP one does (issue 17: "the same event types, channels, filters and ordering
// apply"): a Redis Streams endpoint with event types, channels, a payload filter and FIFO ordering receives only
// the messages its subscription takes, in publish order. Everything goes in one ordering key, so the last message
// arriving means every earlier one the endpoint took was acknowledged first: a message the subscription should have
// refused but did not would be in the stream before it, with no timing window.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { redisStream } from './support/broker-consumers.js';
import { sharedBrokerAnswers } from './support/brokers.js';
import { appWithEndpoint, startHookline, type TestHookline } from './support/hookline.js';
import { waitFor } from './support/receiver.js';

const redisUp = await sharedBrokerAnswers('redis');

let hookline: TestHookline | null = null;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await hookline?.stop();
  hookline = null;
});

interface Case {
  eventType: string;
  channels: string[];
  amount: number;
}

/** Whether the endpoint below should take a message: its event types, its channel and its payload filter. */
const taken = (c: Case) => c.eventType === 'order.created' && c.channels.includes('eu') && c.amount > 10;

describe.skipIf(!redisUp)('a broker endpoint subscribes like an HTTP one', () => {
  it('takes only its event types, channels and payload filter, in publish order (FIFO)', {
    timeout: 120_000,
  }, async () => {
    const key = `hookline:test:${randomUUID()}`;
    const stream = await redisStream(6379, key);
    cleanups.push(() => stream.close());
    hookline = await startHookline({});
    const { api } = hookline;
    const setup = await appWithEndpoint(api, `redis://127.0.0.1:6379/0?stream=${encodeURIComponent(key)}`, {
      filterTypes: ['order.created'],
      channels: ['eu'],
      payloadFilter: { amount: { $gt: 10 } },
      ordering: 'fifo',
    });
    const cases: Case[] = [];
    for (let n = 0; n < 60; n++) {
      cases.push({
        eventType: n % 3 === 0 ? 'order.cancelled' : 'order.created',
        channels: n % 4 === 0 ? ['us'] : ['eu'],
        amount: n % 5 === 0 ? 5 : 20 + n,
      });
    }
    cases.push({ eventType: 'order.created', channels: ['eu'], amount: 1000 }); // the last, and taken
    const ids: string[] = [];
    for (const c of cases) {
      const message = await api.ok<{ id: string }>('POST', `/api/v1/app/${setup.appId}/msg`, {
        eventType: c.eventType,
        channels: c.channels,
        orderingKey: 'one-line',
        payload: { amount: c.amount },
      });
      ids.push(message.id);
    }
    const expected = ids.filter((_, n) => taken(cases[n] as Case));
    expect(expected.length).toBeGreaterThan(10);
    expect(expected.length).toBeLessThan(cases.length / 2);
    const last = ids[ids.length - 1] as string;

    const arrived = async () => {
      const entries = await stream.client.xrange(key, '-', '+');
      return entries.map(([, fields]) => fields[fields.indexOf('webhook-id') + 1] as string);
    };
    await waitFor(async () => (await arrived()).includes(last), 'the last message in the stream', 90_000);
    const order = await arrived();
    // Repeats are allowed (at least once); after removing them the stream is exactly the taken messages in order.
    const firsts = order.filter((id, n) => order.indexOf(id) === n);
    expect(firsts).toEqual(expected);
  });
});
