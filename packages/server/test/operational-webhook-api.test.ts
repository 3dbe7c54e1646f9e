// The operational webhook endpoints API (/api/v1/operational-webhook/endpoint) driven by the official svix SDK, as a
// team moving from Svix would; what a tenant may not do with the operational application; and an endpoint's
// filterTypes choosing which operational events it hears. A real Hookline on SQLite (the store parts are the
// endpoint ones, covered on both stores by the conformance suite and operational-events.test.ts).
import { Webhook } from 'standardwebhooks';
import { ApiException, Svix } from 'svix';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN_TOKEN, Api, startHookline, type TestHookline } from './support/hookline.js';
import { TestReceiver, waitFor } from './support/receiver.js';

let hookline: TestHookline;
let receiver: TestReceiver;
let svix: Svix;
let admin: Api;

beforeAll(async () => {
  receiver = new TestReceiver();
  await receiver.start();
  hookline = await startHookline({ retrySchedule: [0.02, 0.02] });
  admin = hookline.api;
  svix = new Svix(ADMIN_TOKEN, { serverUrl: hookline.server.url, numRetries: 0 });
});

afterAll(async () => {
  await hookline?.stop();
  await receiver?.stop();
});

async function statusOf(call: Promise<unknown>): Promise<number | null> {
  return call.then(
    () => null,
    (error: unknown) => (error instanceof ApiException ? error.code : -1),
  );
}

it('the svix SDK creates, lists, gets, updates, reads the secret of and deletes an operational endpoint', async () => {
  const ops = svix.operationalWebhookEndpoint;
  expect((await ops.list()).data).toEqual([]);
  const created = await ops.create({
    url: `${receiver.url}/ops-sdk`,
    uid: 'pager',
    description: 'on-call',
    filterTypes: ['endpoint.created'],
    metadata: { team: 'ops' },
  });
  expect(created).toMatchObject({ uid: 'pager', description: 'on-call', filterTypes: ['endpoint.created'] });
  expect(created.createdAt).toBeInstanceOf(Date);
  expect((await ops.list()).data.map((endpoint) => endpoint.id)).toEqual([created.id]);
  expect((await ops.get('pager')).id).toBe(created.id);
  const updated = await ops.update(created.id, { url: `${receiver.url}/ops-sdk`, description: 'on-call, paged' });
  expect(updated).toMatchObject({ description: 'on-call, paged', uid: 'pager' });
  expect((await ops.getSecret(created.id)).key).toMatch(/^whsec_/);
  await ops.rotateSecret(created.id, {});
  await ops.delete(created.id);
  expect(await statusOf(ops.get(created.id))).toBe(404);
  expect(await statusOf(ops.create({ url: `${receiver.url}/x`, filterTypes: ['invoice.paid'] }))).toBe(422);
});

it('an operational endpoint hears only its filterTypes, signed with its own secret', async () => {
  const endpoint = await admin.ok<{ id: string }>('POST', '/api/v1/operational-webhook/endpoint', {
    url: `${receiver.url}/ops-deleted`,
    filterTypes: ['endpoint.deleted'],
  });
  const { key } = await admin.ok<{ key: string }>('GET', `/api/v1/operational-webhook/endpoint/${endpoint.id}/secret`);
  const app = await admin.ok<{ id: string }>('POST', '/api/v1/app', { name: 'Tenant' });
  const tenantEndpoint = await admin.ok<{ id: string }>('POST', `/api/v1/app/${app.id}/endpoint`, {
    url: `${receiver.url}/tenant`,
  });
  await admin.ok('DELETE', `/api/v1/app/${app.id}/endpoint/${tenantEndpoint.id}`);
  await waitFor(() => receiver.on('/ops-deleted').length === 1, 'endpoint.deleted');
  const request = receiver.on('/ops-deleted')[0];
  const event = new Webhook(key).verify(request?.body ?? '', request?.headers as Record<string, string>);
  expect(event).toMatchObject({ type: 'endpoint.deleted', data: { appId: app.id, endpointId: tenantEndpoint.id } });
  // The created event went by first and was not sent here: only the one type this endpoint asked for.
  expect(receiver.on('/ops-deleted')).toHaveLength(1);
});

it("a tenant's key reaches neither the operational endpoints nor the operational application's deliveries", async () => {
  const opsEndpoint = await admin.ok<{ id: string }>('POST', '/api/v1/operational-webhook/endpoint', {
    url: `${receiver.url}/ops-tenancy`,
  });
  await admin.ok('POST', '/api/v1/app', { name: 'Tenant A', uid: 'tenant-a' });
  const key = await admin.ok<{ key: string }>('POST', '/api/v1/auth/api-key', { name: 'portal', appId: 'tenant-a' });
  const tenant = new Api(hookline.server.url, key.key);
  await tenant.ok('POST', '/api/v1/app/tenant-a/endpoint', { url: `${receiver.url}/tenant-a` });
  await waitFor(() => receiver.on('/ops-tenancy').length > 0, 'the operational event');

  const apps = await admin.ok<{ data: Array<{ id: string; uid: string | null }> }>('GET', '/api/v1/app');
  const operational = apps.data.find((app) => app.uid === 'hookline:operational');
  expect(operational).toBeDefined();
  const opsAppId = operational?.id as string;
  expect((await admin.call('GET', `/api/v1/app/${opsAppId}/msg`)).status).toBe(200);
  for (const [method, path] of [
    ['GET', '/api/v1/operational-webhook/endpoint'],
    ['GET', `/api/v1/operational-webhook/endpoint/${opsEndpoint.id}/secret`],
    ['POST', '/api/v1/operational-webhook/endpoint'],
  ] as const) {
    expect((await tenant.call(method, path, method === 'POST' ? { url: `${receiver.url}/x` } : undefined)).status).toBe(
      403,
    );
  }
  for (const path of [`/api/v1/app/${opsAppId}/msg`, `/api/v1/app/${opsAppId}/endpoint`, `/api/v1/app/${opsAppId}`]) {
    expect((await tenant.call('GET', path)).status).toBe(404);
  }
  // Not even an admin forges an event, renames the application away or deletes it.
  const forged = await admin.call<{ code: string }>('POST', `/api/v1/app/${opsAppId}/msg`, {
    eventType: 'endpoint.deleted',
    payload: {},
  });
  expect(forged).toMatchObject({ status: 422, body: { code: 'operational_application' } });
  expect((await admin.call('PATCH', `/api/v1/app/${opsAppId}`, { uid: 'mine' })).status).toBe(422);
  expect((await admin.call('DELETE', `/api/v1/app/${opsAppId}`)).status).toBe(422);
  expect((await admin.call('POST', '/api/v1/app', { name: 'x', uid: 'hookline:operational' })).status).toBe(422);
});
