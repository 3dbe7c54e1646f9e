// Ordered delivery (issue 14 section 1): an endpoint with ordering 'fifo' has at most one delivery per (endpoint,
// ordering key) pending or sending; the next is claimable only once the previous is delivered or dead; retries and
// lease expiry keep the order; a dead head is skipped or holds its key until replayed.
import { describe, expect, it } from 'vitest';
import type { Store } from '../store.js';
import type { Application, ClaimedDelivery, Endpoint } from '../types.js';
import {
  claimAll,
  createApp,
  createEndpoint,
  failed,
  LEASE_MS,
  newMessage,
  type StoreFactory,
  single,
  succeeded,
  T0,
  useStore,
} from './fixtures.js';

/** The payload names the event: `{"n":"a1"}`. */
const event = (name: string) => JSON.stringify({ n: name });
const nameOf = (claimed: ClaimedDelivery) => (JSON.parse(claimed.message.payload) as { n: string }).n;
const names = (claimed: readonly ClaimedDelivery[]) => claimed.map(nameOf).sort();

export function describeOrdering(factory: StoreFactory): void {
  describe('ordered delivery per endpoint', () => {
    const store = useStore(factory);

    async function orderedEndpoint(
      options: Partial<Pick<Endpoint, 'orderingOnDead'>> = {},
    ): Promise<{ app: Application; endpoint: Endpoint }> {
      const app = await createApp(store());
      const endpoint = await createEndpoint(store(), app.id, { ordering: 'fifo', ...options });
      return { app, endpoint };
    }

    async function publish(s: Store, appId: string, name: string, orderingKey: string | null, at = T0) {
      return (await s.publish(appId, newMessage({ payload: event(name), orderingKey }), at)).message;
    }

    it('an endpoint keeps its ordering settings; a message keeps its key', async () => {
      const { app, endpoint } = await orderedEndpoint({ orderingOnDead: 'hold' });
      expect(endpoint).toMatchObject({ ordering: 'fifo', orderingOnDead: 'hold' });
      expect(await store().getEndpoint(app.id, endpoint.id)).toMatchObject({
        ordering: 'fifo',
        orderingOnDead: 'hold',
      });
      const plain = await createEndpoint(store(), app.id);
      expect(plain).toMatchObject({ ordering: 'none', orderingOnDead: 'skip' });
      const message = await publish(store(), app.id, 'a1', 'customer-1');
      expect(message.orderingKey).toBe('customer-1');
      expect((await store().getMessage(app.id, message.id))?.orderingKey).toBe('customer-1');
    });

    it('one delivery per key is claimable at a time, the next once the previous is delivered', async () => {
      const { app } = await orderedEndpoint();
      for (const name of ['a1', 'a2', 'a3']) await publish(store(), app.id, name, 'a');
      for (const name of ['b1', 'b2']) await publish(store(), app.id, name, 'b');

      const first = await claimAll(store(), T0);
      expect(names(first)).toEqual(['a1', 'b1']);
      expect(await claimAll(store(), T0 + 1)).toEqual([]);

      const a1 = first.find((item) => nameOf(item) === 'a1') as ClaimedDelivery;
      await store().recordAttempts([succeeded(a1, T0 + 2)]);
      expect(names(await claimAll(store(), T0 + 3))).toEqual(['a2']);
    });

    it('messages without a key share the endpoint one line; an unordered endpoint gets everything at once', async () => {
      const { app } = await orderedEndpoint();
      const plain = await createEndpoint(store(), app.id);
      for (const name of ['x1', 'x2', 'x3']) await publish(store(), app.id, name, null);
      const claimed = await claimAll(store(), T0);
      expect(names(claimed.filter((item) => item.endpoint.id !== plain.id))).toEqual(['x1']);
      expect(names(claimed.filter((item) => item.endpoint.id === plain.id))).toEqual(['x1', 'x2', 'x3']);
      expect(claimed.find((item) => item.endpoint.id === plain.id)?.delivery.orderingKey).toBeNull();
    });

    it('a retry keeps the order: nothing behind a failing head is sent before it', async () => {
      const { app } = await orderedEndpoint();
      await publish(store(), app.id, 'a1', 'a');
      await publish(store(), app.id, 'a2', 'a');
      const head = single(await claimAll(store(), T0));
      await store().recordAttempts([failed(head, T0 + 1, { status: 'pending', nextAttemptAt: T0 + 1000 })]);
      expect(await claimAll(store(), T0 + 500)).toEqual([]);
      const retry = single(await claimAll(store(), T0 + 1000));
      expect(nameOf(retry)).toBe('a1');
      await store().recordAttempts([succeeded(retry, T0 + 1001)]);
      expect(nameOf(single(await claimAll(store(), T0 + 1002)))).toBe('a2');
    });

    it('a lease that runs out sends the head again, never the next one first', async () => {
      const { app } = await orderedEndpoint();
      await publish(store(), app.id, 'a1', 'a');
      await publish(store(), app.id, 'a2', 'a');
      const head = single(await claimAll(store(), T0));
      const again = single(await claimAll(store(), T0 + LEASE_MS + 1));
      expect(again.delivery.id).toBe(head.delivery.id);
      // The first lease's result is stale: recording it moves nothing on.
      expect((await store().recordAttempts([succeeded(head, T0 + LEASE_MS + 2)])).staleDeliveryIds).toEqual([
        head.delivery.id,
      ]);
      expect(await claimAll(store(), T0 + LEASE_MS + 3)).toEqual([]);
      await store().recordAttempts([succeeded(again, T0 + LEASE_MS + 4)]);
      expect(nameOf(single(await claimAll(store(), T0 + LEASE_MS + 5)))).toBe('a2');
    });

    it('a dead head is skipped by default: the next of its key is sent', async () => {
      const { app } = await orderedEndpoint();
      await publish(store(), app.id, 'a1', 'a');
      await publish(store(), app.id, 'a2', 'a');
      const head = single(await claimAll(store(), T0));
      await store().recordAttempts([failed(head, T0 + 1, { status: 'dead' })]);
      expect(nameOf(single(await claimAll(store(), T0 + 2)))).toBe('a2');
    });

    it('a dead head holds its key when the endpoint holds: listed, and released by replaying it', async () => {
      const { app, endpoint } = await orderedEndpoint({ orderingOnDead: 'hold' });
      const a1 = await publish(store(), app.id, 'a1', 'a');
      await publish(store(), app.id, 'a2', 'a');
      await publish(store(), app.id, 'a3', 'a');
      await publish(store(), app.id, 'b1', 'b');
      const first = await claimAll(store(), T0);
      const headA = first.find((item) => nameOf(item) === 'a1') as ClaimedDelivery;
      const headB = first.find((item) => nameOf(item) === 'b1') as ClaimedDelivery;
      await store().recordAttempts([failed(headA, T0 + 1, { status: 'dead' }), succeeded(headB, T0 + 1)]);

      expect(await claimAll(store(), T0 + 2)).toEqual([]);
      const held = await store().listHeldKeys(app.id, endpoint.id, 10);
      expect(held).toEqual([
        {
          orderingKey: 'a',
          messageId: a1.id,
          deliveryId: headA.delivery.id,
          since: T0 + 1,
          lastError: 'HTTP 503',
          lastStatusCode: 503,
          waiting: 2,
        },
      ]);
      const other = await createApp(store(), 'other');
      expect(await store().listHeldKeys(other.id, endpoint.id, 10)).toEqual([]);

      expect(await store().resend(app.id, a1.id, endpoint.id, T0 + 3)).toBe(true);
      expect(await store().listHeldKeys(app.id, endpoint.id, 10)).toEqual([]);
      const replayed = single(await claimAll(store(), T0 + 3));
      expect(nameOf(replayed)).toBe('a1');
      await store().recordAttempts([succeeded(replayed, T0 + 4)]);
      expect(nameOf(single(await claimAll(store(), T0 + 5)))).toBe('a2');
    });

    it('recovering dead deliveries puts them back in their line, one at a time', async () => {
      const { app, endpoint } = await orderedEndpoint();
      await publish(store(), app.id, 'a1', 'a');
      await publish(store(), app.id, 'a2', 'a');
      for (let i = 0; i < 2; i++) {
        await store().recordAttempts([failed(single(await claimAll(store(), T0 + i)), T0 + i, { status: 'dead' })]);
      }
      await publish(store(), app.id, 'a3', 'a', T0 + 10);
      const a3 = single(await claimAll(store(), T0 + 10));
      expect(nameOf(a3)).toBe('a3');

      expect(await store().recoverEndpoint(app.id, endpoint.id, T0 - 1, T0 + 5, T0 + 11)).toBe(2);
      expect(await claimAll(store(), T0 + 11)).toEqual([]);
      await store().recordAttempts([succeeded(a3, T0 + 12)]);
      const order: string[] = [];
      for (let i = 0; i < 3; i++) {
        const next = await claimAll(store(), T0 + 13 + i);
        if (next.length === 0) break;
        const only = single(next);
        order.push(nameOf(only));
        await store().recordAttempts([succeeded(only, T0 + 13 + i)]);
      }
      expect(order).toEqual(['a1', 'a2']);
    });

    it('a disabled endpoint parks its heads; enabling it wakes the heads only', async () => {
      const { app, endpoint } = await orderedEndpoint();
      await publish(store(), app.id, 'a1', 'a');
      await publish(store(), app.id, 'a2', 'a');
      await store().updateEndpoint(app.id, endpoint.id, { disabled: true }, T0 + 1);
      expect(await claimAll(store(), T0 + 2)).toEqual([]);
      await store().updateEndpoint(app.id, endpoint.id, { disabled: false }, T0 + 3);
      expect(names(await claimAll(store(), T0 + 4))).toEqual(['a1']);
    });

    it('an endpoint that stops being ordered sends what waited at once', async () => {
      const { app, endpoint } = await orderedEndpoint();
      for (const name of ['a1', 'a2', 'a3']) await publish(store(), app.id, name, 'a');
      expect(names(await claimAll(store(), T0))).toEqual(['a1']);
      await store().updateEndpoint(app.id, endpoint.id, { ordering: 'none' }, T0 + 1);
      expect(names(await claimAll(store(), T0 + 2))).toEqual(['a2', 'a3']);
    });

    it('an endpoint made unordered while disabled sends what waited once enabled', async () => {
      const { app, endpoint } = await orderedEndpoint();
      for (const name of ['a1', 'a2', 'a3']) await publish(store(), app.id, name, 'a');
      await store().updateEndpoint(app.id, endpoint.id, { disabled: true }, T0 + 1);
      await store().updateEndpoint(app.id, endpoint.id, { ordering: 'none' }, T0 + 2);
      expect(await claimAll(store(), T0 + 3)).toEqual([]);
      await store().updateEndpoint(app.id, endpoint.id, { disabled: false }, T0 + 4);
      expect(names(await claimAll(store(), T0 + 5))).toEqual(['a1', 'a2', 'a3']);
    });

    it('an endpoint that stops holding lets its held keys go on', async () => {
      const { app, endpoint } = await orderedEndpoint({ orderingOnDead: 'hold' });
      await publish(store(), app.id, 'a1', 'a');
      await publish(store(), app.id, 'a2', 'a');
      await store().recordAttempts([failed(single(await claimAll(store(), T0)), T0 + 1, { status: 'dead' })]);
      expect(await claimAll(store(), T0 + 2)).toEqual([]);
      await store().updateEndpoint(app.id, endpoint.id, { orderingOnDead: 'skip' }, T0 + 3);
      expect(names(await claimAll(store(), T0 + 4))).toEqual(['a2']);
    });

    it('publishMany keeps publish order within a key', async () => {
      const { app } = await orderedEndpoint();
      await store().publishMany(
        app.id,
        ['a1', 'a2', 'a3'].map((name) => newMessage({ payload: event(name), orderingKey: 'a' })),
        T0,
      );
      const order: string[] = [];
      for (let i = 0; i < 4; i++) {
        const next = await claimAll(store(), T0 + i);
        if (next.length === 0) break;
        const only = single(next);
        order.push(nameOf(only));
        await store().recordAttempts([succeeded(only, T0 + i)]);
      }
      expect(order).toEqual(['a1', 'a2', 'a3']);
    });
  });
}
