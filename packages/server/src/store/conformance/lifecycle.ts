// Records created, read back and deleted; migrations and settings.
import { describe, expect, it } from 'vitest';
import {
  claimAll,
  createApp,
  createEndpoint,
  failed,
  newMessage,
  type StoreFactory,
  single,
  T0,
  useStore,
} from './fixtures.js';

export function describeLifecycle(factory: StoreFactory): void {
  describe('records and lifecycle', () => {
    const store = useStore(factory);

    it('reads back an application and an endpoint as created', async () => {
      const app = await store().createApplication(
        { name: 'acme', uid: 'acme', rateLimit: 50, metadata: { team: 'a' } },
        T0,
      );
      expect(app).toMatchObject({ name: 'acme', uid: 'acme', rateLimit: 50, metadata: { team: 'a' }, createdAt: T0 });
      expect(await store().getApplication(app.id)).toEqual(app);

      const endpoint = await store().createEndpoint(
        app.id,
        {
          uid: 'orders',
          url: 'https://receiver.example.com/orders',
          description: 'orders',
          eventTypes: ['invoice.paid'],
          channels: ['eu'],
          throttleRate: 10,
          headerPrefix: 'svix',
          retrySchedule: [5, 60],
          nonRetryableStatuses: '4xx,!429',
          metadata: { owner: 'billing' },
          secret: 'whsec_x',
        },
        T0 + 1,
      );
      expect(endpoint).toMatchObject({
        appId: app.id,
        uid: 'orders',
        url: 'https://receiver.example.com/orders',
        description: 'orders',
        eventTypes: ['invoice.paid'],
        channels: ['eu'],
        disabled: false,
        disabledReason: null,
        throttleRate: 10,
        headerPrefix: 'svix',
        retrySchedule: [5, 60],
        nonRetryableStatuses: '4xx,!429',
        metadata: { owner: 'billing' },
        failingSince: null,
        createdAt: T0 + 1,
      });
      expect(await store().getEndpoint(app.id, endpoint.id)).toEqual(endpoint);
    });

    it('updateEndpoint changes only the fields in the patch', async () => {
      const app = await createApp(store());
      const endpoint = await createEndpoint(store(), app.id, { eventTypes: ['invoice.paid'], description: 'before' });
      const updated = await store().updateEndpoint(
        app.id,
        endpoint.id,
        { url: 'https://new.example.com/hook' },
        T0 + 9,
      );
      const newUrl = 'https://new.example.com/hook';
      expect(updated).toEqual({ ...endpoint, url: newUrl, urlShown: newUrl, updatedAt: T0 + 9 });

      const cleared = await store().updateEndpoint(app.id, endpoint.id, { eventTypes: null }, T0 + 10);
      expect(cleared).toMatchObject({ eventTypes: null, description: 'before' });
    });

    it('a broker URL with a credential is read and claimed whole, and shown with *** (urlShown)', async () => {
      const app = await createApp(store());
      const url = 'redis://:s3cret@127.0.0.1:6379/0?stream=events';
      const endpoint = await createEndpoint(store(), app.id, { url });
      const shown = 'redis://:***@127.0.0.1:6379/0?stream=events';
      expect(endpoint).toMatchObject({ url, urlShown: shown });
      expect(await store().getEndpoint(app.id, endpoint.id)).toMatchObject({ url, urlShown: shown });
      expect((await store().listEndpoints(app.id, { limit: 10 })).data[0]).toMatchObject({ url, urlShown: shown });
      await store().publish(app.id, newMessage(), T0 + 1);
      expect((await claimAll(store(), T0 + 2))[0]?.endpoint).toMatchObject({ url, urlShown: shown });
    });

    it('deleteApplication removes its endpoints, messages, deliveries and attempts, and leaves others alone', async () => {
      const doomed = await createApp(store(), 'doomed');
      const kept = await createApp(store(), 'kept');
      const doomedEndpoint = await createEndpoint(store(), doomed.id);
      const keptEndpoint = await createEndpoint(store(), kept.id);
      const doomedMessage = (await store().publish(doomed.id, newMessage({ eventId: 'evt_1' }), T0)).message;
      const keptMessage = (await store().publish(kept.id, newMessage({ eventId: 'evt_1' }), T0)).message;
      const claimed = await claimAll(store(), T0);
      await store().recordAttempts(
        claimed.map((item) => failed(item, T0 + 1, { status: 'pending', nextAttemptAt: T0 + 2 })),
      );

      expect(await store().deleteApplication(doomed.id)).toBe(true);

      expect(await store().getApplication(doomed.id)).toBeNull();
      expect(await store().getEndpoint(doomed.id, doomedEndpoint.id)).toBeNull();
      expect(await store().getMessage(doomed.id, doomedMessage.id)).toBeNull();
      expect((await store().listEndpoints(doomed.id, { limit: 10 })).data).toEqual([]);
      expect((await store().listAttemptsForMessage(doomed.id, doomedMessage.id, { limit: 10 })).data).toEqual([]);
      expect(await store().countDeliveries({ appId: doomed.id })).toBe(0);
      expect(await store().activeSecrets(doomedEndpoint.id, T0)).toEqual([]);

      expect(await store().getApplication(kept.id)).toEqual(kept);
      expect(await store().getEndpoint(kept.id, keptEndpoint.id)).toEqual({ ...keptEndpoint, failingSince: T0 + 1 });
      expect(await store().getMessage(kept.id, 'evt_1')).toEqual(keptMessage);
      expect((await store().listAttemptsForMessage(kept.id, keptMessage.id, { limit: 10 })).data).toHaveLength(1);
      const remaining = single(await claimAll(store(), T0 + 2));
      expect(remaining.endpoint.id).toBe(keptEndpoint.id);
      expect(await store().countDeliveries({})).toBe(1);
    });

    it('deleteApplication of an unknown application returns false', async () => {
      expect(await store().deleteApplication('app_unknown')).toBe(false);
    });

    it('deleteEndpoint takes its deliveries out of the queue', async () => {
      const app = await createApp(store());
      const removed = await createEndpoint(store(), app.id);
      const kept = await createEndpoint(store(), app.id);
      await store().publish(app.id, newMessage(), T0);

      expect(await store().deleteEndpoint(app.id, removed.id)).toBe(true);
      expect(await store().getEndpoint(app.id, removed.id)).toBeNull();
      expect(single(await claimAll(store(), T0)).endpoint.id).toBe(kept.id);
      expect(await store().deleteEndpoint(app.id, removed.id)).toBe(false);
    });

    it('migrate run again keeps the data and the store working', async () => {
      const app = await createApp(store());
      await createEndpoint(store(), app.id);
      await store().publish(app.id, newMessage(), T0);

      await store().migrate();
      await store().migrate();

      expect(await store().getApplication(app.id)).toEqual(app);
      expect(await store().countDeliveries({ appId: app.id })).toBe(1);
      expect((await store().publish(app.id, newMessage(), T0 + 1)).deliveries).toBe(1);
    });

    it('setSettingIfAbsent sets a value only the first time', async () => {
      expect(await store().getSetting('instance.id')).toBeNull();
      expect(await store().setSettingIfAbsent('instance.id', 'first')).toBe(true);
      expect(await store().setSettingIfAbsent('instance.id', 'second')).toBe(false);
      expect(await store().getSetting('instance.id')).toBe('first');
    });

    it('setSettingIfAbsent called concurrently lets exactly one value win', async () => {
      const results = await Promise.all(
        ['a', 'b', 'c', 'd'].map((value) => store().setSettingIfAbsent('signing.key', value)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = ['a', 'b', 'c', 'd'][results.indexOf(true)];
      expect(await store().getSetting('signing.key')).toBe(winner);
    });
  });
}
