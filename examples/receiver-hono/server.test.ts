import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, orders } from './app.js';
import { serve } from './server.js';

const shopifySecret = 'example-hono-secret';
const app = createApp({ shopifySecret });
const server = serve((request) => app.fetch(request));
let url = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/shopify`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('examples/receiver-hono', () => {
  it('acknowledges a signed orders/create at once (202), then records it', async () => {
    const body = '\ufeff{"id":820982911946154508,"email":"jon@example.com","total_price":"9.99"}';
    const response = await fetch(url, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': 'orders/create',
        'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
        'x-shopify-hmac-sha256': createHmac('sha256', shopifySecret).update(body).digest('base64'),
      },
    });
    expect(response.status).toBe(202);
    // The handler runs a macrotask after the answer; poll a bounded number of turns, no timers in the assertion.
    for (let i = 0; i < 100 && orders.length === 0; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(orders).toEqual(['orders/create jon@example.com 9.99']);
  });
});
