// Broker destinations end to end: a real Hookline (API, engine, SQLite) delivering 5,000 events to each of RabbitMQ,
// NATS JetStream and Redis Streams on this machine, counted by a consumer; the endpoint read back through the API
// shows no broker password, and an attempt says what the broker answered.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { natsStream, rabbitmqConsumer, redisStream, type Tally } from './support/broker-consumers.js';
import { sharedBrokerAnswers } from './support/brokers.js';
import { type Api, appWithEndpoint, attemptsOf, startHookline, type TestHookline } from './support/hookline.js';
import { waitFor } from './support/receiver.js';

const EVENTS = 5000;
const rabbitmqUp = await sharedBrokerAnswers('rabbitmq');
const natsUp = await sharedBrokerAnswers('nats');
const redisUp = await sharedBrokerAnswers('redis');

let hookline: TestHookline | null = null;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await hookline?.stop();
  hookline = null;
});

/** Publishes `count` events, `parallel` at a time, through the API; returns their message ids. */
export async function publishMany(api: Api, appId: string, count: number, parallel = 32): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        const n = next++;
        const message = await api.ok<{ id: string }>('POST', `/api/v1/app/${appId}/msg`, {
          eventType: 'order.created',
          payload: { n },
        });
        ids.push(message.id);
      }
    }),
  );
  return ids;
}

async function deliverAll(url: string, read: () => Promise<Tally> | Tally) {
  hookline = await startHookline({ concurrency: 64, concurrencyPerEndpoint: 32 });
  const { api } = hookline;
  const setup = await appWithEndpoint(api, url);
  const ids = await publishMany(api, setup.appId, EVENTS);
  let tally: Tally = await read();
  await waitFor(
    async () => {
      tally = await read();
      return tally.ids.size >= EVENTS;
    },
    `${EVENTS} distinct messages at ${url.split(':')[0]}`,
    180_000,
  );
  expect(new Set(ids)).toEqual(tally.ids);
  return { api, setup, ids };
}

describe.skipIf(!rabbitmqUp)('a RabbitMQ destination', () => {
  it(`delivers ${EVENTS} events, each confirmed, with the password never shown`, { timeout: 240_000 }, async () => {
    const exchange = `hookline.test.${randomUUID()}`;
    const consumer = await rabbitmqConsumer('amqp://guest:guest@127.0.0.1:5672', exchange);
    cleanups.push(() => consumer.close());
    const url = `amqp://guest:guest@127.0.0.1:5672/?exchange=${encodeURIComponent(exchange)}`;
    const { api, setup, ids } = await deliverAll(url, () => consumer.tally);
    const endpoint = await api.ok<{ url: string }>('GET', `/api/v1/app/${setup.appId}/endpoint/${setup.endpointId}`);
    expect(endpoint.url).toBe(`amqp://guest:***@127.0.0.1:5672/?exchange=${encodeURIComponent(exchange)}`);
    const [attempt] = await attemptsOf(api, setup.appId, ids[0] as string);
    expect(attempt).toMatchObject({ status: 0, response: expect.stringContaining('confirmed by RabbitMQ') });
  });
});

describe.skipIf(!natsUp)('a NATS JetStream destination', () => {
  it(`delivers ${EVENTS} events into the stream, each id once`, { timeout: 240_000 }, async () => {
    const name = `hookline_test_${randomUUID().replaceAll('-', '')}`;
    const stream = await natsStream('127.0.0.1:4222', name, `${name}.events`);
    cleanups.push(() => stream.close());
    const { api, setup, ids } = await deliverAll(`nats://127.0.0.1:4222?subject=${name}.events`, () => stream.read());
    const final = await stream.read();
    // Nats-Msg-Id is the message id: a copy sent twice within the duplicate window is stored once.
    expect(final.copies).toBe(EVENTS);
    const [attempt] = await attemptsOf(api, setup.appId, ids[0] as string);
    expect(attempt?.response).toMatch(new RegExp(`stored by JetStream in ${name} at seq \\d+`));
  });
});

describe.skipIf(!redisUp)('a Redis Streams destination', () => {
  it(`delivers ${EVENTS} events as stream entries, trimmed to the configured length`, {
    timeout: 240_000,
  }, async () => {
    const key = `hookline:test:${randomUUID()}`;
    const stream = await redisStream(6379, key);
    cleanups.push(() => stream.close());
    const { api, setup, ids } = await deliverAll(
      `redis://127.0.0.1:6379/0?stream=${encodeURIComponent(key)}&maxLen=10000`,
      () => stream.read(),
    );
    const [attempt] = await attemptsOf(api, setup.appId, ids[0] as string);
    expect(attempt?.response).toMatch(new RegExp(`added to stream ${key} as \\d+-\\d+`));
    const [, fields] = (await stream.client.xrange(key, '-', '+', 'COUNT', 1))[0] as [string, string[]];
    expect(fields).toContain('webhook-signature');
    expect(fields).toContain('body');
  });
});
