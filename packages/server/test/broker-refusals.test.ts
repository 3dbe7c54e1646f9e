// A broker that refuses a publish: each refusal is a failed attempt carrying the broker's error, retried on the
// schedule, and the delivery is dead after the last one (in the dead-letter view, replayable like any other).
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { redisStream } from './support/broker-consumers.js';
import { sharedBrokerAnswers } from './support/brokers.js';
import { appWithEndpoint, attemptsOf, publish, startHookline, type TestHookline } from './support/hookline.js';
import { waitFor } from './support/receiver.js';

const SCHEDULE = [0.05, 0.1, 0.2];
const rabbitmqUp = await sharedBrokerAnswers('rabbitmq');
const natsUp = await sharedBrokerAnswers('nats');
const redisUp = await sharedBrokerAnswers('redis');

let hookline: TestHookline | null = null;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await hookline?.stop();
  hookline = null;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** One event to `url`; waits for its delivery to be dead and returns its attempts, oldest first. */
async function deadAfterRefusals(url: string) {
  hookline = await startHookline({ retrySchedule: SCHEDULE });
  const { api, server } = hookline;
  const setup = await appWithEndpoint(api, url);
  const message = await publish(api, setup.appId, { order: 1 });
  await waitFor(
    async () => (await server.store.countDeliveries({ status: 'dead' })) === 1,
    'the delivery dead after its last attempt',
    60_000,
  );
  const attempts = await attemptsOf(api, setup.appId, message.id);
  // The first try and one per step of the schedule, each a failure.
  expect(attempts).toHaveLength(SCHEDULE.length + 1);
  for (const attempt of attempts) expect(attempt.status).toBe(2);
  // Spaced by at least the schedule's delays less their jitter (a lower bound: a loaded machine only adds).
  for (let i = 1; i < attempts.length; i++) {
    const gapMs =
      Date.parse((attempts[i] as { timestamp: string }).timestamp) -
      Date.parse((attempts[i - 1] as { timestamp: string }).timestamp);
    expect(gapMs).toBeGreaterThanOrEqual((SCHEDULE[i - 1] as number) * 1000 * 0.5);
  }
  return { attempts };
}

describe.skipIf(!redisUp)('Redis refusing XADD', () => {
  it('records WRONGTYPE on each attempt and dead-letters the delivery', { timeout: 90_000 }, async () => {
    const key = `hookline:refused:${randomUUID()}`;
    const stream = await redisStream(6379, key);
    cleanups.push(() => stream.close());
    // A plain string under the stream's name: every XADD is refused.
    await stream.client.set(key, 'not a stream');
    const { attempts } = await deadAfterRefusals(`redis://127.0.0.1:6379?stream=${encodeURIComponent(key)}`);
    for (const attempt of attempts) expect(attempt.error).toMatch(/WRONGTYPE/);
  });
});

describe.skipIf(!natsUp)('NATS with no stream for the subject', () => {
  it('records the refusal on each attempt and dead-letters the delivery', { timeout: 90_000 }, async () => {
    const subject = `hookline.nostream.${randomUUID()}`;
    const { attempts } = await deadAfterRefusals(`nats://127.0.0.1:4222?subject=${subject}`);
    for (const attempt of attempts) expect(attempt.error).toMatch(/503|no responders/i);
  });
});

describe.skipIf(!rabbitmqUp)('RabbitMQ with no such exchange', () => {
  it('records the NOT_FOUND refusal on each attempt and dead-letters the delivery', { timeout: 90_000 }, async () => {
    const exchange = `hookline.missing.${randomUUID()}`;
    const { attempts } = await deadAfterRefusals(`amqp://guest:guest@127.0.0.1:5672/?exchange=${exchange}`);
    for (const attempt of attempts) expect(attempt.error).toMatch(/NOT_FOUND|404|closed/i);
    // The password is never in what the attempt log keeps.
    for (const attempt of attempts) expect(JSON.stringify(attempt)).not.toContain('guest:guest');
  });
});
