// Issue 14, signing choices, through the API on both stores: each signature scheme verified by the verifier its
// receivers use (standardwebhooks, @octokit/webhooks-methods, @hookline/signatures, node:crypto), Ed25519 keys and
// their rotation, form-encoded bodies, and the refusals of keys a scheme cannot sign with.
import { createPublicKey, verify as verifyEd25519 } from 'node:crypto';
import { hmacSha256, standardWebhooks } from '@hookline/signatures';
import { verify as octokitVerify } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SERVICES, serviceAvailable } from '../../../test/support/services.js';
import { type Api, appWithEndpoint, publish, startHookline } from './support/hookline.js';
import { dropSchema, randomSchemaName } from './support/postgres-schema.js';
import { type ReceivedRequest, TestReceiver, waitFor } from './support/receiver.js';

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

const header = (request: ReceivedRequest, name: string): string => String(request.headers[name]);

/** Ed25519 verification with nothing but node:crypto: the raw 32-byte public key as a JWK. */
function nodeVerifiesV1a(request: ReceivedRequest, whpk: string): boolean {
  const key = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(whpk.slice(5), 'base64').toString('base64url') },
    format: 'jwk',
  });
  const signed = Buffer.from(
    `${header(request, 'webhook-id')}.${header(request, 'webhook-timestamp')}.${request.body}`,
  );
  return header(request, 'webhook-signature')
    .split(' ')
    .filter((entry) => entry.startsWith('v1a,'))
    .some((entry) => verifyEd25519(null, signed, key, Buffer.from(entry.slice(4), 'base64')));
}

async function hooklineVerifies(request: ReceivedRequest, key: string): Promise<boolean> {
  try {
    await standardWebhooks.verify({ body: request.body, headers: request.headers, secret: key });
    return true;
  } catch {
    return false;
  }
}

async function deliveredOnce(api: Api, appId: string, path: string, payload: Record<string, unknown>) {
  const before = receiver.on(path).length;
  const message = await publish(api, appId, payload);
  await waitFor(() => receiver.on(path).length > before, `delivery to ${path}`);
  const requests = receiver.on(path);
  return { message, request: requests[requests.length - 1] as ReceivedRequest };
}

for (const { name, database } of databases) {
  describe(`signing choices through the API (${name})`, () => {
    let api: Api;

    beforeEach(async () => {
      const url = await database();
      const hookline = await startHookline({}, url === undefined ? {} : { database: url });
      cleanups.push(() => hookline.stop());
      api = hookline.api;
    });

    it('standard-webhooks is the default, verified by the standardwebhooks library', async () => {
      const { appId, endpointId, secret } = await appWithEndpoint(api, `${receiver.url}/standard`);
      const endpoint = await api.ok('GET', `/api/v1/app/${appId}/endpoint/${endpointId}`);
      expect(endpoint).toMatchObject({ signatureScheme: 'standard-webhooks', payloadFormat: 'json' });
      const { request } = await deliveredOnce(api, appId, '/standard', { n: 1 });
      expect(header(request, 'content-type')).toBe('application/json');
      expect(new Webhook(secret).verify(request.body, request.headers as Record<string, string>)).toEqual({ n: 1 });
    });

    it('hmac-sha256 sends X-Webhook-Signature: sha256=<hex> with the event and its id, verified two ways', async () => {
      const { appId, secret } = await appWithEndpoint(api, `${receiver.url}/plain`, { signatureScheme: 'hmac-sha256' });
      const { message, request } = await deliveredOnce(api, appId, '/plain', { amount: 5 });
      expect(header(request, 'x-webhook-signature')).toMatch(/^sha256=[0-9a-f]{64}$/);
      expect(header(request, 'x-webhook-event')).toBe('payment.succeeded');
      expect(header(request, 'x-webhook-event-id')).toBe(message.id);
      expect(request.headers['webhook-signature']).toBeUndefined();
      await expect(hmacSha256.verify({ body: request.body, headers: request.headers, secret })).resolves.toMatchObject({
        scheme: 'hmac-sha256',
      });
      // The in-house way: the secret as shown, as UTF-8 text, keying an HMAC of the raw body.
      const { createHmac } = await import('node:crypto');
      const expected = `sha256=${createHmac('sha256', secret).update(request.body).digest('hex')}`;
      expect(header(request, 'x-webhook-signature')).toBe(expected);
    });

    it('github sends X-Hub-Signature-256, X-GitHub-Event and X-GitHub-Delivery, verified by @octokit/webhooks-methods', async () => {
      const { appId, secret } = await appWithEndpoint(api, `${receiver.url}/github`, { signatureScheme: 'github' });
      const { message, request } = await deliveredOnce(api, appId, '/github', { action: 'opened' });
      expect(await octokitVerify(secret, request.body, header(request, 'x-hub-signature-256'))).toBe(true);
      expect(await octokitVerify(`${secret}x`, request.body, header(request, 'x-hub-signature-256'))).toBe(false);
      expect(header(request, 'x-github-event')).toBe('payment.succeeded');
      expect(header(request, 'x-github-delivery')).toBe(message.id);
    });

    it('a single-signature scheme signs with the newest secret only, from the rotation on', async () => {
      const {
        appId,
        endpointId,
        secret: first,
      } = await appWithEndpoint(api, `${receiver.url}/rotating`, {
        signatureScheme: 'github',
      });
      await api.ok('POST', `/api/v1/app/${appId}/endpoint/${endpointId}/secret/rotate`, {});
      const { key: second } = await api.ok<{ key: string }>(
        'GET',
        `/api/v1/app/${appId}/endpoint/${endpointId}/secret`,
      );
      const { request } = await deliveredOnce(api, appId, '/rotating', { n: 1 });
      expect(await octokitVerify(second, request.body, header(request, 'x-hub-signature-256'))).toBe(true);
      expect(await octokitVerify(first, request.body, header(request, 'x-hub-signature-256'))).toBe(false);
    });

    it('payloadFormat form sends the JSON in the form field payload, and the signature covers the form', async () => {
      const { appId, secret } = await appWithEndpoint(api, `${receiver.url}/form`, {
        signatureScheme: 'github',
        payloadFormat: 'form',
      });
      const payload = { text: 'a b&c=d ünï', n: [1, 2] };
      const { request } = await deliveredOnce(api, appId, '/form', payload);
      expect(header(request, 'content-type')).toBe('application/x-www-form-urlencoded');
      expect(JSON.parse(new URLSearchParams(request.body).get('payload') as string)).toEqual(payload);
      expect(await octokitVerify(secret, request.body, header(request, 'x-hub-signature-256'))).toBe(true);
      // Standard Webhooks over a form: the signature covers the bytes sent (the standardwebhooks library would
      // verify them, then fail parsing them as JSON; a form receiver verifies with a scheme-only verifier).
      const standard = await appWithEndpoint(api, `${receiver.url}/form-standard`, { payloadFormat: 'form' });
      const { request: sent } = await deliveredOnce(api, standard.appId, '/form-standard', payload);
      expect(await hooklineVerifies(sent, standard.secret)).toBe(true);
      expect(await hooklineVerifies({ ...sent, body: JSON.stringify(payload) }, standard.secret)).toBe(false);
    });

    it('an Ed25519 endpoint shows its whpk_ only and signs v1a, verified by node:crypto and @hookline/signatures', async () => {
      const { appId, endpointId, secret } = await appWithEndpoint(api, `${receiver.url}/ed25519`, {
        keyType: 'ed25519',
      });
      expect(secret).toMatch(/^whpk_/);
      const { request } = await deliveredOnce(api, appId, '/ed25519', { n: 1 });
      expect(header(request, 'webhook-signature')).toMatch(/^v1a,[A-Za-z0-9+/]+=*$/);
      expect(nodeVerifiesV1a(request, secret)).toBe(true);
      expect(await hooklineVerifies(request, secret)).toBe(true);
      const other = await standardWebhooks.generateKeyPair();
      expect(nodeVerifiesV1a(request, other.publicKey)).toBe(false);

      // Rotation as for symmetric secrets: both keys sign during the grace, so either public key verifies.
      await api.ok('POST', `/api/v1/app/${appId}/endpoint/${endpointId}/secret/rotate`, { keyType: 'ed25519' });
      const { key: next } = await api.ok<{ key: string }>('GET', `/api/v1/app/${appId}/endpoint/${endpointId}/secret`);
      expect(next).toMatch(/^whpk_/);
      expect(next).not.toBe(secret);
      const { request: rotated } = await deliveredOnce(api, appId, '/ed25519', { n: 2 });
      expect(header(rotated, 'webhook-signature').split(' ')).toHaveLength(2);
      expect(nodeVerifiesV1a(rotated, next) && nodeVerifiesV1a(rotated, secret)).toBe(true);
      expect(await hooklineVerifies(rotated, next)).toBe(true);
    });

    it('a whsk_ key given at create or rotation signs; moving from HMAC to Ed25519 signs v1 and v1a together', async () => {
      const pair = await standardWebhooks.generateKeyPair();
      const { appId, endpointId, secret } = await appWithEndpoint(api, `${receiver.url}/mixed`);
      await api.ok('POST', `/api/v1/app/${appId}/endpoint/${endpointId}/secret/rotate`, { key: pair.secretKey });
      const { key } = await api.ok<{ key: string }>('GET', `/api/v1/app/${appId}/endpoint/${endpointId}/secret`);
      expect(key).toBe(pair.publicKey);
      const { request } = await deliveredOnce(api, appId, '/mixed', { n: 1 });
      const versions = header(request, 'webhook-signature')
        .split(' ')
        .map((entry) => entry.split(',')[0]);
      expect(versions.sort()).toEqual(['v1', 'v1a']);
      expect(new Webhook(secret).verify(request.body, request.headers as Record<string, string>)).toEqual({ n: 1 });
      expect(nodeVerifiesV1a(request, pair.publicKey)).toBe(true);

      const given = await appWithEndpoint(api, `${receiver.url}/given`, { secret: pair.secretKey });
      expect(given.secret).toBe(pair.publicKey);
    });

    it('refuses keys a scheme cannot sign with, and public keys, with a 422 naming the field', async () => {
      const app = await api.ok<{ id: string }>('POST', '/api/v1/app', { name: 'x' });
      const pair = await standardWebhooks.generateKeyPair();
      const url = `${receiver.url}/refused`;
      const cases: Array<[string, Record<string, unknown>, string]> = [
        ['ed25519 keyType with github', { url, signatureScheme: 'github', keyType: 'ed25519' }, 'keyType'],
        ['a whsk_ with hmac-sha256', { url, signatureScheme: 'hmac-sha256', secret: pair.secretKey }, 'secret'],
        ['a whpk_ public key', { url, secret: pair.publicKey }, 'secret'],
        ['a whsk_ of the wrong length', { url, secret: 'whsk_AAAA' }, 'secret'],
        ['keyType hmac beside a whsk_', { url, secret: pair.secretKey, keyType: 'hmac' }, 'keyType'],
        ['an unknown scheme', { url, signatureScheme: 'sha1' }, 'signatureScheme'],
        ['an unknown format', { url, payloadFormat: 'xml' }, 'payloadFormat'],
      ];
      for (const [what, body, field] of cases) {
        const response = await api.call<{ code: string; detail: string }>(
          'POST',
          `/api/v1/app/${app.id}/endpoint`,
          body,
        );
        expect(response.status, what).toBe(422);
        expect(JSON.stringify(response.body), what).toContain(field);
      }
      const ed = await api.ok<{ id: string }>('POST', `/api/v1/app/${app.id}/endpoint`, { url, keyType: 'ed25519' });
      const patched = await api.call('PATCH', `/api/v1/app/${app.id}/endpoint/${ed.id}`, { signatureScheme: 'github' });
      expect(patched.status).toBe(422);
      expect(JSON.stringify(patched.body)).toContain('signatureScheme');
      const gh = await api.ok<{ id: string }>('POST', `/api/v1/app/${app.id}/endpoint`, {
        url,
        signatureScheme: 'github',
      });
      const rotated = await api.call('POST', `/api/v1/app/${app.id}/endpoint/${gh.id}/secret/rotate`, {
        keyType: 'ed25519',
      });
      expect(rotated.status).toBe(422);
      // Nothing changed by the refusals.
      expect(await api.ok('GET', `/api/v1/app/${app.id}/endpoint/${ed.id}`)).toMatchObject({
        signatureScheme: 'standard-webhooks',
      });
      const { key } = await api.ok<{ key: string }>('GET', `/api/v1/app/${app.id}/endpoint/${gh.id}/secret`);
      expect(key).toMatch(/^whsec_/);
    });

    it('a custom header may not take a scheme header name, in any casing', async () => {
      const app = await api.ok<{ id: string }>('POST', '/api/v1/app', { name: 'x' });
      for (const name of ['X-Hub-Signature-256', 'x-webhook-signature', 'X-GitHub-Event']) {
        const response = await api.call('POST', `/api/v1/app/${app.id}/endpoint`, {
          url: `${receiver.url}/h`,
          headers: { [name]: 'forged' },
        });
        expect(response.status, name).toBe(422);
      }
    });
  });
}
