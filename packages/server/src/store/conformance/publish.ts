// Publish: the message and its fan-out land together, once, in one transaction.
import { describe, expect, it } from 'vitest';
import { DuplicateEventIdError } from '../errors.js';
import {
  claimAll,
  createApp,
  createEndpoint,
  ids,
  newMessage,
  type StoreFactory,
  single,
  sorted,
  T0,
  useStore,
} from './fixtures.js';

export function describePublish(factory: StoreFactory): void {
  describe('publish', () => {
    const store = useStore(factory);

    async function receivers(appId: string, message: Parameters<typeof newMessage>[0], now: number) {
      const result = await store().publish(appId, newMessage(message), now);
      const claimed = await claimAll(store(), now);
      return { result, endpointIds: sorted(claimed.map((item) => item.endpoint.id)) };
    }

    it('holds the deliveries of a message with deliverAt until that time, and keeps deliverAt on the message', async () => {
      const app = await createApp(store());
      await createEndpoint(store(), app.id, { url: 'https://a.example.com/hook' });
      await createEndpoint(store(), app.id, { url: 'https://b.example.com/hook' });
      const result = await store().publish(app.id, newMessage({ deliverAt: T0 + 60_000 }), T0);
      expect(result.deliveries).toBe(2);
      expect(result.message.deliverAt).toBe(T0 + 60_000);
      expect((await store().getMessage(app.id, result.message.id))?.deliverAt).toBe(T0 + 60_000);
      expect(await store().nextDueAt()).toBe(T0 + 60_000);
      expect(await claimAll(store(), T0 + 59_999)).toEqual([]);
      const claimed = await claimAll(store(), T0 + 60_000);
      expect(claimed).toHaveLength(2);
      for (const item of claimed) expect(item.message.deliverAt).toBe(T0 + 60_000);
    });

    it('delivers a message at once when deliverAt is absent, null or already past', async () => {
      const app = await createApp(store());
      await createEndpoint(store(), app.id);
      const plain = await store().publish(app.id, newMessage(), T0);
      expect(plain.message.deliverAt).toBeNull();
      await store().publish(app.id, newMessage({ deliverAt: null }), T0);
      await store().publish(app.id, newMessage({ deliverAt: T0 - 5_000 }), T0);
      expect(await claimAll(store(), T0)).toHaveLength(3);
    });

    it('stores the message and one due delivery per matching enabled endpoint', async () => {
      const app = await createApp(store());
      const a = await createEndpoint(store(), app.id, { url: 'https://a.example.com/hook' });
      const b = await createEndpoint(store(), app.id, { url: 'https://b.example.com/hook' });
      const result = await store().publish(app.id, newMessage({ eventId: 'evt_1', channels: ['eu'] }), T0);

      expect(result.deliveries).toBe(2);
      expect(result.message).toMatchObject({
        appId: app.id,
        eventType: 'invoice.paid',
        eventId: 'evt_1',
        payload: '{"invoice":"in_1","amount":4200}',
        channels: ['eu'],
        createdAt: T0,
      });
      expect(await store().getMessage(app.id, result.message.id)).toEqual(result.message);
      expect(await store().getMessage(app.id, 'evt_1')).toEqual(result.message);
      expect(await store().countDeliveries({ appId: app.id, status: 'pending' })).toBe(2);

      const claimed = await claimAll(store(), T0);
      expect(sorted(claimed.map((item) => item.endpoint.id))).toEqual(sorted([a.id, b.id]));
      for (const item of claimed) expect(item.message).toEqual(result.message);
    });

    it('gives an endpoint with an event-type filter only those types, and one without (null or empty) all', async () => {
      const app = await createApp(store());
      const all = await createEndpoint(store(), app.id, { eventTypes: null });
      const empty = await createEndpoint(store(), app.id, { eventTypes: [] });
      const invoices = await createEndpoint(store(), app.id, { eventTypes: ['invoice.paid', 'invoice.voided'] });
      await createEndpoint(store(), app.id, { eventTypes: ['user.created'] });

      const { result, endpointIds } = await receivers(app.id, { eventType: 'invoice.paid' }, T0);
      expect(result.deliveries).toBe(3);
      expect(endpointIds).toEqual(sorted([all.id, empty.id, invoices.id]));
    });

    it('gives an endpoint with channels only messages carrying one of them, and one without channels all', async () => {
      const app = await createApp(store());
      const anyChannel = await createEndpoint(store(), app.id, { channels: null });
      const eu = await createEndpoint(store(), app.id, { channels: ['eu'] });
      await createEndpoint(store(), app.id, { channels: ['us'] });
      const euOrApac = await createEndpoint(store(), app.id, { channels: ['apac', 'eu'] });

      const toEu = await receivers(app.id, { channels: ['eu', 'fr'] }, T0);
      expect(toEu.endpointIds).toEqual(sorted([anyChannel.id, eu.id, euOrApac.id]));

      const noChannels = await receivers(app.id, { channels: null }, T0 + 1);
      expect(noChannels.endpointIds).toEqual([anyChannel.id]);

      const elsewhere = await receivers(app.id, { channels: ['latam'] }, T0 + 2);
      expect(elsewhere.endpointIds).toEqual([anyChannel.id]);
    });

    it('applies the event-type filter and the channels together', async () => {
      const app = await createApp(store());
      const both = await createEndpoint(store(), app.id, { eventTypes: ['invoice.paid'], channels: ['eu'] });
      await createEndpoint(store(), app.id, { eventTypes: ['user.created'], channels: ['eu'] });
      await createEndpoint(store(), app.id, { eventTypes: ['invoice.paid'], channels: ['us'] });

      const { endpointIds } = await receivers(app.id, { eventType: 'invoice.paid', channels: ['eu'] }, T0);
      expect(endpointIds).toEqual([both.id]);
    });

    it('gives a message for one endpoint (a test event) to that endpoint alone, whatever its filters', async () => {
      const app = await createApp(store());
      const other = await createApp(store(), 'other');
      const target = await createEndpoint(store(), app.id, { eventTypes: ['user.created'], channels: ['eu'] });
      await createEndpoint(store(), app.id);
      await createEndpoint(store(), app.id, { eventTypes: ['invoice.paid'] });
      const disabled = await createEndpoint(store(), app.id, { disabled: true });
      const elsewhere = await createEndpoint(store(), other.id);

      const { result, endpointIds } = await receivers(app.id, { onlyEndpointId: target.id }, T0);
      expect(result.deliveries).toBe(1);
      expect(endpointIds).toEqual([target.id]);
      // A disabled endpoint gets none, and an endpoint of another application is never reached through this one.
      expect((await receivers(app.id, { onlyEndpointId: disabled.id }, T0 + 1)).result.deliveries).toBe(0);
      expect((await receivers(app.id, { onlyEndpointId: elsewhere.id }, T0 + 2)).result.deliveries).toBe(0);
      // null is the ordinary fan-out.
      expect((await receivers(app.id, { onlyEndpointId: null }, T0 + 3)).result.deliveries).toBe(2);
    });

    it('gives disabled endpoints no delivery', async () => {
      const app = await createApp(store());
      const enabled = await createEndpoint(store(), app.id);
      await createEndpoint(store(), app.id, { disabled: true });
      const laterDisabled = await createEndpoint(store(), app.id);
      await store().setEndpointDisabled(laterDisabled.id, true, 'maintenance', T0);

      const { result, endpointIds } = await receivers(app.id, {}, T0);
      expect(result.deliveries).toBe(1);
      expect(endpointIds).toEqual([enabled.id]);
      expect(await store().countDeliveries({ appId: app.id })).toBe(1);
    });

    it('stores a message for an application without endpoints, with no deliveries', async () => {
      const app = await createApp(store());
      const result = await store().publish(app.id, newMessage(), T0);
      expect(result.deliveries).toBe(0);
      expect(await store().getMessage(app.id, result.message.id)).toEqual(result.message);
      expect(await store().countDeliveries({ appId: app.id })).toBe(0);
      expect(await store().nextDueAt()).toBeNull();
    });

    it('rejects a repeated eventId in the same application and writes nothing for it', async () => {
      const app = await createApp(store());
      await createEndpoint(store(), app.id);
      await createEndpoint(store(), app.id);
      const first = await store().publish(app.id, newMessage({ eventId: 'evt_42', payload: '{"n":1}' }), T0);

      const repeat = store().publish(
        app.id,
        newMessage({ eventId: 'evt_42', eventType: 'user.created', payload: '{"n":2}' }),
        T0 + 1,
      );
      await expect(repeat).rejects.toBeInstanceOf(DuplicateEventIdError);
      await expect(repeat).rejects.toMatchObject({ code: 'HOOKLINE_DUPLICATE_EVENT_ID', eventId: 'evt_42' });

      expect(await store().getMessage(app.id, 'evt_42')).toEqual(first.message);
      expect(await store().countDeliveries({ appId: app.id })).toBe(2);
      const claimed = await claimAll(store(), T0 + 1);
      expect(claimed).toHaveLength(2);
      for (const item of claimed) expect(item.message.id).toBe(first.message.id);
    });

    it('accepts exactly one of two concurrent publishes with the same eventId', async () => {
      const app = await createApp(store());
      await createEndpoint(store(), app.id);
      const outcomes = await Promise.allSettled([
        store().publish(app.id, newMessage({ eventId: 'evt_race', payload: '{"n":1}' }), T0),
        store().publish(app.id, newMessage({ eventId: 'evt_race', payload: '{"n":2}' }), T0),
      ]);
      const accepted = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      const rejected = outcomes.filter((outcome) => outcome.status === 'rejected');
      expect(accepted).toHaveLength(1);
      expect(single(rejected).reason).toBeInstanceOf(DuplicateEventIdError);
      expect(await store().countDeliveries({ appId: app.id })).toBe(1);
    });

    it('accepts the same eventId in another application', async () => {
      const appA = await createApp(store(), 'a');
      const appB = await createApp(store(), 'b');
      await createEndpoint(store(), appB.id);
      const inA = await store().publish(appA.id, newMessage({ eventId: 'evt_shared' }), T0);
      const inB = await store().publish(appB.id, newMessage({ eventId: 'evt_shared' }), T0);

      expect(inB.deliveries).toBe(1);
      expect(inB.message.id).not.toBe(inA.message.id);
      expect(await store().getMessage(appA.id, 'evt_shared')).toEqual(inA.message);
      expect(await store().getMessage(appB.id, 'evt_shared')).toEqual(inB.message);
    });

    it('publishes without an eventId as often as asked', async () => {
      const app = await createApp(store());
      const first = await store().publish(app.id, newMessage(), T0);
      const second = await store().publish(app.id, newMessage(), T0);
      expect(first.message.eventId).toBeNull();
      expect(second.message.id).not.toBe(first.message.id);
    });

    it('lands 200 concurrent publishes, each exactly once with its own deliveries', async () => {
      const app = await createApp(store());
      const a = await createEndpoint(store(), app.id);
      const b = await createEndpoint(store(), app.id);
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          store().publish(app.id, newMessage({ eventId: `evt_${i}`, payload: `{"n":${i}}` }), T0),
        ),
      );

      expect(new Set(results.map((result) => result.message.id)).size).toBe(200);
      for (const [i, result] of results.entries()) {
        expect(result.deliveries).toBe(2);
        expect(result.message.payload).toBe(`{"n":${i}}`);
        expect(await store().getMessage(app.id, `evt_${i}`)).toEqual(result.message);
      }
      expect(await store().countDeliveries({ appId: app.id })).toBe(400);

      const claimed = await claimAll(store(), T0);
      const pairs = claimed.map((item) => `${item.message.id}|${item.endpoint.id}`);
      expect(new Set(pairs).size).toBe(400);
      expect(new Set(ids(claimed.map((item) => item.delivery))).size).toBe(400);
      expect(new Set(claimed.map((item) => item.endpoint.id))).toEqual(new Set([a.id, b.id]));
    });
  });
}
