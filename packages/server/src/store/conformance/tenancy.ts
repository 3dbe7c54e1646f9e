// Tenancy: every application-scoped call sees only that application's rows, whatever ids it is handed.
import { describe, expect, it } from 'vitest';
import { DuplicateUidError } from '../errors.js';
import {
  claimAll,
  createApp,
  createEndpoint,
  killAllDue,
  newMessage,
  type StoreFactory,
  single,
  T0,
  useStore,
} from './fixtures.js';

export function describeTenancy(factory: StoreFactory): void {
  describe('tenancy', () => {
    const store = useStore(factory);

    /** Application A with an endpoint, a message (eventId evt_1) and a dead letter; application B empty. */
    async function twoApps() {
      const appA = await createApp(store(), 'a');
      const appB = await createApp(store(), 'b');
      const endpointA = await createEndpoint(store(), appA.id, { uid: 'orders' });
      const { message: messageA } = await store().publish(appA.id, newMessage({ eventId: 'evt_1' }), T0);
      await killAllDue(store(), T0);
      return { appA, appB, endpointA, messageA };
    }

    it('getEndpoint does not find another application endpoint, by id or uid', async () => {
      const { appA, appB, endpointA } = await twoApps();
      expect(await store().getEndpoint(appB.id, endpointA.id)).toBeNull();
      expect(await store().getEndpoint(appB.id, 'orders')).toBeNull();
      expect((await store().getEndpoint(appA.id, 'orders'))?.id).toBe(endpointA.id);
    });

    it('getMessage does not find another application message, by id or eventId', async () => {
      const { appB, messageA } = await twoApps();
      expect(await store().getMessage(appB.id, messageA.id)).toBeNull();
      expect(await store().getMessage(appB.id, 'evt_1')).toBeNull();
    });

    it('lists show only the application own endpoints, attempts and dead letters', async () => {
      const { appA, appB, endpointA, messageA } = await twoApps();
      expect((await store().listEndpoints(appB.id, { limit: 10 })).data).toEqual([]);
      expect((await store().listAttemptsForMessage(appB.id, messageA.id, { limit: 10 })).data).toEqual([]);
      expect((await store().listDeadDeliveries(appB.id, null, { limit: 10 })).data).toEqual([]);
      expect((await store().listDeadDeliveries(appB.id, endpointA.id, { limit: 10 })).data).toEqual([]);

      expect((await store().listAttemptsForMessage(appA.id, messageA.id, { limit: 10 })).data).toHaveLength(1);
      expect((await store().listDeadDeliveries(appA.id, endpointA.id, { limit: 10 })).data).toHaveLength(1);
      expect((await store().listMessages(appB.id, { limit: 10 })).data).toEqual([]);
      expect((await store().listAttemptsForEndpoint(appB.id, endpointA.id, { limit: 10 })).data).toEqual([]);
      expect((await store().listMessages(appA.id, { limit: 10 })).data).toHaveLength(1);
      expect((await store().listAttemptsForEndpoint(appA.id, endpointA.id, { limit: 10 })).data).toHaveLength(1);
      expect(await store().countDeliveries({ appId: appB.id })).toBe(0);
      expect(await store().countDeliveries({ appId: appA.id })).toBe(1);
    });

    it('resend and recoverEndpoint through another application do nothing', async () => {
      const { appA, appB, endpointA, messageA } = await twoApps();
      expect(await store().resend(appB.id, messageA.id, endpointA.id, T0 + 1)).toBe(false);
      expect(await store().recoverEndpoint(appB.id, endpointA.id, T0 - 1000, T0 + 1000, T0 + 1)).toBe(0);
      expect(await claimAll(store(), T0 + 1)).toEqual([]);
      expect(await store().countDeliveries({ appId: appA.id, status: 'dead' })).toBe(1);
    });

    it('updateEndpoint and deleteEndpoint through another application do nothing', async () => {
      const { appA, appB, endpointA } = await twoApps();
      expect(
        await store().updateEndpoint(appB.id, endpointA.id, { url: 'https://evil.example.com' }, T0 + 1),
      ).toBeNull();
      expect(await store().updateEndpoint(appB.id, endpointA.id, { disabled: true }, T0 + 1)).toBeNull();
      expect(await store().deleteEndpoint(appB.id, endpointA.id)).toBe(false);
      expect(await store().getEndpoint(appA.id, endpointA.id)).toMatchObject({
        url: endpointA.url,
        disabled: false,
      });
    });

    it('publishing in one application never fans out to another application endpoints', async () => {
      const { appB } = await twoApps();
      const endpointB = await createEndpoint(store(), appB.id);
      const published = await store().publish(appB.id, newMessage(), T0 + 5);
      expect(published.deliveries).toBe(1);
      expect(single(await claimAll(store(), T0 + 5)).endpoint.id).toBe(endpointB.id);
    });

    it('an endpoint uid is unique per application; the same uid in another application is its own', async () => {
      const { appA, appB, endpointA } = await twoApps();
      const endpointB = await createEndpoint(store(), appB.id, { uid: 'orders' });
      expect(endpointB.id).not.toBe(endpointA.id);
      expect((await store().getEndpoint(appB.id, 'orders'))?.id).toBe(endpointB.id);
      expect((await store().getEndpoint(appA.id, 'orders'))?.id).toBe(endpointA.id);

      const repeat = createEndpoint(store(), appA.id, { uid: 'orders' });
      await expect(repeat).rejects.toBeInstanceOf(DuplicateUidError);
      await expect(repeat).rejects.toMatchObject({ code: 'HOOKLINE_DUPLICATE_UID', uid: 'orders' });
      expect((await store().listEndpoints(appA.id, { limit: 10 })).data).toHaveLength(1);
    });

    it('updateEndpoint to a uid taken in the same application is rejected with DuplicateUidError', async () => {
      const { appA, endpointA } = await twoApps();
      const second = await createEndpoint(store(), appA.id, { uid: 'billing' });
      await expect(store().updateEndpoint(appA.id, second.id, { uid: 'orders' }, T0 + 1)).rejects.toBeInstanceOf(
        DuplicateUidError,
      );
      expect((await store().getEndpoint(appA.id, 'orders'))?.id).toBe(endpointA.id);
      expect((await store().getEndpoint(appA.id, 'billing'))?.id).toBe(second.id);
    });

    it('an application uid is unique, and finds its application', async () => {
      const app = await createApp(store(), 'acme', T0, 'acme-prod');
      expect((await store().getApplication('acme-prod'))?.id).toBe(app.id);
      expect(await store().getApplication(app.id)).toEqual(app);
      expect(await store().getApplication('unknown')).toBeNull();

      const repeat = createApp(store(), 'other', T0 + 1, 'acme-prod');
      await expect(repeat).rejects.toBeInstanceOf(DuplicateUidError);
      await expect(repeat).rejects.toMatchObject({ code: 'HOOKLINE_DUPLICATE_UID', uid: 'acme-prod' });
      expect((await store().listApplications({ limit: 10 })).data).toEqual([app]);
    });

    it('applications and endpoints without a uid do not collide', async () => {
      const first = await createApp(store(), 'one');
      const second = await createApp(store(), 'two');
      expect(first.uid).toBeNull();
      expect(second.uid).toBeNull();
      await createEndpoint(store(), first.id);
      await createEndpoint(store(), first.id);
      expect((await store().listEndpoints(first.id, { limit: 10 })).data).toHaveLength(2);
    });
  });
}
