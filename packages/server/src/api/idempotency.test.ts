// The Idempotency-Key hook on its own, with a route it controls: what a duplicate does while the first request is
// still running (waits, then replays; or 409 past the wait bound), and a record left by a dead process.
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { installErrorHandlers } from './errors.js';
import { installIdempotency, requestFingerprint } from './idempotency.js';

let store: SqliteStore;
let app: FastifyInstance;
let release: () => void;
let handled: number;

async function build(options: { waitMs: number; lockMs?: number }) {
  store = new SqliteStore({ path: ':memory:' });
  await store.migrate();
  app = Fastify();
  installErrorHandlers(app);
  app.decorateRequest('caller', null);
  app.addHook('onRequest', async (request) => {
    request.caller = { keyId: 'key_test', appId: null };
  });
  installIdempotency(app, {
    store,
    now: Date.now,
    waitMs: options.waitMs,
    pollMs: 5,
    lockMs: options.lockMs ?? 60_000,
  });
  let gate = Promise.resolve();
  release = () => {};
  app.post('/slow', async (_request, reply) => {
    handled++;
    await gate;
    return reply.code(201).send({ n: handled });
  });
  await app.ready();
  return {
    hold() {
      gate = new Promise<void>((resolve) => {
        release = resolve;
      });
    },
  };
}

const send = (key: string) =>
  app.inject({ method: 'POST', url: '/slow', headers: { 'idempotency-key': key }, payload: { a: 1 } });

beforeEach(() => {
  handled = 0;
});
afterEach(async () => {
  release();
  await app.close();
  await store.close();
});

it('a duplicate that arrives while the first runs waits for it and replays its answer', async () => {
  const { hold } = await build({ waitMs: 20_000 });
  hold();
  const first = send('k1');
  // The duplicate is sent only once the first holds the record: the record is what makes it wait.
  for (let i = 0; i < 1000 && handled === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  const duplicate = send('k1');
  release();
  const [a, b] = await Promise.all([first, duplicate]);
  expect(handled).toBe(1);
  expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
  expect(b.body).toBe(a.body);
  expect(b.headers['idempotent-replayed']).toBe('true');
});

it('past the wait bound the duplicate answers 409 idempotency_in_progress, and the handler ran once', async () => {
  const { hold } = await build({ waitMs: 30 });
  hold();
  const first = send('k2');
  for (let i = 0; i < 1000 && handled === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  const duplicate = await send('k2');
  expect(duplicate.statusCode).toBe(409);
  expect(duplicate.json()).toEqual({ code: 'idempotency_in_progress', detail: expect.any(String) });
  release();
  expect((await first).statusCode).toBe(201);
  expect(handled).toBe(1);
});

it('a record left in progress by a dead process is taken over once its lock has run out', async () => {
  await build({ waitMs: 30, lockMs: 60_000 });
  // Plant the record a crashed process would leave, with its lock run out, for the request the test sends.
  const now = Date.now();
  await store.beginIdempotent({
    callerId: 'key_test',
    key: 'k3',
    path: '/slow',
    requestSha256: requestFingerprint('POST', '/slow', { a: 1 }),
    now: now - 120_000,
    lockedUntil: now - 60_000,
    expiresAt: now + 86_400_000,
  });
  const answer = await send('k3');
  expect(answer.statusCode).toBe(201);
  expect(handled).toBe(1);
});

it('expired records are purged when the server starts', async () => {
  store = new SqliteStore({ path: ':memory:' });
  await store.migrate();
  const now = Date.now();
  const planted = { callerId: 'key_test', path: '/slow', requestSha256: 'a'.repeat(64), lockedUntil: now };
  await store.beginIdempotent({ ...planted, key: 'old', now: now - 2 * 86_400_000, expiresAt: now - 86_400_000 });
  await store.beginIdempotent({ ...planted, key: 'live', now, expiresAt: now + 86_400_000 });
  app = Fastify();
  installIdempotency(app, { store, now: Date.now });
  await app.ready();
  // Only the live record is left to purge once it, too, has expired.
  expect(await store.purgeExpiredIdempotency(now + 86_400_000)).toBe(1);
});
