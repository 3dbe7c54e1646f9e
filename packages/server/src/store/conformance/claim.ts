// Over 300 lines on purpose: every claim case of the conformance suite, run on both stores, in one file.
// Claim, leases and nextDueAt: the delivery row is the queue item, handed to one worker at a time.
import { describe, expect, it } from 'vitest';
import {
  claimAll,
  claimOptions,
  createApp,
  createEndpoint,
  failed,
  ids,
  LEASE_MS,
  newMessage,
  SECRET,
  type StoreFactory,
  single,
  sorted,
  succeeded,
  T0,
  useStore,
} from './fixtures.js';

export function describeClaim(factory: StoreFactory): void {
  describe('claimDueDeliveries', () => {
    const store = useStore(factory);

    /** An application with `endpointCount` endpoints and `messageCount` messages published to all of them. */
    async function backlog(endpointCount: number, messageCount: number, now = T0) {
      const app = await createApp(store());
      const endpoints = [];
      for (let i = 0; i < endpointCount; i++) {
        endpoints.push(await createEndpoint(store(), app.id, { url: `https://e${i}.example.com/hook` }));
      }
      for (let i = 0; i < messageCount; i++) await store().publish(app.id, newMessage(), now);
      return { app, endpoints };
    }

    it('returns due deliveries with their message and endpoint, leased and sending', async () => {
      const app = await createApp(store());
      const endpoint = await createEndpoint(store(), app.id);
      const published = await store().publish(app.id, newMessage(), T0);

      const item = single(await store().claimDueDeliveries(claimOptions(T0 + 5, { leaseUntil: T0 + 5 + LEASE_MS })));
      expect(item.trigger).toBe('scheduled');
      expect(item.message).toEqual(published.message);
      expect(item.endpoint).toEqual(await store().getEndpoint(app.id, endpoint.id));
      expect(item.delivery).toMatchObject({
        messageId: published.message.id,
        endpointId: endpoint.id,
        appId: app.id,
        status: 'sending',
        attempts: 0,
        leaseUntil: T0 + 5 + LEASE_MS,
      });
      expect(await store().countDeliveries({ status: 'sending' })).toBe(1);
      expect(await store().countDeliveries({ status: 'pending' })).toBe(0);
    });

    it('returns each delivery with the secrets that sign at the claim time, so sending reads nothing more', async () => {
      const app = await createApp(store());
      const endpoint = await createEndpoint(store(), app.id, { secret: SECRET });
      const graceMs = 60_000;
      await store().rotateSecret(endpoint.id, 'whsec_second', graceMs, T0 + 1);
      await store().publish(app.id, newMessage(), T0 + 2);
      await store().publish(app.id, newMessage(), T0 + 2);

      const during = single(
        await store().claimDueDeliveries(claimOptions(T0 + 2, { limit: 1, leaseUntil: T0 + 10 * graceMs })),
      );
      expect(during.secrets).toEqual([
        { secret: 'whsec_second', expiresAt: null },
        { secret: SECRET, expiresAt: T0 + 1 + graceMs },
      ]);
      expect(during.secrets).toEqual(await store().activeSecrets(endpoint.id, T0 + 2));
      const after = single(await claimAll(store(), T0 + 1 + graceMs));
      expect(after.secrets).toEqual([{ secret: 'whsec_second', expiresAt: null }]);
    });

    it('does not return deliveries that are due later', async () => {
      const app = await createApp(store());
      await createEndpoint(store(), app.id);
      await store().publish(app.id, newMessage(), T0 + 1000);

      expect(await claimAll(store(), T0 + 999)).toEqual([]);
      expect(await claimAll(store(), T0 + 1000)).toHaveLength(1);
    });

    it('claims the longest-due deliveries first', async () => {
      const app = await createApp(store());
      await createEndpoint(store(), app.id);
      const first = await store().publish(app.id, newMessage(), T0);
      await store().publish(app.id, newMessage(), T0 + 10);
      await store().publish(app.id, newMessage(), T0 + 20);

      const item = single(await store().claimDueDeliveries(claimOptions(T0 + 30, { limit: 1 })));
      expect(item.message.id).toBe(first.message.id);
    });

    it('returns at most limit deliveries', async () => {
      await backlog(3, 10);
      expect(await store().claimDueDeliveries(claimOptions(T0, { limit: 7 }))).toHaveLength(7);
      expect(await store().claimDueDeliveries(claimOptions(T0, { limit: 100 }))).toHaveLength(23);
    });

    it('does not hand out a claimed delivery again while its lease runs', async () => {
      await backlog(1, 1);
      await claimAll(store(), T0);
      expect(await claimAll(store(), T0)).toEqual([]);
      expect(await claimAll(store(), T0 + LEASE_MS - 1)).toEqual([]);
    });

    it('never hands the same delivery to two parallel claims', async () => {
      await backlog(5, 40);
      const [first, second] = await Promise.all([
        store().claimDueDeliveries(claimOptions(T0, { limit: 60 })),
        store().claimDueDeliveries(claimOptions(T0, { limit: 60 })),
      ]);
      expect(first).toHaveLength(60);
      expect(second).toHaveLength(60);
      const claimedIds = [...ids(first.map((item) => item.delivery)), ...ids(second.map((item) => item.delivery))];
      expect(new Set(claimedIds).size).toBe(120);
      expect(await store().countDeliveries({ status: 'sending' })).toBe(120);
    });

    it('hands out every delivery exactly once across many parallel claims', async () => {
      await backlog(4, 50);
      const claims = await Promise.all(
        Array.from({ length: 12 }, () => store().claimDueDeliveries(claimOptions(T0, { limit: 25 }))),
      );
      const claimedIds = claims.flatMap((claim) => ids(claim.map((item) => item.delivery)));
      expect(claimedIds).toHaveLength(200);
      expect(new Set(claimedIds).size).toBe(200);
    });

    it('takes at most perEndpointLimit deliveries of one endpoint per claim', async () => {
      const { endpoints } = await backlog(2, 5);
      const claimed = await store().claimDueDeliveries(claimOptions(T0, { perEndpointLimit: 2 }));
      expect(claimed).toHaveLength(4);
      for (const endpoint of endpoints) {
        expect(claimed.filter((item) => item.endpoint.id === endpoint.id)).toHaveLength(2);
      }
    });

    it('takes no more than an endpoint cap allows, and nothing for a cap of 0', async () => {
      const { endpoints } = await backlog(3, 5);
      const [capped, closed, open] = endpoints.map((endpoint) => endpoint.id);
      const claimed = await store().claimDueDeliveries(
        claimOptions(T0, {
          perEndpointLimit: 3,
          endpointCaps: { [capped as string]: 1, [closed as string]: 0 },
        }),
      );
      const countFor = (endpointId: string | undefined) =>
        claimed.filter((item) => item.endpoint.id === endpointId).length;
      expect(countFor(capped)).toBe(1);
      expect(countFor(closed)).toBe(0);
      expect(countFor(open)).toBe(3);
    });

    it('skips excluded endpoints and leaves their deliveries pending', async () => {
      const { endpoints } = await backlog(3, 2);
      const [excludedA, excludedB, open] = ids(endpoints);
      const claimed = await store().claimDueDeliveries(
        claimOptions(T0, { excludeEndpointIds: [excludedA as string, excludedB as string] }),
      );
      expect(new Set(claimed.map((item) => item.endpoint.id))).toEqual(new Set([open]));
      expect(claimed).toHaveLength(2);
      expect(await store().countDeliveries({ status: 'pending' })).toBe(4);
    });

    it('makes a sending delivery claimable again once its lease has passed', async () => {
      await backlog(1, 1);
      const first = single(await store().claimDueDeliveries(claimOptions(T0, { leaseUntil: T0 + 1000 })));
      expect(await claimAll(store(), T0 + 999)).toEqual([]);

      const again = single(await store().claimDueDeliveries(claimOptions(T0 + 1001, { leaseUntil: T0 + 9000 })));
      expect(again.delivery.id).toBe(first.delivery.id);
      expect(again.delivery).toMatchObject({ status: 'sending', leaseUntil: T0 + 9000, attempts: 0 });
      expect(await claimAll(store(), T0 + 1002)).toEqual([]);
    });
  });

  describe('releaseLeases', () => {
    const store = useStore(factory);

    it('makes sending deliveries pending and due at once', async () => {
      const app = await createApp(store());
      await createEndpoint(store(), app.id);
      await store().publish(app.id, newMessage(), T0);
      await store().publish(app.id, newMessage(), T0);
      const claimed = await claimAll(store(), T0);

      await store().releaseLeases(ids(claimed.map((item) => item.delivery)), T0 + 5);
      expect(await store().countDeliveries({ status: 'pending' })).toBe(2);
      expect(await store().nextDueAt()).toBeLessThanOrEqual(T0 + 5);
      const again = await claimAll(store(), T0 + 5);
      expect(sorted(ids(again.map((item) => item.delivery)))).toEqual(
        sorted(ids(claimed.map((item) => item.delivery))),
      );
      for (const item of again) expect(item.delivery.attempts).toBe(0);
    });

    it('releases only the given deliveries', async () => {
      const app = await createApp(store());
      await createEndpoint(store(), app.id);
      await store().publish(app.id, newMessage(), T0);
      await store().publish(app.id, newMessage(), T0);
      const [released, kept] = await claimAll(store(), T0);
      if (released === undefined || kept === undefined) throw new Error('expected two claimed deliveries');

      await store().releaseLeases([released.delivery.id], T0 + 5);
      expect(single(await claimAll(store(), T0 + 5)).delivery.id).toBe(released.delivery.id);
      // The other lease is untouched: its result still counts.
      await store().recordAttempts([succeeded(kept, T0 + 6)]);
      expect(await store().countDeliveries({ status: 'succeeded' })).toBe(1);
    });

    it('leaves deliveries that are not sending alone', async () => {
      const app = await createApp(store());
      await createEndpoint(store(), app.id);
      await store().publish(app.id, newMessage(), T0);
      const item = single(await claimAll(store(), T0));
      await store().recordAttempts([succeeded(item, T0 + 1)]);

      await store().releaseLeases([item.delivery.id, 'dlv_unknown'], T0 + 2);
      expect(await store().countDeliveries({ status: 'succeeded' })).toBe(1);
      expect(await claimAll(store(), T0 + 2)).toEqual([]);
    });

    it('keeps a released manual attempt manual', async () => {
      const app = await createApp(store());
      const endpoint = await createEndpoint(store(), app.id);
      const published = await store().publish(app.id, newMessage(), T0);
      const item = single(await claimAll(store(), T0));
      await store().recordAttempts([failed(item, T0 + 1, { status: 'dead' })]);
      expect(await store().resend(app.id, published.message.id, endpoint.id, T0 + 2)).toBe(true);

      const manual = single(await claimAll(store(), T0 + 2));
      expect(manual.trigger).toBe('manual');
      await store().releaseLeases([manual.delivery.id], T0 + 3);
      expect(single(await claimAll(store(), T0 + 3)).trigger).toBe('manual');
    });
  });

  describe('extendLeases', () => {
    const store = useStore(factory);

    it('moves the leases still held to the new time, so results under it count', async () => {
      const app = await createApp(store());
      await createEndpoint(store(), app.id);
      await store().publish(app.id, newMessage(), T0);
      const item = single(await claimAll(store(), T0));

      const extendedUntil = T0 + 3 * LEASE_MS;
      expect(await store().extendLeases([item.delivery.id], T0 + LEASE_MS, extendedUntil)).toEqual([item.delivery.id]);
      // The old lease has passed, the new one has not: nobody may claim it.
      expect(await claimAll(store(), T0 + 2 * LEASE_MS)).toEqual([]);
      await store().recordAttempts([
        succeeded({ ...item, delivery: { ...item.delivery, leaseUntil: extendedUntil } }, T0 + 1),
      ]);
      expect(await store().countDeliveries({ status: 'succeeded' })).toBe(1);
    });

    it('leaves a lease taken back and claimed again, and a delivery no longer sending, alone', async () => {
      const app = await createApp(store());
      await createEndpoint(store(), app.id);
      await store().publish(app.id, newMessage(), T0);
      await store().publish(app.id, newMessage(), T0);
      const [lost, done] = await claimAll(store(), T0);
      if (lost === undefined || done === undefined) throw new Error('expected two claimed deliveries');
      await store().recordAttempts([succeeded(done, T0 + 1)]);
      await store().releaseLeases([lost.delivery.id], T0 + 2);
      const again = single(await claimAll(store(), T0 + 2));

      expect(
        await store().extendLeases(
          [lost.delivery.id, done.delivery.id, 'dlv_unknown'],
          T0 + LEASE_MS,
          T0 + 9 * LEASE_MS,
        ),
      ).toEqual([]);
      expect(again.delivery.leaseUntil).toBe(T0 + 2 + LEASE_MS);
      expect(await claimAll(store(), T0 + 3 + LEASE_MS)).toHaveLength(1);
    });
  });

  describe('nextDueAt', () => {
    const store = useStore(factory);

    it('is null when nothing is pending', async () => {
      expect(await store().nextDueAt()).toBeNull();
      const app = await createApp(store());
      await store().publish(app.id, newMessage(), T0);
      expect(await store().nextDueAt()).toBeNull();
    });

    it('is the earliest due time of the pending deliveries', async () => {
      const app = await createApp(store());
      await createEndpoint(store(), app.id);
      await store().publish(app.id, newMessage(), T0 + 500);
      await store().publish(app.id, newMessage(), T0 + 200);
      await store().publish(app.id, newMessage(), T0 + 900);
      expect(await store().nextDueAt()).toBe(T0 + 200);
    });

    it('is the earliest over every application, whichever holds it', async () => {
      // Applications in id order: the earliest due delivery in the middle one, none due in the last.
      for (const [name, due] of [
        ['first', T0 + 700],
        ['middle', T0 + 300],
        ['last', T0 + 800],
      ] as const) {
        const app = await createApp(store(), name);
        await createEndpoint(store(), app.id);
        await store().publish(app.id, newMessage(), due);
      }
      expect(await store().nextDueAt()).toBe(T0 + 300);
      await store().recordAttempts((await claimAll(store(), T0 + 300)).map((item) => succeeded(item, T0 + 301)));
      expect(await store().nextDueAt()).toBe(T0 + 700);
    });

    it('follows a retry time set by a failed attempt', async () => {
      const app = await createApp(store());
      await createEndpoint(store(), app.id);
      await store().publish(app.id, newMessage(), T0);
      const item = single(await claimAll(store(), T0));
      await store().recordAttempts([failed(item, T0 + 1, { status: 'pending', nextAttemptAt: T0 + 60_000 })]);
      expect(await store().nextDueAt()).toBe(T0 + 60_000);
    });

    it('is not before a running lease ends, so a worker does not wake for work it holds', async () => {
      const app = await createApp(store());
      await createEndpoint(store(), app.id);
      await store().publish(app.id, newMessage(), T0);
      await store().claimDueDeliveries(claimOptions(T0, { leaseUntil: T0 + LEASE_MS }));
      const due = await store().nextDueAt();
      if (due !== null) expect(due).toBeGreaterThanOrEqual(T0 + LEASE_MS);
    });

    it('ignores deliveries of a disabled endpoint', async () => {
      const app = await createApp(store());
      const endpoint = await createEndpoint(store(), app.id);
      await store().publish(app.id, newMessage(), T0);
      await store().setEndpointDisabled(endpoint.id, true, 'maintenance', T0 + 1);
      expect(await store().nextDueAt()).toBeNull();
    });
  });
}
