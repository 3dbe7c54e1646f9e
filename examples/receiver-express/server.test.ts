import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, fulfilled } from './server.js';

const stripeSecret = 'whsec_example_express';
let server: Server;
let base = '';

beforeAll(async () => {
  server = createApp({ stripeSecret }).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('examples/receiver-express', () => {
  it('fulfils a checkout signed by the stripe library; the JSON API beside it still parses JSON', async () => {
    const body = JSON.stringify({
      id: 'evt_example_express',
      type: 'checkout.session.completed',
      data: { object: { id: 'cs_test_1', customer: 'cus_1' } },
    });
    const signature = new Stripe('sk_test_x').webhooks.generateTestHeaderString({
      payload: body,
      secret: stripeSecret,
    });
    const response = await fetch(`${base}/webhooks/stripe`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
    });
    expect(response.status).toBe(200);
    expect(fulfilled).toEqual(['cs_test_1']);
    const echo = await fetch(`${base}/api/echo`, {
      method: 'POST',
      body: '{"a":1}',
      headers: { 'content-type': 'application/json' },
    });
    expect(await echo.json()).toEqual({ a: 1 });
  });
});
