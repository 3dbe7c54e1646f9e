// Starts the payment-callback example against a fake payment API on loopback (GET /v1/payments/{id}, bearer
// key required), and plays the gateway: a paid id, a form POST, a forged id, a repeat, a flood, and a callback
// that arrives while the payment API is down.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Refusal } from '@hookline/receiver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type Orders, type PaymentCallbackApp, type PaymentCallbackConfig } from './server.js';

const API_KEY = 'sk_test_payment_callback';
const PAYMENTS: ReadonlyMap<string, string> = new Map([
  ['pay_xyz', 'paid'],
  ['pay_form', 'paid'],
  ['pay_pending', 'pending'],
]);

/** The payment gateway's API: the ids it was asked about, in order. */
const asked: string[] = [];
/** While true, the API answers 503 (it cannot tell). */
let apiDown = false;
const paymentApi = createServer((req, res) => {
  if (apiDown) {
    res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"maintenance"}');
    return;
  }
  const match = /^\/v1\/payments\/([^/?]+)$/.exec(req.url ?? '');
  if (req.headers.authorization !== `Bearer ${API_KEY}`) {
    res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
    return;
  }
  const id = match?.[1] === undefined ? '' : decodeURIComponent(match[1]);
  asked.push(id);
  const status = PAYMENTS.get(id);
  res.writeHead(status === undefined ? 404 : 200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(status === undefined ? { error: 'no such payment' } : { id, status }));
});

const running: Server[] = [];
const apps: PaymentCallbackApp[] = [];

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  running.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function startShop(
  options: Partial<PaymentCallbackConfig> = {},
): Promise<{ url: string; orders: Orders; refusals: Refusal[]; app: PaymentCallbackApp }> {
  const refusals: Refusal[] = [];
  const app = createApp({
    paymentApiUrl: apiUrl,
    paymentApiKey: API_KEY,
    allowPrivateNetworks: true, // the fake API is on loopback
    onRefused: (refusal) => refusals.push(refusal),
    ...options,
  });
  apps.push(app);
  return { url: `${await listen(app.server)}/payment-confirm/`, orders: app.orders, refusals, app };
}

/** What a gateway sees of an answer: status, content type and body. */
async function seen(response: Response) {
  return { status: response.status, contentType: response.headers.get('content-type'), body: await response.text() };
}

const SUCCESS = { status: 200, contentType: 'text/plain; charset=utf-8', body: 'success' };

let apiUrl = '';
let shop: Awaited<ReturnType<typeof startShop>>;

beforeAll(async () => {
  apiUrl = await listen(paymentApi);
  shop = await startShop();
});
afterAll(async () => {
  for (const app of apps) await app.close();
  for (const server of running) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe('examples/payment-callback', () => {
  it('a GET callback for a paid id: the API is asked, the order is marked paid, the answer is success', async () => {
    expect(await seen(await fetch(`${shop.url}?id=pay_xyz&trade_status=SUCCESS`))).toEqual(SUCCESS);
    expect(shop.orders.paid.has('pay_xyz')).toBe(true);
    expect(asked).toContain('pay_xyz');
  });

  it('a form POST callback is read from its fields', async () => {
    const response = await fetch(shop.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'id=pay_form&amount=10.00',
    });
    expect(await seen(response)).toEqual(SUCCESS);
    expect(shop.orders.paid.has('pay_form')).toBe(true);
  });

  it('the gateway sending the same callback again marks nothing twice', async () => {
    const before = asked.length;
    expect(await seen(await fetch(`${shop.url}?id=pay_xyz`))).toEqual(SUCCESS);
    expect(asked.length).toBe(before); // deduped by id before any fetch-back
    expect([...shop.orders.paid]).toEqual(['pay_xyz', 'pay_form']);
  });

  it('a forged or unpaid id is refused by the fetch-back, yet answered exactly like a genuine one', async () => {
    const forged = await seen(await fetch(`${shop.url}?id=pay_forged`));
    const pending = await seen(await fetch(`${shop.url}?id=pay_pending`));
    const noId = await seen(await fetch(`${shop.url}?order=1`));
    expect([forged, pending, noId]).toEqual([SUCCESS, SUCCESS, SUCCESS]);
    expect(shop.orders.paid.has('pay_forged')).toBe(false);
    expect(shop.orders.paid.has('pay_pending')).toBe(false);
    expect(asked).toEqual(expect.arrayContaining(['pay_forged', 'pay_pending']));
    // Why, only where the shop looks.
    expect(shop.refusals.map((r) => [r.event?.id, r.code, r.reason])).toEqual([
      ['pay_forged', 'HOOKLINE_RECEIVER_EVENT_REJECTED', 'the fetch-back answered 404'],
      ['pay_pending', 'HOOKLINE_RECEIVER_EVENT_REJECTED', expect.stringContaining('status')],
      [undefined, 'HOOKLINE_RECEIVER_EVENT_REJECTED', expect.any(String)],
    ]);
  });

  it('a flood is throttled before any fetch-back: the bucket lets its capacity through, the rest get 429', async () => {
    // No refill, so the counts do not depend on how fast this machine sends (the example's default refills 5/s).
    const capacity = 5;
    const flood = 40;
    const target = await startShop({ rateLimit: { capacity, refillPerSecond: 0 } });
    const before = asked.length;
    const answers = await Promise.all(
      Array.from({ length: flood }, (_, i) => fetch(`${target.url}?id=pay_flood_${i}`).then(seen)),
    );
    const acknowledged = answers.filter((answer) => answer.status === 200);
    const throttled = answers.filter((answer) => answer.status === 429);
    expect(acknowledged).toHaveLength(capacity);
    expect(throttled).toHaveLength(flood - capacity);
    expect(acknowledged.every((answer) => answer.body === 'success')).toBe(true);
    // Only the requests let through reached the payment API.
    expect(asked.length - before).toBe(capacity);
    expect(target.refusals.filter((r) => r.code === 'HOOKLINE_RECEIVER_RATE_LIMITED')).toHaveLength(flood - capacity);
    expect(target.orders.paid.size).toBe(0);
  });

  it('with the inbox, a callback that arrives while the API is down is answered success and marked paid later', async () => {
    const errors: unknown[] = [];
    // Retries one second apart, several of them, so a slow machine cannot use them all up before the API is back.
    const target = await startShop({ inbox: { file: ':memory:', retryDelaysSeconds: [1, 1, 1, 1, 1, 1] } });
    target.app.payments.onError((error) => errors.push(error));
    apiDown = true;
    try {
      expect(await seen(await fetch(`${target.url}?id=pay_xyz`))).toEqual(SUCCESS);
      // Stored before the answer; its check runs now, and cannot tell.
      expect(await target.app.payments.drainInbox(1)).toBe(1);
      expect(errors).toHaveLength(1);
      expect(target.orders.paid.has('pay_xyz')).toBe(false);
      expect(await target.app.payments.inboxEvents({ status: 'pending' })).toMatchObject([{ id: 'pay_xyz' }]);
    } finally {
      apiDown = false;
    }
    // Bounded in rounds: each drain runs what is due; the retry falls due a second after the failure.
    for (let round = 0; round < 600 && !target.orders.paid.has('pay_xyz'); round++) {
      await target.app.payments.drainInbox(1);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(target.orders.paid.has('pay_xyz')).toBe(true);
    expect(target.refusals).toEqual([]);
  });
});
