// Signatures made by each provider's official library (or, where none is installed, by the provider's documented
// algorithm with node:crypto) are accepted through the node:http adapter and routed by the provider's own event
// name and id; the same requests tampered with are refused.
import { createHmac, randomUUID } from 'node:crypto';
import { createNodeMiddleware, type EventMap, Webhooks, type WebhooksOptions } from '@hookline/receiver';
import { sign as signGithub } from '@octokit/webhooks-methods';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { Webhook as SvixWebhook } from 'svix';
import { afterAll, describe, expect, it } from 'vitest';
import { post, type Running, SECRET, type SignedRequest, startNodeServer } from '../test/support.js';

const servers: Running[] = [];
afterAll(async () => {
  for (const server of servers) await server.close();
});

async function receiver(options: WebhooksOptions<EventMap>) {
  const webhooks = new Webhooks(options);
  const seen: Array<{ type: string; id: string | undefined }> = [];
  webhooks.on('*', (event) => {
    seen.push({ type: event.type, id: event.id });
  });
  const server = await startNodeServer(createNodeMiddleware(webhooks));
  servers.push(server);
  return { url: `${server.url}/webhooks`, seen, webhooks };
}

/** The same request with one byte of the body changed. */
function tampered(request: SignedRequest): SignedRequest {
  const index = request.body.indexOf(':') + 1;
  return { ...request, body: `${request.body.slice(0, index)} ${request.body.slice(index)}` };
}

describe('GitHub (@octokit/webhooks-methods)', () => {
  const secret = 'It\u2019s a Secret to Everybody';

  it('accepts its signature and routes X-GitHub-Event + action, id X-GitHub-Delivery', async () => {
    const { url, seen, webhooks } = await receiver({ scheme: 'github', secret });
    const broad: string[] = [];
    webhooks.on('issues', (event) => {
      broad.push(event.type);
    });
    const body = JSON.stringify({ action: 'opened', issue: { number: 1 } });
    const delivery = randomUUID();
    const request = {
      body,
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'issues',
        'x-github-delivery': delivery,
        'x-hub-signature-256': await signGithub(secret, body),
      },
    };
    expect((await post(url, request)).status).toBe(200);
    expect(seen).toEqual([{ type: 'issues.opened', id: delivery }]);
    expect(broad).toEqual(['issues.opened']);
    expect((await post(url, tampered(request))).status).toBe(401);
    expect((await post(url, request)).body).toEqual({ status: 'duplicate' });
  });

  it('an event without an action routes on the event name alone', async () => {
    const { url, seen } = await receiver({ scheme: 'github', secret });
    const body = JSON.stringify({ ref: 'refs/heads/main' });
    const headers = {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': await signGithub(secret, body),
    };
    expect((await post(url, { body, headers })).status).toBe(200);
    expect(seen.map((e) => e.type)).toEqual(['push']);
  });
});

describe('Stripe (stripe.webhooks.generateTestHeaderString)', () => {
  const secret = 'whsec_test_secret_for_stripe';
  const stripe = new Stripe('sk_test_not_a_real_key');

  it('accepts its signature and routes body type + id', async () => {
    const { url, seen } = await receiver({ scheme: 'stripe', secret });
    const body = JSON.stringify({
      id: 'evt_1NG8Du2eZvKYlo2CUI79vXWy',
      object: 'event',
      type: 'payment_intent.succeeded',
    });
    const request = {
      body,
      headers: {
        'content-type': 'application/json',
        'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload: body, secret }),
      },
    };
    expect((await post(url, request)).status).toBe(200);
    expect(seen).toEqual([{ type: 'payment_intent.succeeded', id: 'evt_1NG8Du2eZvKYlo2CUI79vXWy' }]);
    expect((await post(url, tampered(request))).status).toBe(401);
  });

  it('refuses a Stripe signature older than the tolerance with the timestamp code', async () => {
    const { url } = await receiver({ scheme: 'stripe', secret });
    const body = JSON.stringify({ id: 'evt_old', type: 'charge.succeeded' });
    const header = stripe.webhooks.generateTestHeaderString({
      payload: body,
      secret,
      timestamp: Math.floor(Date.now() / 1000) - 3600,
    });
    const response = await post(url, {
      body,
      headers: { 'content-type': 'application/json', 'stripe-signature': header },
    });
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('HOOKLINE_SIGNATURE_TIMESTAMP_OUT_OF_TOLERANCE');
  });
});

describe('Standard Webhooks (standardwebhooks, svix)', () => {
  it('accepts the standardwebhooks library signature: body type, webhook-id', async () => {
    const { url, seen } = await receiver({ scheme: 'standard-webhooks', secret: SECRET });
    const body = JSON.stringify({ type: 'invoice.paid', data: { id: 'inv_1' } });
    const id = `msg_${randomUUID()}`;
    const now = new Date();
    const request = {
      body,
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': new StandardWebhook(SECRET).sign(id, now, body),
      },
    };
    expect((await post(url, request)).status).toBe(200);
    expect(seen).toEqual([{ type: 'invoice.paid', id }]);
    expect((await post(url, tampered(request))).status).toBe(401);
  });

  it('accepts the svix library signature with svix-* headers', async () => {
    const { url, seen } = await receiver({ scheme: 'standard-webhooks', secret: SECRET });
    const body = JSON.stringify({ type: 'user.created', data: {} });
    const id = `msg_${randomUUID()}`;
    const now = new Date();
    const request = {
      body,
      headers: {
        'content-type': 'application/json',
        'svix-id': id,
        'svix-timestamp': String(Math.floor(now.getTime() / 1000)),
        'svix-signature': new SvixWebhook(SECRET).sign(id, now, body),
      },
    };
    expect((await post(url, request)).status).toBe(200);
    expect(seen).toEqual([{ type: 'user.created', id }]);
    expect((await post(url, tampered(request))).status).toBe(401);
  });
});

describe('Shopify (documented algorithm)', () => {
  it('accepts HMAC-SHA256 base64 and routes X-Shopify-Topic, id X-Shopify-Webhook-Id', async () => {
    const secret = 'shpss_shared_secret';
    const { url, seen, webhooks } = await receiver({ scheme: 'shopify', secret });
    const orders: string[] = [];
    webhooks.on('orders/*', (event) => {
      orders.push(event.type);
    });
    // An id past 2^53, as Shopify sends: JSON.parse rounds it, the signature is over the exact digits.
    const body = '{"id":820982911946154508,"email":"jon@example.com"}';
    const request = {
      body,
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': 'orders/create',
        'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
        'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64'),
      },
    };
    expect((await post(url, request)).status).toBe(200);
    expect(seen).toEqual([{ type: 'orders/create', id: 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043' }]);
    expect(orders).toEqual(['orders/create']);
    expect((await post(url, tampered(request))).status).toBe(401);
  });
});

describe('Slack (documented algorithm)', () => {
  const secret = '8f742231b10e8888abcd99yyyzzz85a5';
  const signed = (body: string) => {
    const ts = String(Math.floor(Date.now() / 1000));
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'x-slack-request-timestamp': ts,
        'x-slack-signature': `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`,
      },
    };
  };

  it('answers the url_verification challenge without routing it', async () => {
    const { url, seen } = await receiver({ scheme: 'slack', secret });
    const response = await post(
      url,
      signed(JSON.stringify({ type: 'url_verification', challenge: 'c_123', token: 't' })),
    );
    expect(response).toMatchObject({ status: 200, body: { challenge: 'c_123' } });
    expect(seen).toEqual([]);
  });

  it('routes an event_callback on the inner event type, id event_id', async () => {
    const { url, seen } = await receiver({ scheme: 'slack', secret });
    const request = signed(
      JSON.stringify({ type: 'event_callback', event_id: 'Ev123', event: { type: 'app_mention' } }),
    );
    expect((await post(url, request)).status).toBe(200);
    expect(seen).toEqual([{ type: 'app_mention', id: 'Ev123' }]);
    expect((await post(url, tampered(request))).status).toBe(401);
  });
});

describe('plain HMAC with a configured identity', () => {
  it('takes the event name and id from where the configuration says', async () => {
    const { createHmacSha256 } = await import('@hookline/receiver');
    const scheme = createHmacSha256({ header: 'x-signature', prefix: '', encoding: 'hex' });
    const { url, seen } = await receiver({
      scheme,
      secret: 'plain-secret',
      identify: ({ headers, payload }) => ({
        type: (headers as Record<string, string>)['x-event-kind'],
        id: (payload as { uuid?: string }).uuid,
      }),
    });
    const body = JSON.stringify({ uuid: 'u-1' });
    const request = {
      body,
      headers: {
        'content-type': 'application/json',
        'x-event-kind': 'thing.happened',
        'x-signature': createHmac('sha256', 'plain-secret').update(body).digest('hex'),
      },
    };
    expect((await post(url, request)).status).toBe(200);
    expect(seen).toEqual([{ type: 'thing.happened', id: 'u-1' }]);
  });
});
