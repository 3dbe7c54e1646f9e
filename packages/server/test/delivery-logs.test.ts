// The server log while deliveries fail, through the real engine, a real SQLite store and a real loopback receiver:
// a failing endpoint under many attempts gives a bounded number of lines whose counts add up to every attempt and
// every dead delivery; circuits opening and closing and endpoints disabled are said; no payload, secret or URL path.
import { Writable } from 'node:stream';
import pino from 'pino';
import { Agent } from 'undici';
import { afterEach, expect, it } from 'vitest';
import { DEFAULT_ENGINE_OPTIONS, DeliveryEngine, type EngineOptions } from '../src/engine/delivery-engine.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { TestReceiver } from './support/receiver.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const PAYLOAD = JSON.stringify({ card: 'payload-marker-4242' });
const PATH = '/hook/path-token-77?token=query-token-88';

type Line = Record<string, unknown> & { msg: string };
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(engineOptions: Partial<EngineOptions>) {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString().split('\n')) if (text !== '') lines.push(JSON.parse(text) as Line);
      done();
    },
  });
  const receiver = new TestReceiver();
  await receiver.start();
  cleanups.push(() => receiver.stop());
  const store = new SqliteStore({ path: ':memory:' });
  await store.migrate();
  cleanups.push(() => store.close());
  const dispatcher = new Agent();
  cleanups.push(() => dispatcher.close());
  const engine = new DeliveryEngine({
    ...DEFAULT_ENGINE_OPTIONS,
    store,
    dispatcher,
    logger: pino({ level: 'info' }, sink),
    pollIntervalMs: 20,
    circuit: { failureThreshold: 1_000_000, openMs: 30_000, maxOpenMs: 600_000 },
    ...engineOptions,
  });
  cleanups.push(() => engine.stop(0));
  const app = await store.createApplication({ name: 'logged' }, Date.now());
  const endpoint = await store.createEndpoint(app.id, { url: `${receiver.url}${PATH}`, secret: SECRET }, Date.now());
  const publish = async (count: number) => {
    for (let i = 0; i < count; i++)
      await store.publish(app.id, { eventType: 'card.charged', payload: PAYLOAD }, Date.now());
  };
  return { lines, receiver, store, engine, endpoint, publish };
}

const said = (lines: Line[], msg: string) => lines.filter((line) => line.msg === msg);
const suppressed = (line: Line) => line.suppressed as number;

function expectNothingSecret(lines: Line[]): void {
  const text = JSON.stringify(lines);
  for (const secret of ['payload-marker-4242', 'path-token-77', 'query-token-88', SECRET]) {
    expect(text).not.toContain(secret);
  }
}

it('a failing endpoint under many attempts gives a few lines whose counts add up to every attempt and dead delivery', async () => {
  const { lines, receiver, store, engine, endpoint, publish } = await setUp({
    retrySchedule: [0, 0, 0],
    failureLogIntervalMs: 3_600_000,
  });
  receiver.script(PATH, () => ({ status: 500, body: 'down' }));
  await publish(30);
  engine.start();
  await expect.poll(() => store.countDeliveries({ status: 'dead' }), { timeout: 60_000, interval: 50 }).toBe(30);
  await engine.stop(0);

  // 30 messages × (1 attempt + 3 retries), all failed; every one reached the receiver.
  expect(receiver.on(PATH)).toHaveLength(120);
  const failed = said(lines, 'delivery attempt failed');
  const failedSummaries = said(lines, 'delivery attempts failed (not logged one by one)');
  expect(failed).toHaveLength(1);
  expect(failed[0]).toMatchObject({ level: 40, endpointId: endpoint.id, statusCode: 500, error: 'HTTP 500' });
  expect(failed[0]?.origin).toBe(receiver.url);
  expect(failedSummaries).toHaveLength(1);
  expect(failed.length + [...failed, ...failedSummaries].reduce((sum, line) => sum + suppressed(line), 0)).toBe(120);

  const dead = said(lines, 'delivery is dead: no retry left');
  const deadSummaries = said(lines, 'deliveries went dead (not logged one by one)');
  expect(dead).toHaveLength(1);
  expect(dead.length + [...dead, ...deadSummaries].reduce((sum, line) => sum + suppressed(line), 0)).toBe(30);
  expectNothingSecret(lines);
});

it('a circuit that opens on failures and closes on a successful probe is said both times', async () => {
  const { lines, receiver, engine, endpoint, publish } = await setUp({
    retrySchedule: [0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2],
    circuit: { failureThreshold: 3, openMs: 100, maxOpenMs: 1000 },
  });
  let failing = true;
  receiver.script(PATH, () => (failing ? { status: 503 } : { status: 204 }));
  await publish(3);
  engine.start();
  const opened = 'circuit opened: deliveries to the endpoint wait until it reopens';
  await expect.poll(() => said(lines, opened).length, { timeout: 30_000, interval: 20 }).toBeGreaterThan(0);
  expect(said(lines, opened)[0]).toMatchObject({ level: 40, endpointId: endpoint.id });
  failing = false;
  const closed = 'circuit closed: the endpoint answers again';
  await expect.poll(() => said(lines, closed).length, { timeout: 30_000, interval: 20 }).toBeGreaterThan(0);
  expect(said(lines, closed)[0]).toMatchObject({ level: 30, endpointId: endpoint.id });
  expectNothingSecret(lines);
});

it('an endpoint disabled by a 410 is said once, with the reason', async () => {
  const { lines, receiver, store, engine, endpoint, publish } = await setUp({});
  receiver.script(PATH, () => ({ status: 410 }));
  await publish(1);
  engine.start();
  await expect
    .poll(async () => (await store.getEndpoint(endpoint.appId, endpoint.id))?.disabled, { timeout: 30_000 })
    .toBe(true);
  await expect.poll(() => said(lines, 'endpoint disabled').length, { timeout: 10_000 }).toBe(1);
  expect(said(lines, 'endpoint disabled')[0]).toMatchObject({
    level: 40,
    endpointId: endpoint.id,
    reason: 'the endpoint answered 410 Gone',
  });
  expectNothingSecret(lines);
});
