// The second layer: even without the central auth hook, the routes that list or create applications refuse a
// caller scoped to one application.
import Fastify from 'fastify';
import pino from 'pino';
import { afterAll, expect, it } from 'vitest';
import { OperationalEvents } from '../../operations/operational-events.js';
import { PayloadValidator } from '../../operations/payload-validation.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { ApiContext } from '../context.js';
import { installErrorHandlers } from '../errors.js';
import { applicationRoutes } from './applications.js';

const store = new SqliteStore({ path: ':memory:' });
await store.migrate();
await store.createApplication({ name: 'someone else' }, Date.now());
const context: ApiContext = {
  store,
  engine: null,
  workQueued: () => undefined,
  operationalEvents: new OperationalEvents({
    store,
    now: Date.now,
    logger: pino({ level: 'silent' }),
    workQueued: () => undefined,
  }),
  adminTokenSha256: '0'.repeat(64),
  checkEndpointUrl: (url) => ({ ok: true, url: new URL(url) }),
  secretRotationGraceMs: 0,
  payloadValidator: new PayloadValidator(),
  rejectUnknownEventTypes: false,
  maxDeliverAheadMs: null,
  now: Date.now,
};
const app = Fastify();
installErrorHandlers(app);
app.decorateRequest('caller', null);
app.addHook('onRequest', async (request) => {
  request.caller = { keyId: 'key_scoped', appId: 'app_mine' };
});
applicationRoutes(app, context);
afterAll(async () => {
  await app.close();
  await store.close();
});

it('listing and creating applications answer 403 to a scoped caller, with no application in the answer', async () => {
  const list = await app.inject({ method: 'GET', url: '/api/v1/app' });
  expect(list.statusCode).toBe(403);
  expect(list.json()).toEqual({ code: 'forbidden', detail: expect.any(String) });
  const create = await app.inject({ method: 'POST', url: '/api/v1/app', payload: { name: 'x' } });
  expect(create.statusCode).toBe(403);
  expect((await store.listApplications({ limit: 10 })).data).toHaveLength(1);
});
