// Unsigned payment callbacks through every framework adapter over real HTTP: a GET with query parameters and a
// form POST, confirmed by a fetch-back to a fake payment API, always answered `success`, and throttled.
import {
  type EventMap,
  fetchBackCheck,
  identifyFields,
  type Refusal,
  type WebhookEvent,
  Webhooks,
} from '@hookline/receiver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterServer } from './adapter-suite.js';
import { type FakePaymentApi, startFakePaymentApi } from './fake-payment-api.js';

type Start = (webhooks: Webhooks<EventMap>) => Promise<AdapterServer>;

export function describeCallbacks(name: string, start: Start): void {
  describe(`${name} adapter (payment callbacks)`, () => {
    let api: FakePaymentApi;
    let server: AdapterServer;
    let throttledServer: AdapterServer;
    const paid: string[] = [];
    const refusals: Refusal[] = [];

    const unsigned = (extra: Partial<ConstructorParameters<typeof Webhooks>[0]> = {}) => {
      const webhooks = new Webhooks({
        scheme: 'unsigned',
        check: fetchBackCheck({
          url: `${api.url}/v1/payments/{id}`,
          expect: { field: 'status', equals: 'paid' },
          network: { allowPrivateNetworks: true }, // the fake API is on loopback
        }),
        identify: identifyFields({ type: 'payment.paid', idField: 'id' }),
        respond: { acknowledge: 'success' },
        ...extra,
      } as ConstructorParameters<typeof Webhooks>[0]);
      // Registered as a module of functions named after their events.
      webhooks.registerModule({
        payment_paid: (event: WebhookEvent) => {
          paid.push(event.id ?? '');
        },
      });
      webhooks.onRefused((refusal) => refusals.push(refusal));
      return webhooks;
    };

    beforeAll(async () => {
      api = await startFakePaymentApi(new Set(['pay_get', 'pay_form']));
      server = await start(unsigned());
      const now = Date.now();
      throttledServer = await start(unsigned({ rateLimit: { capacity: 2, refillPerSecond: 1 }, now: () => now }));
    });
    afterAll(async () => {
      await server?.close();
      await throttledServer?.close();
      await api?.close();
    });

    it('a GET callback for a paid id: the API is asked, the handler runs, the answer is success', async () => {
      const response = await fetch(`${server.endpoint}?id=pay_get&trade_status=SUCCESS`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('success');
      expect(paid).toContain('pay_get');
      expect(api.asked).toContain('pay_get');
    });

    it('a form POST callback is read from its fields', async () => {
      const response = await fetch(server.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'id=pay_form&amount=10.00',
      });
      expect(await response.text()).toBe('success');
      expect(paid).toContain('pay_form');
    });

    it('a forged id is refused by the fetch-back, never handled, and still answered success', async () => {
      const response = await fetch(`${server.endpoint}?id=pay_forged`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('success');
      expect(paid).not.toContain('pay_forged');
      expect(refusals).toContainEqual(
        expect.objectContaining({ code: 'HOOKLINE_RECEIVER_EVENT_REJECTED', reason: 'the fetch-back answered 404' }),
      );
    });

    it('a flood is throttled: past the bucket, 429 and no fetch-back', async () => {
      const before = api.asked.length;
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await fetch(`${throttledServer.endpoint}?id=pay_flood_${i}`)).status);
      expect(statuses).toEqual([200, 200, 429, 429, 429, 429]);
      expect(api.asked.length - before).toBe(2);
    });
  });
}
