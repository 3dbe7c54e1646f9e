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

    it('countQueuedDeliveries counts every status not delivered, zero included', async () => {
      expect(await store().countQueuedDeliveries()).toEqual({ pending: 0, sending: 0, dead: 0, paused: 0 });
      await workload();
      expect(await store().countQueuedDeliveries()).toEqual({ pending: 2, sending: 0, dead: 0, paused: 0 });
    });

    it('countQueuedDeliveries counts sending, dead and paused deliveries in their own status', async () => {
      const app = await createApp(store());
      const endpoint = await createEndpoint(store(), app.id);
      const parked = await createEndpoint(store(), app.id);
      for (let n = 0; n < 3; n++) await store().publish(app.id, newMessage(), T0 + n);
      await store().setEndpointDisabled(parked.id, true, 'maintenance', T0 + 3);
      const ofEndpoint = (await claimAll(store(), T0 + 4)).filter((item) => item.endpoint.id === endpoint.id);
      expect(ofEndpoint).toHaveLength(3);
      const [dying, ...sending] = ofEndpoint;
      if (dying === undefined) throw new Error('no claim');
      await store().recordAttempts([failed(dying, T0 + 5, { status: 'dead' })]);
      expect(sending).toHaveLength(2);
      expect(await store().countQueuedDeliveries()).toEqual({ pending: 0, sending: 2, dead: 1, paused: 3 });
    });

    it('oldestDueDeliveryAt is when the longest-waiting due delivery became due, null when none is due', async () => {
      expect(await store().oldestDueDeliveryAt(T0)).toBeNull();
      const app = await createApp(store());
      await createEndpoint(store(), app.id);
      await store().publish(app.id, newMessage(), T0 + 5);
      await store().publish(app.id, newMessage(), T0 + 9);
      expect(await store().oldestDueDeliveryAt(T0 + 10)).toBe(T0 + 5);
      // Not due yet at T0 + 4: nothing is late.
      expect(await store().oldestDueDeliveryAt(T0 + 4)).toBeNull();
      const claimed = await claimAll(store(), T0 + 10);
      await store().recordAttempts(claimed.map((item) => succeeded(item, T0 + 11)));
      expect(await store().oldestDueDeliveryAt(T0 + 12)).toBeNull();
      await store().publish(app.id, newMessage(), T0 + 12);
      const sent = single(await claimAll(store(), T0 + 13));
      // A delivery being sent is not waiting.
      expect(await store().oldestDueDeliveryAt(T0 + 14)).toBeNull();
      // A retry waits for its time, and is late only after it.
      await store().recordAttempts([failed(sent, T0 + 14, { status: 'pending', nextAttemptAt: T0 + 100 })]);
      expect(await store().oldestDueDeliveryAt(T0 + 50)).toBeNull();
      expect(await store().oldestDueDeliveryAt(T0 + 150)).toBe(T0 + 100);
    });

    it('oldestDueDeliveryAt looks at every application', async () => {
      for (const [name, due] of [
        ['first', T0 + 40],
        ['middle', T0 + 20],
        ['last', T0 + 30],
      ] as const) {
        const app = await createApp(store(), name);
        await createEndpoint(store(), app.id);
        await store().publish(app.id, newMessage(), due);
      }
      expect(await store().oldestDueDeliveryAt(T0 + 10)).toBeNull();
      expect(await store().oldestDueDeliveryAt(T0 + 25)).toBe(T0 + 20);
      expect(await store().oldestDueDeliveryAt(T0 + 50)).toBe(T0 + 20);
    });
  });
}
