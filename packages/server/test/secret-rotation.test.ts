// Rotating a secret many times within one grace period (issue 16 item 1): the signer takes at most 16 secrets, so
// rotation keeps the 16 newest and the endpoint goes on receiving, through the API on both stores and embedded.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_SECRETS } from '@hookline/signatures';
import pino from 'pino';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SERVICES, serviceAvailable } from '../../../test/support/services.js';
import { createHookline } from '../src/index.js';
import { appWithEndpoint, publish, startHookline, type TestHookline } from './support/hookline.js';
import { dropSchema, randomSchemaName } from './support/postgres-schema.js';
import { type ReceivedRequest, TestReceiver, waitFor } from './support/receiver.js';

const ROTATIONS = MAX_SECRETS + 4;

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

function verifies(request: ReceivedRequest, secret: string): boolean {
  try {
    new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
}

const databases: Array<{ name: string; database: () => Promise<string | undefined> }> = [
  { name: 'sqlite', database: async () => undefined },
];
if (await serviceAvailable('postgres')) {
  databases.push({
    name: 'postgres',
    database: async () => {
      const schema = randomSchemaName();
      cleanups.push(() => dropSchema(SERVICES.postgres.url, schema));
      const url = new URL(SERVICES.postgres.url);
      url.searchParams.set('schema', schema);
      return url.toString();
    },
  });
}

for (const { name, database } of databases) {
  describe(`secret rotation through the API (${name})`, () => {
    it(`${ROTATIONS} rotations within the grace: delivered, signed by the ${MAX_SECRETS} newest secrets`, async () => {
      const url = await database();
      const hookline: TestHookline = await startHookline({}, url === undefined ? {} : { database: url });
      cleanups.push(() => hookline.stop());
      const { api } = hookline;
      const { appId, endpointId, secret: first } = await appWithEndpoint(api, `${receiver.url}/rotated`);
      const secrets = [first];
      for (let i = 0; i < ROTATIONS; i++) {
        const rotated = await api.call('POST', `/api/v1/app/${appId}/endpoint/${endpointId}/secret/rotate`, {});
        expect(rotated.status).toBe(204);
        const { key } = await api.ok<{ key: string }>('GET', `/api/v1/app/${appId}/endpoint/${endpointId}/secret`);
        secrets.push(key);
      }
      await publish(api, appId, { n: 1 });
      await waitFor(() => receiver.on('/rotated').length === 1, 'the delivery');
      const request = receiver.on('/rotated')[0] as ReceivedRequest;
      expect(String(request.headers['webhook-signature']).split(' ')).toHaveLength(MAX_SECRETS);
      // The newest 16 sign; the oldest ones were retired by the rotations past the limit.
      expect(secrets.map((secret) => verifies(request, secret))).toEqual(
        secrets.map((_secret, i) => i >= secrets.length - MAX_SECRETS),
      );
    });
  });
}

describe('secret rotation embedded', () => {
  it(`${ROTATIONS} rotations through the store: delivered with the current secret`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookline-rotation-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const hookline = await createHookline({
      database: join(dir, 'hookline.db'),
      allowPrivateNetworks: true,
      delivery: { retrySchedule: [0.05], pollIntervalMs: 100 },
      logger: pino({ level: 'silent' }),
    });
    cleanups.push(() => hookline.close());
    const app = await hookline.createApplication({ name: 'Acme' });
    const { endpoint } = await hookline.createEndpoint(app.id, { url: `${receiver.url}/embedded` });
    let current = '';
    for (let i = 0; i < ROTATIONS; i++) {
      current = `whsec_${Buffer.alloc(24, i + 1).toString('base64')}`;
      await hookline.store.rotateSecret(endpoint.id, current, 86_400_000, Date.now());
    }
    hookline.startWorker();
    await hookline.publish(app.id, 'invoice.paid', { n: 1 });
    await waitFor(() => receiver.on('/embedded').length === 1, 'the delivery');
    expect(verifies(receiver.on('/embedded')[0] as ReceivedRequest, current)).toBe(true);
  });
});
