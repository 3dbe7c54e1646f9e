// Replay from the dead-letter view: resend one delivery, or recover an endpoint's dead letters in a time window.
import { describe, expect, it } from 'vitest';
import {
  claimAll,
  createApp,
  createEndpoint,
  failed,
  killAllDue,
  newMessage,
  type StoreFactory,
  single,
  sorted,
  succeeded,
  T0,
  useStore,
} from './fixtures.js';

export function describeReplay(factory: StoreFactory): void {
  describe('resend and recoverEndpoint', () => {
    const store = useStore(factory);

    async function deadLetter() {
      const app = await createApp(store());
      const endpoint = await createEndpoint(store(), app.id);
      const { message } = await store().publish(app.id, newMessage(), T0);
      const dead = single(await killAllDue(store(), T0));
      return { app, endpoint, message, dead };
    }

    it('resend of a dead delivery queues a manual attempt, due at once', async () => {
      const { app, endpoint, message, dead } = await deadLetter();
      expect(await store().resend(app.id, message.id, endpoint.id, T0 + 100)).toBe(true);

      expect((await store().listDeadDeliveries(app.id, null, { limit: 10 })).data).toEqual([]);
      expect(await store().nextDueAt()).toBe(T0 + 100);
      const manual = single(await claimAll(store(), T0 + 100));
      expect(manual.trigger).toBe('manual');
      expect(manual.delivery.id).toBe(dead.delivery.id);

      await store().recordAttempts([succeeded(manual, T0 + 150)]);
      const attempts = (await store().listAttemptsForMessage(app.id, message.id, { limit: 10 })).data;
      expect(attempts.map((attempt) => attempt.trigger)).toEqual(['manual', 'scheduled']);
    });

    it('resend of a succeeded delivery queues a manual attempt', async () => {
      const app = await createApp(store());
      const endpoint = await createEndpoint(store(), app.id);
      const { message } = await store().publish(app.id, newMessage(), T0);
      await store().recordAttempts([succeeded(single(await claimAll(store(), T0)), T0 + 1)]);

      expect(await store().resend(app.id, message.id, endpoint.id, T0 + 2)).toBe(true);
      expect(single(await claimAll(store(), T0 + 2)).trigger).toBe('manual');
    });

    it('after a manual attempt fails, its retries are scheduled ones', async () => {
      const { app, endpoint, message } = await deadLetter();
      await store().resend(app.id, message.id, endpoint.id, T0 + 100);
      const manual = single(await claimAll(store(), T0 + 100));
      await store().recordAttempts([failed(manual, T0 + 101, { status: 'pending', nextAttemptAt: T0 + 200 })]);
      expect(single(await claimAll(store(), T0 + 200)).trigger).toBe('scheduled');
    });

    it('resend leaves a delivery in flight alone', async () => {
      const app = await createApp(store());
      const endpoint = await createEndpoint(store(), app.id);
      const { message } = await store().publish(app.id, newMessage(), T0);
      const sending = single(await claimAll(store(), T0));

      await store().resend(app.id, message.id, endpoint.id, T0 + 1);
      expect(await claimAll(store(), T0 + 1)).toEqual([]);
      await store().recordAttempts([succeeded(sending, T0 + 2)]);
      expect(await store().countDeliveries({ status: 'succeeded' })).toBe(1);
    });

    it('resend of an unknown message or endpoint returns false', async () => {
      const { app, endpoint, message } = await deadLetter();
      const other = await createEndpoint(store(), app.id, { url: 'https://other.example.com/hook' });
      expect(await store().resend(app.id, 'msg_unknown', endpoint.id, T0 + 1)).toBe(false);
      expect(await store().resend(app.id, message.id, 'ep_unknown', T0 + 1)).toBe(false);
      // The endpoint exists but had no delivery of this message (created after the publish).
      expect(await store().resend(app.id, message.id, other.id, T0 + 1)).toBe(false);
      expect(await store().countDeliveries({ status: 'dead' })).toBe(1);
    });

    it('recoverEndpoint recovers only the endpoint dead deliveries created in [since, until), and counts them', async () => {
      const app = await createApp(store());
      const endpoint = await createEndpoint(store(), app.id);
      const other = await createEndpoint(store(), app.id, { url: 'https://other.example.com/hook' });
      const publishedAt = [T0, T0 + 10, T0 + 19, T0 + 20, T0 + 30];
      const messages = [];
      for (const at of publishedAt) messages.push((await store().publish(app.id, newMessage(), at)).message);
      // Dead letters everywhere, except one delivery in the window that succeeded.
      const claimed = await claimAll(store(), T0 + 40);
      const inWindowSucceeded = claimed.find(
        (item) => item.endpoint.id === endpoint.id && item.message.createdAt === T0 + 19,
      );
      if (inWindowSucceeded === undefined) throw new Error('expected the T0+19 delivery');
      await store().recordAttempts(
        claimed.map((item) =>
          item === inWindowSucceeded ? succeeded(item, T0 + 41) : failed(item, T0 + 41, { status: 'dead' }),
        ),
      );

      expect(await store().recoverEndpoint(app.id, endpoint.id, T0 + 10, T0 + 20, T0 + 50)).toBe(1);

      const recovered = single(await claimAll(store(), T0 + 50));
      expect(recovered).toMatchObject({ trigger: 'manual', endpoint: { id: endpoint.id } });
      expect(recovered.message.createdAt).toBe(T0 + 10);
      expect((await store().listDeadDeliveries(app.id, endpoint.id, { limit: 10 })).data).toHaveLength(3);
      expect((await store().listDeadDeliveries(app.id, other.id, { limit: 10 })).data).toHaveLength(5);
      expect(await store().countDeliveries({ status: 'succeeded' })).toBe(1);
    });

    it('recoverEndpoint of a window with no dead letters returns 0', async () => {
      const { app, endpoint } = await deadLetter();
      expect(await store().recoverEndpoint(app.id, endpoint.id, T0 + 1, T0 + 1000, T0 + 2000)).toBe(0);
      expect(await store().recoverEndpoint(app.id, 'ep_unknown', T0 - 1000, T0 + 1000, T0 + 2000)).toBe(0);
      expect(await claimAll(store(), T0 + 2000)).toEqual([]);
    });

    it('recoverEndpoint recovers every dead letter of the window, across messages', async () => {
      const app = await createApp(store());
      const endpoint = await createEndpoint(store(), app.id);
      for (let i = 0; i < 25; i++) await store().publish(app.id, newMessage(), T0 + i);
      await killAllDue(store(), T0 + 100);

      expect(await store().recoverEndpoint(app.id, endpoint.id, T0, T0 + 100, T0 + 200)).toBe(25);
      const recovered = await claimAll(store(), T0 + 200);
      expect(recovered).toHaveLength(25);
      expect(new Set(recovered.map((item) => item.trigger))).toEqual(new Set(['manual']));
      expect(sorted(recovered.map((item) => item.message.id))).toHaveLength(25);
    });
  });
}
