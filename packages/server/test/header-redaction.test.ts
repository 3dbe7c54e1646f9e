// Sensitive header values are never shown back (issue 16 item 13): a custom Authorization or X-Api-Token is sent to
// the receiver, but the attempt log keeps it redacted, on disk and through every API that shows recorded headers,
// by the same rule GET …/headers uses.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SERVICES, serviceAvailable } from '../../../test/support/services.js';
import { REDACTED } from '../src/engine/sensitive-headers.js';
import { appWithEndpoint, publish, startHookline, type TestHookline } from './support/hookline.js';
import { dropSchema, randomSchemaName } from './support/postgres-schema.js';
import { TestReceiver, waitFor } from './support/receiver.js';

const TOKEN = 'tok_live_0123456789abcdef';
const BEARER = 'Bearer sk_live_fedcba9876543210';

let receiver: TestReceiver;
const cleanups: Array<() => Promise<void>> = [];

beforeEach(async () => {
  receiver = new TestReceiver();
  await receiver.start();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await receiver.stop();
});

const databases: Array<{ name: string; database: () => string | undefined }> = [
  { name: 'sqlite', database: () => undefined },
];
if (await serviceAvailable('postgres')) {
  databases.push({
    name: 'postgres',
    database: () => {
      const schema = randomSchemaName();
      cleanups.push(() => dropSchema(SERVICES.postgres.url, schema));
      const url = new URL(SERVICES.postgres.url);
      url.searchParams.set('schema', schema);
      return url.toString();
    },
  });
}

interface AttemptOut {
  id: string;
  requestHeaders: Record<string, string> | null;
}

for (const { name, database } of databases) {
  describe(`recorded request headers (${name})`, () => {
    async function start(): Promise<TestHookline> {
      const url = database();
      const hookline = await startHookline({}, url === undefined ? {} : { database: url });
      cleanups.push(() => hookline.stop());
      return hookline;
    }

    it('a custom Authorization and X-Api-Token reach the receiver but are redacted wherever attempts are shown', async () => {
      const { api, server } = await start();
      const { appId, endpointId } = await appWithEndpoint(api, `${receiver.url}/hook`, {
        headers: { Authorization: BEARER, 'X-Api-Token': TOKEN, 'X-Region': 'eu-west-1' },
      });
      const message = await publish(api, appId, { n: 1 });
      await waitFor(() => receiver.on('/hook').length === 1, 'the delivery');
      const [request] = receiver.on('/hook');
      expect(request?.headers.authorization).toBe(BEARER);
      expect(request?.headers['x-api-token']).toBe(TOKEN);

      const shown: Array<Record<string, string> | null> = [];
      await waitFor(async () => {
        const page = await api.ok<{ data: AttemptOut[] }>('GET', `/api/v1/app/${appId}/attempt/endpoint/${endpointId}`);
        return page.data.length === 1;
      }, 'the attempt');
      const byEndpoint = await api.ok<{ data: AttemptOut[] }>(
        'GET',
        `/api/v1/app/${appId}/attempt/endpoint/${endpointId}`,
      );
      const attemptId = byEndpoint.data[0]?.id as string;
      shown.push(byEndpoint.data[0]?.requestHeaders ?? null);
      const byMessage = await api.ok<{ data: AttemptOut[] }>('GET', `/api/v1/app/${appId}/attempt/msg/${message.id}`);
      shown.push(byMessage.data[0]?.requestHeaders ?? null);
      const one = await api.ok<AttemptOut>('GET', `/api/v1/app/${appId}/msg/${message.id}/attempt/${attemptId}`);
      shown.push(one.requestHeaders);
      const feed = await api.ok<{ data: AttemptOut[] }>('GET', `/api/v1/app/${appId}/attempt/feed?after=atmpt_0`);
      shown.push(feed.data[0]?.requestHeaders ?? null);
      for (const headers of shown) {
        expect(headers).toMatchObject({ Authorization: REDACTED, 'X-Api-Token': REDACTED, 'X-Region': 'eu-west-1' });
        expect(headers?.['webhook-signature']).toMatch(/^v1,/);
      }
      // GET …/headers hides the same names by the same rule.
      const headers = await api.ok<{ headers: Record<string, string>; sensitive: string[] }>(
        'GET',
        `/api/v1/app/${appId}/endpoint/${endpointId}/headers`,
      );
      expect(headers).toEqual({ headers: { 'X-Region': 'eu-west-1' }, sensitive: ['Authorization', 'X-Api-Token'] });

      // Not on disk either: the attempt row holds the redacted form.
      const stored = await server.store.getAttempt(appId, attemptId);
      expect(JSON.stringify(stored?.requestHeaders)).not.toContain(TOKEN);
      expect(JSON.stringify(stored?.requestHeaders)).not.toContain('sk_live');
    });

    it('an attempt recorded in clear before the rule is shown redacted', async () => {
      const { api, server } = await start();
      const { appId, endpointId } = await appWithEndpoint(api, `${receiver.url}/old`);
      await server.engine.stop(0);
      const message = await publish(api, appId, { n: 1 });
      const [claimed] = await server.store.claimDueDeliveries({
        now: Date.now(),
        leaseUntil: Date.now() + 60_000,
        limit: 1,
        excludeEndpointIds: [],
        perEndpointLimit: 1,
        endpointCaps: {},
      });
      if (claimed === undefined) throw new Error('nothing claimed');
      // As the engine recorded attempts before it redacted them.
      await server.store.recordAttempts([
        {
          deliveryId: claimed.delivery.id,
          leaseUntil: claimed.delivery.leaseUntil as number,
          outcome: 'succeeded',
          trigger: 'scheduled',
          url: claimed.endpoint.url,
          statusCode: 200,
          responseBody: 'ok',
          durationMs: 3,
          error: null,
          requestHeaders: { 'x-api-token': TOKEN, 'webhook-id': message.id },
          at: Date.now(),
          next: { status: 'dead' },
          disableEndpoint: null,
        },
      ]);
      const page = await api.ok<{ data: AttemptOut[] }>('GET', `/api/v1/app/${appId}/attempt/endpoint/${endpointId}`);
      expect(page.data[0]?.requestHeaders).toEqual({ 'x-api-token': REDACTED, 'webhook-id': message.id });
    });
  });
}
