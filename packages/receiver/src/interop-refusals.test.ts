// Requests signed by each provider's own library and then spoiled (the body tampered with, signed with another
// secret, too old, a signature header missing) are refused through the node:http adapter with the code that says
// which, and nothing is handled; the same library's untouched request is accepted, so a refusal is the spoiling's.
import { randomUUID } from 'node:crypto';
import { createNodeMiddleware, Webhooks, type WebhooksOptions } from '@hookline/receiver';
import { sign as signGithub } from '@octokit/webhooks-methods';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { Webhook as SvixWebhook } from 'svix';
import { afterAll, describe, expect, it } from 'vitest';
import { post, type Running, SECRET, type SignedRequest, startNodeServer } from '../test/support.js';

const OTHER_SECRET = 'whsec_dGhpcyBpcyBub3QgdGhlIHNlY3JldCB5b3UgYXJlIGxvb2tpbmcgZm9y';
const HOUR_SECONDS = 3600;

const servers: Running[] = [];
afterAll(async () => {
  for (const server of servers) await server.close();
});

/** A receiver on loopback; `outcome` posts a request and answers its refusal's code, or 'accepted'. */
async function receiver(options: WebhooksOptions) {
  const webhooks = new Webhooks(options);
  const handled: string[] = [];
  webhooks.on('*', (event) => {
    handled.push(event.type);
  });
  const server = await startNodeServer(createNodeMiddleware(webhooks));
  servers.push(server);
  const url = `${server.url}/webhooks`;
  return {
    url,
    handled,
    async outcome(request: SignedRequest): Promise<string> {
      const response = await post(url, request);
      if (response.status === 200) return 'accepted';
      expect(response.status).toBe(401);
      expect(Object.keys(response.body).sort()).toEqual(['code', 'detail']);
      return String(response.body.code);
    },
  };
}

/** The same request with one byte of the body changed (a space after the first colon). */
function tampered(request: SignedRequest): SignedRequest {
  const index = request.body.indexOf(':') + 1;
  return { ...request, body: `${request.body.slice(0, index)} ${request.body.slice(index)}` };
}

function without(request: SignedRequest, header: string): SignedRequest {
  const headers = { ...request.headers };
  delete headers[header];
  return { ...request, headers };
}

describe('GitHub: @octokit/webhooks-methods', () => {
  const secret = 'github-webhook-secret';
  const signed = async (key: string, body = JSON.stringify({ action: 'opened', issue: { number: 7 } })) => ({
    body,
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'issues',
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': await signGithub(key, body),
    },
  });

  it('accepts its signature; refuses tampered, wrong-secret and unsigned ones with their codes', async () => {
    const github = await receiver({ scheme: 'github', secret });
    expect(await github.outcome(tampered(await signed(secret)))).toBe('HOOKLINE_SIGNATURE_MISMATCH');
    expect(await github.outcome(await signed('another-secret'))).toBe('HOOKLINE_SIGNATURE_MISMATCH');
    expect(await github.outcome(without(await signed(secret), 'x-hub-signature-256'))).toBe(
      'HOOKLINE_SIGNATURE_MISSING_HEADER',
    );
    expect(github.handled).toEqual([]);
    // GitHub signs no timestamp, so there is no stale signature: a replay is stopped by the delivery id.
    const genuine = await signed(secret);
    expect(await github.outcome(genuine)).toBe('accepted');
    expect((await post(github.url, genuine)).body).toEqual({ status: 'duplicate' });
    expect(github.handled).toEqual(['issues.opened']);
  });
});

describe('Stripe: stripe.webhooks.generateTestHeaderString', () => {
  const secret = 'whsec_stripe_endpoint_secret';
  const stripe = new Stripe('sk_test_not_a_real_key');
  const signed = (key: string, timestamp?: number): SignedRequest => {
    const body = JSON.stringify({ id: `evt_${randomUUID()}`, object: 'event', type: 'charge.succeeded' });
    const header = stripe.webhooks.generateTestHeaderString({
      payload: body,
      secret: key,
      ...(timestamp === undefined ? {} : { timestamp }),
    });
    return { body, headers: { 'content-type': 'application/json', 'stripe-signature': header } };
  };

  it('accepts its signature; refuses tampered, wrong-secret, stale and unsigned ones with their codes', async () => {
    const stripeReceiver = await receiver({ scheme: 'stripe', secret });
    const now = Math.floor(Date.now() / 1000);
    expect(await stripeReceiver.outcome(tampered(signed(secret)))).toBe('HOOKLINE_SIGNATURE_MISMATCH');
    expect(await stripeReceiver.outcome(signed('whsec_another_secret'))).toBe('HOOKLINE_SIGNATURE_MISMATCH');
    expect(await stripeReceiver.outcome(signed(secret, now - HOUR_SECONDS))).toBe(
      'HOOKLINE_SIGNATURE_TIMESTAMP_OUT_OF_TOLERANCE',
    );
    expect(await stripeReceiver.outcome(signed(secret, now + HOUR_SECONDS))).toBe(
      'HOOKLINE_SIGNATURE_TIMESTAMP_OUT_OF_TOLERANCE',
    );
    expect(await stripeReceiver.outcome(without(signed(secret), 'stripe-signature'))).toBe(
      'HOOKLINE_SIGNATURE_MISSING_HEADER',
    );
    expect(stripeReceiver.handled).toEqual([]);
    expect(await stripeReceiver.outcome(signed(secret))).toBe('accepted');
    expect(stripeReceiver.handled).toEqual(['charge.succeeded']);
  });
});

describe.each([
  { library: 'standardwebhooks', prefix: 'webhook', sign: (key: string) => new StandardWebhook(key) },
  { library: 'svix', prefix: 'svix', sign: (key: string) => new SvixWebhook(key) },
])('Standard Webhooks: $library', ({ prefix, sign }) => {
  const signed = (key: string, at = new Date()): SignedRequest => {
    const id = `msg_${randomUUID()}`;
    const body = JSON.stringify({ type: 'invoice.paid', data: { invoiceId: 'in_42' } });
    return {
      body,
      headers: {
        'content-type': 'application/json',
        [`${prefix}-id`]: id,
        [`${prefix}-timestamp`]: String(Math.floor(at.getTime() / 1000)),
        [`${prefix}-signature`]: sign(key).sign(id, at, body),
      },
    };
  };

  it('accepts its signature; refuses tampered, wrong-secret, stale and unsigned ones with their codes', async () => {
    const standard = await receiver({ scheme: 'standard-webhooks', secret: SECRET });
    const hourAgo = new Date(Date.now() - HOUR_SECONDS * 1000);
    const hourAhead = new Date(Date.now() + HOUR_SECONDS * 1000);
    expect(await standard.outcome(tampered(signed(SECRET)))).toBe('HOOKLINE_SIGNATURE_MISMATCH');
    expect(await standard.outcome(signed(OTHER_SECRET))).toBe('HOOKLINE_SIGNATURE_MISMATCH');
    expect(await standard.outcome(signed(SECRET, hourAgo))).toBe('HOOKLINE_SIGNATURE_TIMESTAMP_OUT_OF_TOLERANCE');
    expect(await standard.outcome(signed(SECRET, hourAhead))).toBe('HOOKLINE_SIGNATURE_TIMESTAMP_OUT_OF_TOLERANCE');
    expect(await standard.outcome(without(signed(SECRET), `${prefix}-signature`))).toBe(
      'HOOKLINE_SIGNATURE_MISSING_HEADER',
    );
    expect(standard.handled).toEqual([]);
    expect(await standard.outcome(signed(SECRET))).toBe('accepted');
    expect(standard.handled).toEqual(['invoice.paid']);
  });
});
