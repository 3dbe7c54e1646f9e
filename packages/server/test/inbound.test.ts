// Inbound sources end to end, on each store: requests signed by the providers' own libraries (@octokit/webhooks-
// methods, stripe, standardwebhooks) into a source are accepted, committed and relayed to the application's
// endpoints with the body bytes unchanged; tampered, stale and wrong-address ones are refused and logged with why;
// a fetch-back that answers no is refused; the always-200 policy answers 200 to everything and never says why.

import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sign as signGithub, verify as verifyGithub } from '@octokit/webhooks-methods';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableStores, type StoreHookline, startHooklineOn } from './support/each-store.js';
import { TestReceiver, waitFor } from './support/receiver.js';

const GITHUB_SECRET = 'It\u2019s a Secret to Everybody';
const STRIPE_SECRET = 'whsec_test_secret_for_stripe';
const SW_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const stripe = new Stripe('sk_test_not_a_real_key');

interface InboundLogEntry {
  outcome: string;
  reason: string | null;
  eventType: string | null;
  eventId: string | null;
  messageId: string | null;
}

async function ingest(
  base: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array },
) {
  const response = await fetch(`${base}${path}`, {
    method: init.method ?? 'POST',
    headers: init.headers ?? {},
    ...(init.body === undefined ? {} : { body: typeof init.body === 'string' ? init.body : Buffer.from(init.body) }),
  });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

const stores = await availableStores();

describe.each(stores)('inbound sources on %s', (kind) => {
  let hookline: StoreHookline;
  let receiver: TestReceiver;
  let paymentApi: Server;
  let paymentApiUrl: string;

  beforeAll(async () => {
    hookline = await startHooklineOn(kind);
    receiver = new TestReceiver();
    await receiver.start();
    // The provider's API a fetch-back asks: order 1 is paid, anything else is not.
    paymentApi = createServer((req, res) => {
      const paid = req.url === '/orders/1';
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: paid ? 'paid' : 'open' }));
    });
    await new Promise<void>((resolve) => paymentApi.listen(0, '127.0.0.1', resolve));
    paymentApiUrl = `http://127.0.0.1:${(paymentApi.address() as AddressInfo).port}`;
    await hookline.api.ok('POST', '/api/v1/app', { name: 'shop', uid: 'shop' });
  });

  afterAll(async () => {
    await hookline?.stop();
    await receiver?.stop();
    paymentApi?.close();
  });

  const base = () => hookline.server.url;
  const log = async (source: string) =>
    (await hookline.api.ok<{ data: InboundLogEntry[] }>('GET', `/api/v1/app/shop/source/${source}/request?limit=250`))
      .data;

  async function endpoint(path: string, filterTypes?: string[]) {
    return hookline.api.ok<{ id: string }>('POST', '/api/v1/app/shop/endpoint', {
      url: `${receiver.url}${path}`,
      ...(filterTypes === undefined ? {} : { filterTypes }),
    });
  }

  it('a source is created, read without its secrets, patched, listed and deleted; bad settings are refused', async () => {
    const created = await hookline.api.call<Record<string, unknown>>('POST', '/api/v1/app/shop/source', {
      uid: 'crud',
      name: 'CRUD',
      verification: { type: 'signature', scheme: 'github', secrets: [GITHUB_SECRET] },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      uid: 'crud',
      ingestPath: '/in/crud',
      verification: { type: 'signature', scheme: 'github', secretCount: 1 },
      response: { policy: 'honest' },
      signatureMode: 'original',
    });
    expect(JSON.stringify(created.body)).not.toContain('Secret to Everybody');
    const patched = await hookline.api.ok('PATCH', '/api/v1/app/shop/source/crud', {
      allowlist: ['192.0.2.0/24'],
      response: { policy: 'acknowledge', body: 'success' },
    });
    expect(patched).toMatchObject({ allowlist: ['192.0.2.0/24'], verification: { scheme: 'github' } });
    const listed = await hookline.api.ok<{ data: Array<{ uid: string }> }>('GET', '/api/v1/app/shop/source');
    expect(listed.data.map((s) => s.uid)).toContain('crud');
    const refusals = await Promise.all([
      hookline.api.call('POST', '/api/v1/app/shop/source', {
        name: 'x',
        verification: { type: 'signature', scheme: 'standard-webhooks', secrets: ['not-whsec'] },
      }),
      hookline.api.call('POST', '/api/v1/app/shop/source', {
        name: 'x',
        verification: { type: 'basic-auth', username: 'a', password: 'b' },
        allowlist: ['10.0.0.0/99'],
      }),
      hookline.api.call('POST', '/api/v1/app/shop/source', {
        uid: 'crud',
        name: 'x',
        verification: { type: 'header-token', header: 'x-token', token: 'a'.repeat(32) },
      }),
      hookline.api.call('POST', '/api/v1/app/shop/source', { name: 'x', verification: { type: 'none' } }),
    ]);
    expect(refusals.map((r) => r.status)).toEqual([422, 422, 409, 422]);
    expect((await hookline.api.call('DELETE', '/api/v1/app/shop/source/crud')).status).toBe(204);
    expect((await hookline.api.call('GET', '/api/v1/app/shop/source/crud')).status).toBe(404);
    expect((await ingest(base(), '/in/crud', { body: '{}' })).status).toBe(404);
  });

  it('GitHub: signed by @octokit/webhooks-methods, accepted, relayed byte for byte with its signature; tampered refused and logged', async () => {
    await hookline.api.ok('POST', '/api/v1/app/shop/source', {
      uid: 'github',
      name: 'GitHub',
      verification: { type: 'signature', scheme: 'github', secrets: [GITHUB_SECRET] },
    });
    await endpoint('/github', ['issues.opened']);
    // Spacing a re-serialization would drop: the relay must send these exact bytes.
    const body = '{"action":"opened",  "issue": {"number": 1, "title": "caf\u00e9"}}';
    const delivery = randomUUID();
    const headers = {
      'content-type': 'application/json',
      'x-github-event': 'issues',
      'x-github-delivery': delivery,
      'x-hub-signature-256': await signGithub(GITHUB_SECRET, body),
    };
    const accepted = await ingest(base(), '/in/github', { headers, body });
    expect(accepted.status).toBe(200);
    expect(JSON.parse(accepted.text)).toMatchObject({ status: 'accepted' });
    // The same delivery again (GitHub's redeliver): acknowledged, stored once, relayed once.
    expect(JSON.parse((await ingest(base(), '/in/github', { headers, body })).text)).toMatchObject({
      status: 'duplicate',
    });
    const tampered = await ingest(base(), '/in/github', { headers, body: body.replace('1', '2') });
    expect(tampered.status).toBe(401);
    expect(JSON.parse(tampered.text).code).toBe('HOOKLINE_SIGNATURE_MISMATCH');

    await waitFor(() => receiver.on('/github').length === 1, 'the relay of the GitHub event');
    const relayed = receiver.on('/github')[0];
    expect(relayed?.body).toBe(body);
    expect(relayed?.headers['x-hub-signature-256']).toBe(headers['x-hub-signature-256']);
    expect(relayed?.headers['x-github-delivery']).toBe(delivery);
    expect(relayed?.headers['webhook-event-type']).toBe('issues.opened');
    expect(
      await verifyGithub(GITHUB_SECRET, relayed?.body ?? '', String(relayed?.headers['x-hub-signature-256'])),
    ).toBe(true);
    const entries = await log('github');
    expect(entries.map((e) => e.outcome)).toEqual(['rejected', 'duplicate', 'accepted']);
    expect(entries[0]?.reason).toMatch(/^HOOKLINE_SIGNATURE_MISMATCH/);
    await waitFor(async () => (await log('github'))[2]?.messageId != null, 'the accepted request to name its message');
    const messageId = (await log('github'))[2]?.messageId as string;
    const message = await hookline.api.ok<{ eventType: string }>('GET', `/api/v1/app/shop/msg/${messageId}`);
    expect(message.eventType).toBe('issues.opened');
    // The duplicate was never stored: the source has one message for two acknowledged requests.
    const source = await hookline.api.ok<{ id: string }>('GET', '/api/v1/app/shop/source/github');
    const messages = await hookline.api.ok<{ data: unknown[] }>('GET', `/api/v1/app/shop/msg?tag=source:${source.id}`);
    expect(messages.data).toHaveLength(1);
  });

  it('Stripe: signed by the stripe library, accepted and relayed; a stale signature refused with the timestamp code', async () => {
    await hookline.api.ok('POST', '/api/v1/app/shop/source', {
      uid: 'stripe',
      name: 'Stripe',
      verification: { type: 'signature', scheme: 'stripe', secrets: [STRIPE_SECRET] },
    });
    await endpoint('/stripe', ['payment_intent.succeeded']);
    const body = JSON.stringify({ id: `evt_${randomUUID()}`, object: 'event', type: 'payment_intent.succeeded' });
    const fresh = stripe.webhooks.generateTestHeaderString({ payload: body, secret: STRIPE_SECRET });
    const stale = stripe.webhooks.generateTestHeaderString({
      payload: body,
      secret: STRIPE_SECRET,
      timestamp: Math.floor(Date.now() / 1000) - 3600,
    });
    const json = { 'content-type': 'application/json' };
    expect((await ingest(base(), '/in/stripe', { headers: { ...json, 'stripe-signature': fresh }, body })).status).toBe(
      200,
    );
    const refused = await ingest(base(), '/in/stripe', { headers: { ...json, 'stripe-signature': stale }, body });
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.text).code).toBe('HOOKLINE_SIGNATURE_TIMESTAMP_OUT_OF_TOLERANCE');
    await waitFor(() => receiver.on('/stripe').length === 1, 'the relay of the Stripe event');
    const relayed = receiver.on('/stripe')[0];
    expect(relayed?.body).toBe(body);
    expect(
      stripe.webhooks.constructEvent(relayed?.body ?? '', String(relayed?.headers['stripe-signature']), STRIPE_SECRET)
        .type,
    ).toBe('payment_intent.succeeded');
    expect((await log('stripe')).map((e) => [e.outcome, e.reason?.split(':')[0] ?? null])).toEqual([
      ['rejected', 'HOOKLINE_SIGNATURE_TIMESTAMP_OUT_OF_TOLERANCE'],
      ['accepted', null],
    ]);
  });

  it('Standard Webhooks: signed by standardwebhooks, re-signed by Hookline per endpoint; wrong address refused and logged', async () => {
    await hookline.api.ok('POST', '/api/v1/app/shop/source', {
      uid: 'sw',
      name: 'Standard',
      verification: { type: 'signature', scheme: 'standard-webhooks', secrets: [SW_SECRET] },
      signatureMode: 'hookline',
    });
    const sink = await endpoint('/sw', ['invoice.paid']);
    const secret = (await hookline.api.ok<{ key: string }>('GET', `/api/v1/app/shop/endpoint/${sink.id}/secret`)).key;
    const body = JSON.stringify({ type: 'invoice.paid', data: { id: 'inv_1' } });
    const id = `msg_${randomUUID()}`;
    const now = new Date();
    const headers = {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': new StandardWebhook(SW_SECRET).sign(id, now, body),
    };
    expect((await ingest(base(), '/in/sw', { headers, body })).status).toBe(200);
    await waitFor(() => receiver.on('/sw').length === 1, 'the relay of the Standard Webhooks event');
    const relayed = receiver.on('/sw')[0];
    expect(relayed?.body).toBe(body);
    // Re-signed with the endpoint's own secret: the provider's signature would not verify with it.
    const verified = new StandardWebhook(secret).verify(
      relayed?.body ?? '',
      relayed?.headers as Record<string, string>,
    );
    expect(verified).toEqual(JSON.parse(body));
    expect(relayed?.headers['webhook-id']).not.toBe(id);

    // The source now takes only a range this test does not send from.
    await hookline.api.ok('PATCH', '/api/v1/app/shop/source/sw', { allowlist: ['192.0.2.0/24'] });
    await waitFor(
      async () => (await ingest(base(), '/in/sw', { headers, body })).status === 403,
      'the allowlist to apply (sources are cached a second)',
    );
    const entries = await log('sw');
    expect(entries[0]).toMatchObject({ outcome: 'rejected' });
    expect(entries[0]?.reason).toMatch(/^HOOKLINE_RECEIVER_ADDRESS_NOT_ALLOWED/);
  });

  it('a fetch-back that answers no is refused and logged; one that answers yes is accepted (GET callback, fields as the payload)', async () => {
    await hookline.api.ok('POST', '/api/v1/app/shop/source', {
      uid: 'payments',
      name: 'Payments',
      verification: {
        type: 'fetch-back',
        url: `${paymentApiUrl}/orders/{id}`,
        headers: { authorization: 'Bearer provider-api-key' },
        expect: { field: 'status', equals: 'paid' },
      },
      identify: { type: 'payment.paid', idField: 'id' },
    });
    await endpoint('/payments', ['payment.paid']);
    const no = await ingest(base(), '/in/payments?id=2', { method: 'GET' });
    expect(no.status).toBe(422);
    expect(JSON.parse(no.text).code).toBe('HOOKLINE_RECEIVER_EVENT_REJECTED');
    const yes = await ingest(base(), '/in/payments?id=1', { method: 'GET' });
    expect(yes.status).toBe(200);
    await waitFor(() => receiver.on('/payments').length === 1, 'the relay of the confirmed callback');
    await waitFor(async () => (await log('payments'))[0]?.messageId != null, 'the callback to name its message');
    const relayed = receiver.on('/payments')[0];
    expect(relayed?.body).toBe('id=1');
    expect(relayed?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const entries = await log('payments');
    expect(entries.map((e) => [e.outcome, e.eventId])).toEqual([
      ['accepted', '1'],
      ['rejected', '2'],
    ]);
    expect(entries[1]?.reason).toMatch(/^HOOKLINE_RECEIVER_EVENT_REJECTED: .*status/);
    expect(JSON.stringify(entries)).not.toContain('provider-api-key');
    // A relayed form or query is kept as the text it was, and the API shows it so (not as JSON it is not).
    const message = await hookline.api.ok<{ payload: unknown }>('GET', `/api/v1/app/shop/msg/${entries[0]?.messageId}`);
    expect(message.payload).toBe('id=1');
  });

  it('the always-200 policy answers 200 success to every input, malformed ones too, and never says why', async () => {
    await hookline.api.ok('POST', '/api/v1/app/shop/source', {
      uid: 'gateway',
      name: 'Gateway',
      verification: { type: 'header-token', header: 'x-gateway-token', token: 'gateway-token-0123456789' },
      response: { policy: 'acknowledge', body: 'success' },
      maxBodyBytes: 1024,
    });
    const token = { 'x-gateway-token': 'gateway-token-0123456789' };
    const inputs: Array<{ method?: string; headers?: Record<string, string>; body?: string | Uint8Array }> = [
      { headers: { ...token, 'content-type': 'application/json' }, body: '{"type":"order.paid","id":"o1"}' },
      { headers: { 'content-type': 'application/json' }, body: '{"type":"order.paid","id":"o2"}' },
      { headers: { 'x-gateway-token': 'wrong', 'content-type': 'application/json' }, body: '{"type":"x"}' },
      { headers: { ...token, 'content-type': 'application/json' }, body: '{not json' },
      { headers: { ...token, 'content-type': 'text/plain' }, body: 'hello' },
      { headers: { ...token, 'content-type': 'application/json' }, body: '{"no":"type"}' },
      { headers: { ...token, 'content-type': 'application/json' }, body: `{"type":"big","pad":"${'x'.repeat(2048)}"}` },
      // A form that is not UTF-8.
      {
        headers: { ...token, 'content-type': 'application/x-www-form-urlencoded' },
        body: Buffer.from('type=\xff', 'latin1'),
      },
      { headers: { ...token, 'content-type': 'application/json' }, body: '\u0000' },
      { method: 'GET' },
      { method: 'PUT', headers: token, body: '{}' },
      { method: 'DELETE' },
    ];
    for (const input of inputs) {
      const answer = await ingest(base(), '/in/gateway', input);
      expect({ input, status: answer.status, text: answer.text }).toEqual({ input, status: 200, text: 'success' });
    }
    const entries = await log('gateway');
    expect(entries.filter((e) => e.outcome === 'accepted')).toHaveLength(1);
    expect(entries.filter((e) => e.outcome === 'rejected').length).toBeGreaterThanOrEqual(inputs.length - 2);
    expect(entries.every((e) => e.outcome === 'accepted' || (e.reason ?? '').startsWith('HOOKLINE_'))).toBe(true);
  });
});
