// The Idempotency-Key hook on its own, with a route it controls: what a duplicate does while the first request is
// still running (waits, then replays; or 409 past the wait bound), and a record left by a dead process. And with a
// route whose store write stores its answer (a publish): nothing is written before that write, and duplicates that
// both reach their writes end in one message and one answer.
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Message } from '../store/types.js';
import { installErrorHandlers } from './errors.js';
import { installIdempotency, requestFingerprint, WriteAnswer } from './idempotency.js';

let store: SqliteStore;
let app: FastifyInstance;
let release: () => void;
let handled: number;
let appId: string;

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
  appId = (await store.createApplication({ name: 'acme' }, Date.now())).id;
  app.post('/publish', { config: { answerWithWrite: true } }, async (request, reply) => {
    handled++;
    await gate;
    const answer = new WriteAnswer(reply, 202, (message: Message) => ({ id: message.id }));
    const payload = JSON.stringify(request.body);
    const { message } = await store.publish(appId, { eventType: 'a.b', payload }, Date.now(), answer.forStore);
    return answer.send(message);
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

const publish = (key: string, payload: Record<string, unknown> = { a: 1 }) =>
  app.inject({ method: 'POST', url: '/publish', headers: { 'idempotency-key': key }, payload });
const untilHandled = async (count: number) => {
  for (let i = 0; i < 1000 && handled < count; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(handled).toBe(count);
};
const messageCount = async () => (await store.listMessages(appId, { limit: 50 })).data.length;

it('a write that stores its answer: no record before it, and the answer stored is the one sent', async () => {
  const { hold } = await build({ waitMs: 20_000 });
  hold();
  const first = publish('w1');
  await untilHandled(1);
  const scope = { callerId: 'key_test', key: 'w1', path: '/publish' };
  expect(await store.lookupIdempotent(scope, Date.now())).toBeNull();
  expect(store.db.prepare('SELECT COUNT(*) AS n FROM idempotency_records').get()).toEqual({ n: 0 });
  release();
  const answer = await first;
  expect(answer.statusCode).toBe(202);
  expect(await store.lookupIdempotent(scope, Date.now())).toMatchObject({ state: 'completed', body: answer.body });
  const again = await publish('w1');
  expect([again.statusCode, again.body, again.headers['idempotent-replayed']]).toEqual([202, answer.body, 'true']);
  expect(handled).toBe(1);
  expect(await messageCount()).toBe(1);
});

it('duplicates that both reach their writes: one message, and the later one replays its answer', async () => {
  const { hold } = await build({ waitMs: 20_000 });
  hold();
  const first = publish('w2');
  await untilHandled(1);
  // Nothing is written before the write, so the duplicate's look finds no record and it runs as far as its write.
  const duplicate = publish('w2');
  await untilHandled(2);
  release();
  const answers = await Promise.all([first, duplicate]);
  expect(answers.map((answer) => answer.statusCode)).toEqual([202, 202]);
  expect(answers[1]?.body).toBe(answers[0]?.body);
  expect(answers.filter((answer) => answer.headers['idempotent-replayed'] === 'true')).toHaveLength(1);
  expect(await messageCount()).toBe(1);
});

it('the same, with another body: the later one is refused 422 idempotency_key_reused and publishes nothing', async () => {
  const { hold } = await build({ waitMs: 20_000 });
  hold();
  const first = publish('w3', { a: 1 });
  await untilHandled(1);
  const other = publish('w3', { a: 2 });
  await untilHandled(2);
  release();
  const answers = await Promise.all([first, other]);
  expect(answers.map((answer) => answer.statusCode).sort()).toEqual([202, 422]);
  expect(answers.find((answer) => answer.statusCode === 422)?.json()).toEqual({
    code: 'idempotency_key_reused',
    detail: expect.any(String),
  });
  expect(await messageCount()).toBe(1);
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
