// What the operator's tools read: recent attempts (tail, charts, endpoint health), queue depth by status and the
// age of the oldest waiting delivery (metrics).
import { describe, expect, it } from 'vitest';
import {
  claimAll,
  createApp,
  createEndpoint,
  failed,
  newMessage,
  type StoreFactory,
  single,
  succeeded,
  T0,
  useStore,
} from './fixtures.js';

export function describeOperatorViews(factory: StoreFactory): void {
  describe('operator views', () => {
    const store = useStore(factory);

    /** Two endpoints, three messages of two types; endpoint `a` succeeds, `b` fails and waits for a retry. */
    async function workload() {
      const app = await createApp(store());
      const a = await createEndpoint(store(), app.id, { url: 'https://a.example.com/' });
      const b = await createEndpoint(store(), app.id, { url: 'https://b.example.com/' });
      await store().publish(app.id, newMessage({ eventType: 'invoice.paid' }), T0);
      await store().publish(app.id, newMessage({ eventType: 'invoice.voided' }), T0 + 1);
      const claimed = await claimAll(store(), T0 + 10);
      expect(claimed).toHaveLength(4);
      await store().recordAttempts(
        claimed.map((item, index) =>
          item.endpoint.id === a.id
            ? succeeded(item, T0 + 20 + index)
            : failed(item, T0 + 20 + index, { status: 'pending', nextAttemptAt: T0 + 10_000 }),
        ),
      );
      return { app, a, b };
    }

    it('listRecentAttempts returns the newest attempts oldest first, with their event type', async () => {
      const { app } = await workload();
      const all = await store().listRecentAttempts(app.id, { limit: 10 });
      expect(all).toHaveLength(4);
      expect(all.map((attempt) => attempt.createdAt)).toEqual([T0 + 20, T0 + 21, T0 + 22, T0 + 23]);
      expect(new Set(all.map((attempt) => attempt.eventType))).toEqual(new Set(['invoice.paid', 'invoice.voided']));

      const newestTwo = await store().listRecentAttempts(app.id, { limit: 2 });
      expect(newestTwo.map((attempt) => attempt.id)).toEqual(all.slice(2).map((attempt) => attempt.id));
    });

    it('listRecentAttempts filters by endpoint, outcome, event type and time', async () => {
      const { app, a, b } = await workload();
      const ofA = await store().listRecentAttempts(app.id, { endpointId: a.id, limit: 10 });
      expect(ofA.map((attempt) => attempt.outcome)).toEqual(['succeeded', 'succeeded']);
      const failures = await store().listRecentAttempts(app.id, { outcome: 'failed', limit: 10 });
      expect(failures.every((attempt) => attempt.endpointId === b.id)).toBe(true);
      expect(failures).toHaveLength(2);
      const voided = await store().listRecentAttempts(app.id, { eventType: 'invoice.voided', limit: 10 });
      expect(voided).toHaveLength(2);
      expect(voided.every((attempt) => attempt.eventType === 'invoice.voided')).toBe(true);
      const late = await store().listRecentAttempts(app.id, { since: T0 + 22, limit: 10 });
      expect(late.map((attempt) => attempt.createdAt)).toEqual([T0 + 22, T0 + 23]);
      const other = await createApp(store(), 'other');
      expect(await store().listRecentAttempts(other.id, { limit: 10 })).toEqual([]);
    });

    it('listRecentAttempts after a cursor pages forward through new attempts and then finds none', async () => {
      const { app } = await workload();
      const first = await store().listRecentAttempts(app.id, { afterId: 'atmpt_0', limit: 3 });
      expect(first).toHaveLength(3);
      const rest = await store().listRecentAttempts(app.id, { afterId: first[2]?.id ?? null, limit: 3 });
      expect(rest).toHaveLength(1);
      expect(await store().listRecentAttempts(app.id, { afterId: rest[0]?.id ?? null, limit: 3 })).toEqual([]);
      const all = await store().listRecentAttempts(app.id, { limit: 10 });
      expect([...first, ...rest].map((attempt) => attempt.id)).toEqual(all.map((attempt) => attempt.id));
    });

    it('recordAttempts keeps the request headers sent, and null when none were given', async () => {
      const app = await createApp(store());
      await createEndpoint(store(), app.id);
      const { message } = await store().publish(app.id, newMessage(), T0);
      const headers = { 'webhook-id': message.id, 'webhook-signature': 'v1,abc=', 'content-type': 'application/json' };
      const first = single(await claimAll(store(), T0));
      await store().recordAttempts([
        failed(first, T0 + 1, { status: 'pending', nextAttemptAt: T0 + 2 }, { requestHeaders: headers }),
      ]);
      await store().recordAttempts([succeeded(single(await claimAll(store(), T0 + 2)), T0 + 3)]);
      const attempts = (await store().listAttemptsForMessage(app.id, message.id, { limit: 10 })).data;
      expect(attempts.map((attempt) => attempt.requestHeaders)).toEqual([null, headers]);
      const recent = await store().listRecentAttempts(app.id, { limit: 10 });
      expect(recent.map((attempt) => attempt.requestHeaders)).toEqual([headers, null]);
    });

    it('countDeliveriesByStatus counts every status, zero included', async () => {
      expect(await store().countDeliveriesByStatus()).toEqual({
        pending: 0,
        sending: 0,
        succeeded: 0,
        dead: 0,
        paused: 0,
      });
      await workload();
      expect(await store().countDeliveriesByStatus()).toEqual({
        pending: 2,
        sending: 0,
        succeeded: 2,
        dead: 0,
        paused: 0,
      });
    });

    it('oldestPendingDeliveryAt is the creation time of the oldest pending delivery, null when none', async () => {
      expect(await store().oldestPendingDeliveryAt()).toBeNull();
      const app = await createApp(store());
      await createEndpoint(store(), app.id);
      await store().publish(app.id, newMessage(), T0 + 5);
      await store().publish(app.id, newMessage(), T0 + 9);
      expect(await store().oldestPendingDeliveryAt()).toBe(T0 + 5);
      const claimed = await claimAll(store(), T0 + 10);
      await store().recordAttempts(claimed.map((item) => succeeded(item, T0 + 11)));
      expect(await store().oldestPendingDeliveryAt()).toBeNull();
      await store().publish(app.id, newMessage(), T0 + 12);
      single(await claimAll(store(), T0 + 13));
      // A delivery being sent is not waiting.
      expect(await store().oldestPendingDeliveryAt()).toBeNull();
    });
  });
}
