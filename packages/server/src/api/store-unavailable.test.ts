// A database that cannot be reached is not the caller's fault and not a bug either: the API answers 503 with
// Retry-After (the Svix SDK and most clients retry that), never a 500. Real pg driver, real refused connection.
import { createServer } from 'node:net';
import Fastify from 'fastify';
import { afterAll, expect, it } from 'vitest';
import { isStoreUnavailable } from '../store/errors.js';
import { PostgresStore } from '../store/postgres/postgres-store.js';
import { installErrorHandlers } from './errors.js';

/** A loopback port with nothing listening on it: bound, read, released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const store = new PostgresStore({
  url: `postgres://postgres@127.0.0.1:${await closedPort()}/test`,
  connectTimeoutMs: 2000,
});
const app = Fastify();
installErrorHandlers(app);
app.get('/app/:id', async (request) => store.getApplication((request.params as { id: string }).id));
app.get('/boom', async () => {
  throw new Error('a bug');
});
afterAll(async () => {
  await app.close();
  await store.close();
});

it('answers 503 store_unavailable with Retry-After when PostgreSQL refuses the connection', async () => {
  const response = await app.inject({ method: 'GET', url: '/app/app_x' });
  expect(response.statusCode).toBe(503);
  expect(response.headers['retry-after']).toBe('1');
  expect(response.json()).toEqual({
    code: 'store_unavailable',
    detail: 'the database cannot be reached now; retry shortly',
  });
});

it('still answers 500 for an error that is not about reaching the store', async () => {
  const response = await app.inject({ method: 'GET', url: '/boom' });
  expect(response.statusCode).toBe(500);
  expect(response.json()).toMatchObject({ code: 'internal_error' });
});

it('recognises the codes and messages of a database that is down or restarting', () => {
  const withCode = (code: string) => Object.assign(new Error('x'), { code });
  for (const code of ['ECONNREFUSED', '57P01', '57P03', '08006', 'SQLITE_BUSY', 'HOOKLINE_STORE_UNAVAILABLE']) {
    expect(isStoreUnavailable(withCode(code))).toBe(true);
  }
  expect(isStoreUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
  expect(isStoreUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
  // pg's client-side read timeout: the statement went out and nothing came back.
  expect(isStoreUnavailable(new Error('Query read timeout'))).toBe(true);
  expect(isStoreUnavailable(withCode('23505'))).toBe(false);
  expect(isStoreUnavailable(new Error('a bug'))).toBe(false);
  expect(isStoreUnavailable('ECONNREFUSED')).toBe(false);
});
