// Over 300 lines on purpose: every record case of the conformance suite, run on both stores, in one file.
// recordAttempts: one HTTP try becomes an attempt row and the delivery's next state, in one transaction; a result
// for a lease that was lost is dropped; a result can disable its endpoint, which parks the endpoint's queue.
import { describe, expect, it } from 'vitest';
import { newId } from '../../ids.js';
import {
  claimAll,
  claimOptions,
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

/** What recordAttempts answers when every result was written and no endpoint changed. */
const NOTHING_CHANGED = { staleDeliveryIds: [], disabledEndpoints: [] };

/** Far enough past T0 that anything scheduled in these tests is due, and every lease has run out. */
const LATER = 10 * 60_000;

export function describeRecordAttempts(factory: StoreFactory): void {
  describe('recordAttempts', () => {
    const store = useStore(factory);

    /** One application, one endpoint, `count` messages published at T0 and claimed at T0. */
    async function inFlight(count = 1) {
      const app = await createApp(store());
      const endpoint = await createEndpoint(store(), app.id);
      const messages = [];
      for (let i = 0; i < count; i++) messages.push((await store().publish(app.id, newMessage(), T0)).message);
      const claimed = await claimAll(store(), T0);
      expect(claimed).toHaveLength(count);
      return { app, endpoint, messages, claimed };
    }

    async function attemptsOf(appId: string, messageId: string) {
      return (await store().listAttemptsForMessage(appId, messageId, { limit: 100 })).data;
    }

    it('a success marks the delivery succeeded and logs the attempt', async () => {
      const { app, endpoint, messages, claimed } = await inFlight();
      const item = single(claimed);
      const message = single(messages);
      await store().recordAttempts([
        succeeded(item, T0 + 250, { statusCode: 204, responseBody: 'thanks', durationMs: 31 }),
      ]);

      expect(await store().countDeliveries({ status: 'succeeded' })).toBe(1);
      expect(await store().countDeliveries({ status: 'sending' })).toBe(0);
      expect(await claimAll(store(), T0 + LATER)).toEqual([]);
      const attempt = single(await attemptsOf(app.id, message.id));
      expect(attempt).toMatchObject({
        deliveryId: item.delivery.id,
        messageId: message.id,
        endpointId: endpoint.id,
        appId: app.id,
        url: endpoint.url,
        outcome: 'succeeded',
        trigger: 'scheduled',
        statusCode: 204,
        responseBody: 'thanks',
        durationMs: 31,
        error: null,
        createdAt: T0 + 250,
      });
    });

    it('an attempt named by its caller is recorded under that id (operational events name it)', async () => {
      const { app, messages, claimed } = await inFlight();
      const attemptId = newId('atmpt', T0 + 100);
      await store().recordAttempts([{ ...failed(single(claimed), T0 + 100, { status: 'dead' }), attemptId }]);
      expect(single(await attemptsOf(app.id, single(messages).id)).id).toBe(attemptId);
    });

    it('a failure with a retry time makes the delivery pending at that time, with one attempt more', async () => {
      const { app, messages, claimed } = await inFlight();
      const item = single(claimed);
      await store().recordAttempts([
        failed(item, T0 + 100, { status: 'pending', nextAttemptAt: T0 + 5000 }, { error: 'connection refused' }),
      ]);

      expect(await store().countDeliveries({ status: 'pending' })).toBe(1);
      expect(await claimAll(store(), T0 + 4999)).toEqual([]);
      const retry = single(await claimAll(store(), T0 + 5000));
      expect(retry.delivery).toMatchObject({
        id: item.delivery.id,
        attempts: 1,
        lastError: 'connection refused',
        lastStatusCode: 503,
      });
      expect(retry.trigger).toBe('scheduled');
      const attempt = single(await attemptsOf(app.id, single(messages).id));
      expect(attempt).toMatchObject({ outcome: 'failed', statusCode: 503, error: 'connection refused' });

      await store().recordAttempts([failed(retry, T0 + 5100, { status: 'pending', nextAttemptAt: T0 + 9000 })]);
      expect(single(await claimAll(store(), T0 + 9000)).delivery.attempts).toBe(2);
      expect(await attemptsOf(app.id, single(messages).id)).toHaveLength(2);
    });

    it('a failure with no retry left makes the delivery dead and lists it with the dead letters', async () => {
      const { app, endpoint, claimed } = await inFlight();
      const item = single(claimed);
      await store().recordAttempts([
        failed(item, T0 + 100, { status: 'dead' }, { statusCode: 400, error: 'HTTP 400' }),
      ]);

      expect(await store().countDeliveries({ status: 'dead' })).toBe(1);
      expect(await claimAll(store(), T0 + LATER)).toEqual([]);
      expect(await store().nextDueAt()).toBeNull();
      const dead = single((await store().listDeadDeliveries(app.id, endpoint.id, { limit: 10 })).data);
      expect(dead).toMatchObject({
        id: item.delivery.id,
        status: 'dead',
        attempts: 1,
        lastStatusCode: 400,
        lastError: 'HTTP 400',
      });
      expect((await store().listDeadDeliveries(app.id, null, { limit: 10 })).data).toEqual([dead]);
    });

    it('records a batch of results for different deliveries in one call', async () => {
      const { claimed } = await inFlight(3);
      const [ok, retry, dead] = claimed;
      if (ok === undefined || retry === undefined || dead === undefined) throw new Error('expected three claims');
      await store().recordAttempts([
        succeeded(ok, T0 + 1),
        failed(retry, T0 + 1, { status: 'pending', nextAttemptAt: T0 + 100 }),
        failed(dead, T0 + 1, { status: 'dead' }),
      ]);
      expect(await store().countDeliveries({ status: 'succeeded' })).toBe(1);
      expect(await store().countDeliveries({ status: 'pending' })).toBe(1);
      expect(await store().countDeliveries({ status: 'dead' })).toBe(1);
    });

    it('drops a result whose lease was lost to a later claim, and logs no attempt for it', async () => {
      const { app, messages, claimed } = await inFlight();
      const stale = single(claimed);
      const leaseEnd = stale.delivery.leaseUntil ?? 0;
      const current = single(
        await store().claimDueDeliveries(claimOptions(leaseEnd + 1, { leaseUntil: leaseEnd + 1 + LATER })),
      );

      expect(await store().recordAttempts([succeeded(stale, leaseEnd + 2)])).toEqual({
        staleDeliveryIds: [stale.delivery.id],
        disabledEndpoints: [],
      });
      expect(await attemptsOf(app.id, single(messages).id)).toEqual([]);
      expect(await store().countDeliveries({ status: 'sending' })).toBe(1);

      expect(await store().recordAttempts([failed(current, leaseEnd + 3, { status: 'dead' })])).toEqual(
        NOTHING_CHANGED,
      );
      expect(single(await attemptsOf(app.id, single(messages).id)).outcome).toBe('failed');
      expect(await store().countDeliveries({ status: 'dead' })).toBe(1);
    });

    it('drops a result for a lease that was given back', async () => {
      const { app, messages, claimed } = await inFlight();
      const item = single(claimed);
      await store().releaseLeases([item.delivery.id], T0 + 1);

      const recorded = await store().recordAttempts([succeeded(item, T0 + 2)]);
      expect(recorded.staleDeliveryIds).toEqual([item.delivery.id]);
      expect(await attemptsOf(app.id, single(messages).id)).toEqual([]);
      expect(await store().countDeliveries({ status: 'pending' })).toBe(1);
    });

    it('answers each of several concurrent callers about its own results only', async () => {
      const app = await createApp(store());
      const healthy = await createEndpoint(store(), app.id, { url: 'https://healthy.example.com/hook' });
      const gone = await createEndpoint(store(), app.id, { url: 'https://gone.example.com/hook' });
      await store().publish(app.id, newMessage(), T0);
      await store().publish(app.id, newMessage(), T0);
      const claimed = await claimAll(store(), T0);
      const toHealthy = claimed.filter((item) => item.endpoint.id === healthy.id);
      const [toGone] = claimed.filter((item) => item.endpoint.id === gone.id);
      const [first, second] = toHealthy;
      if (first === undefined || second === undefined || toGone === undefined) throw new Error('expected 4 claims');
      await store().releaseLeases([second.delivery.id], T0 + 1);

      const answers = await Promise.all([
        store().recordAttempts([succeeded(first, T0 + 2)]),
        store().recordAttempts([succeeded(second, T0 + 2)]),
        store().recordAttempts([
          failed(toGone, T0 + 2, { status: 'dead' }, { statusCode: 410, disableEndpoint: 'gone' }),
        ]),
      ]);
      expect(answers).toEqual([
        NOTHING_CHANGED,
        { staleDeliveryIds: [second.delivery.id], disabledEndpoints: [] },
        {
          staleDeliveryIds: [],
          disabledEndpoints: [
            { endpointId: gone.id, appId: app.id, reason: 'gone', at: T0 + 2, deliveryId: toGone.delivery.id },
          ],
        },
      ]);
    });

    it('a result that disables the endpoint parks its pending deliveries and records an operational event', async () => {
      const app = await createApp(store());
      const endpoint = await createEndpoint(store(), app.id);
      const other = await createEndpoint(store(), app.id, { url: 'https://other.example.com/hook' });
      await store().publish(app.id, newMessage(), T0);
      const item = single(await store().claimDueDeliveries(claimOptions(T0, { excludeEndpointIds: [other.id] })));
      await store().publish(app.id, newMessage(), T0 + 1);
      await store().publish(app.id, newMessage(), T0 + 2);

      const reason = 'the endpoint answered 410 Gone';
      const recorded = await store().recordAttempts([
        failed(
          item,
          T0 + 10,
          { status: 'pending', nextAttemptAt: T0 + 10 },
          { statusCode: 410, disableEndpoint: reason },
        ),
      ]);
      expect(recorded).toEqual({
        staleDeliveryIds: [],
        disabledEndpoints: [
          { endpointId: endpoint.id, appId: app.id, reason, at: T0 + 10, deliveryId: item.delivery.id },
        ],
      });

      expect(await store().getEndpoint(app.id, endpoint.id)).toMatchObject({ disabled: true, disabledReason: reason });
      expect(await store().countDeliveries({ status: 'paused' })).toBe(3);
      const claimable = await claimAll(store(), T0 + LATER);
      expect(claimable.every((claimed) => claimed.endpoint.id === other.id)).toBe(true);
      expect(claimable).toHaveLength(3);
      const event = (await store().listOperationalEvents(10)).find((e) => e.type === 'endpoint.disabled');
      expect(event).toMatchObject({ appId: app.id, endpointId: endpoint.id, reason, createdAt: T0 + 10 });
    });

    it('enabling a disabled endpoint makes its parked deliveries pending and claimable again', async () => {
      const app = await createApp(store());
      const endpoint = await createEndpoint(store(), app.id);
      await store().publish(app.id, newMessage(), T0);
      await store().publish(app.id, newMessage(), T0);
      const gone = single(await store().claimDueDeliveries(claimOptions(T0, { limit: 1 })));
      await store().recordAttempts([
        failed(gone, T0 + 1, { status: 'pending', nextAttemptAt: T0 + 1 }, { disableEndpoint: 'gone' }),
      ]);
      expect(await claimAll(store(), T0 + LATER)).toEqual([]);

      const enabled = await store().updateEndpoint(app.id, endpoint.id, { disabled: false }, T0 + LATER);
      expect(enabled).toMatchObject({ disabled: false, disabledReason: null });
      expect(await store().countDeliveries({ status: 'pending' })).toBe(2);
      expect(await store().nextDueAt()).toBeLessThanOrEqual(T0 + LATER);
      expect(await claimAll(store(), T0 + LATER)).toHaveLength(2);
      const types = (await store().listOperationalEvents(10)).map((event) => event.type);
      expect(types).toContain('endpoint.enabled');
    });

    it('setEndpointDisabled parks and resumes an endpoint queue the same way', async () => {
      const app = await createApp(store());
      const endpoint = await createEndpoint(store(), app.id);
      await store().publish(app.id, newMessage(), T0);

      await store().setEndpointDisabled(endpoint.id, true, 'operator pause', T0 + 1);
      expect(await store().getEndpoint(app.id, endpoint.id)).toMatchObject({
        disabled: true,
        disabledReason: 'operator pause',
      });
      expect(await claimAll(store(), T0 + 2)).toEqual([]);

      await store().setEndpointDisabled(endpoint.id, false, null, T0 + 3);
      expect(single(await claimAll(store(), T0 + 3)).endpoint.disabled).toBe(false);
      const events = await store().listOperationalEvents(10);
      expect(events.map((event) => event.type).sort()).toEqual(['endpoint.disabled', 'endpoint.enabled']);
    });

    // Bug: several sends to one endpoint are in flight when it answers 410. The first result disables the endpoint
    // and parks its pending deliveries; each later result sets its delivery pending (due at once) after the park,
    // so it is claimed and sent again to the disabled endpoint, which answers 410 again: a hot loop.
    it('parks every delivery whose result disables an endpoint that an earlier result already disabled', async () => {
      const { app, endpoint, claimed } = await inFlight(3);
      const gone = (item: (typeof claimed)[number], at: number) =>
        failed(item, at, { status: 'pending', nextAttemptAt: at }, { statusCode: 410, disableEndpoint: '410 Gone' });
      const [first, second, third] = claimed;
      if (first === undefined || second === undefined || third === undefined) throw new Error('expected 3 claims');

      // Only the first result disabled it: the later ones report no change, so it is announced once.
      expect((await store().recordAttempts([gone(first, T0 + 1)])).disabledEndpoints).toHaveLength(1);
      expect(await store().recordAttempts([gone(second, T0 + 2), gone(third, T0 + 2)])).toEqual(NOTHING_CHANGED);

      expect(await store().getEndpoint(app.id, endpoint.id)).toMatchObject({ disabled: true });
      expect(await claimAll(store(), T0 + LATER)).toEqual([]);
      expect(await store().countDeliveries({ status: 'paused' })).toBe(3);
    });

    // Same root cause: an endpoint disabled by the API while a send is in flight gets that delivery back as
    // pending after a failed attempt, and the next claim sends it to the disabled endpoint.
    it('parks a delivery that was in flight when its endpoint was disabled, after a failed attempt', async () => {
      const { app, endpoint, claimed } = await inFlight();
      await store().updateEndpoint(app.id, endpoint.id, { disabled: true }, T0 + 1);
      const recorded = await store().recordAttempts([
        failed(single(claimed), T0 + 2, { status: 'pending', nextAttemptAt: T0 + 2 }, { disableEndpoint: '410 Gone' }),
      ]);
      // Disabled already (by the API): this result changed nothing about the endpoint, and says so.
      expect(recorded).toEqual(NOTHING_CHANGED);

      expect(await claimAll(store(), T0 + LATER)).toEqual([]);
      await store().updateEndpoint(app.id, endpoint.id, { disabled: false }, T0 + LATER);
      expect(await claimAll(store(), T0 + LATER)).toHaveLength(1);
    });

    it('does not hand out a delivery of a disabled endpoint when its lease is given back or runs out', async () => {
      const { app, endpoint, claimed } = await inFlight(2);
      const [released, expiring] = claimed;
      if (released === undefined || expiring === undefined) throw new Error('expected 2 claims');
      await store().setEndpointDisabled(endpoint.id, true, 'operator pause', T0 + 1);

      await store().releaseLeases([released.delivery.id], T0 + 2);
      const afterLease = (expiring.delivery.leaseUntil ?? 0) + 1;
      expect(await claimAll(store(), afterLease)).toEqual([]);
      // Both wait parked, not pending: nothing due in the queue belongs to a disabled endpoint.
      expect(await store().countDeliveries({ appId: app.id, status: 'paused' })).toBe(2);
      expect(await store().countDeliveries({ appId: app.id, status: 'pending' })).toBe(0);
      await store().updateEndpoint(app.id, endpoint.id, { disabled: false }, afterLease);
      expect(await claimAll(store(), afterLease)).toHaveLength(2);
    });

    it('sets failingSince at the first failure, keeps it through more failures, and clears it on success', async () => {
      const { app, endpoint, claimed } = await inFlight();
      expect((await store().getEndpoint(app.id, endpoint.id))?.failingSince).toBeNull();

      await store().recordAttempts([failed(single(claimed), T0 + 10, { status: 'pending', nextAttemptAt: T0 + 20 })]);
      expect((await store().getEndpoint(app.id, endpoint.id))?.failingSince).toBe(T0 + 10);

      const retry = single(await claimAll(store(), T0 + 20));
      expect(retry.endpoint.failingSince).toBe(T0 + 10);
      await store().recordAttempts([failed(retry, T0 + 30, { status: 'pending', nextAttemptAt: T0 + 40 })]);
      expect((await store().getEndpoint(app.id, endpoint.id))?.failingSince).toBe(T0 + 10);

      await store().recordAttempts([succeeded(single(await claimAll(store(), T0 + 40)), T0 + 50)]);
      expect((await store().getEndpoint(app.id, endpoint.id))?.failingSince).toBeNull();
    });
  });
}
