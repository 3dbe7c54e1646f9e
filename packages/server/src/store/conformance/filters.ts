// Filtered lists: messages by event type, channel and time; attempts by outcome, status-code class, endpoint,
// event type, channel and time; a message's deliveries; an endpoint's delivery counts. All within one application.
import { describe, expect, it } from 'vitest';
import {
  claimAll,
  createApp,
  createEndpoint,
  failed,
  ids,
  newMessage,
  type StoreFactory,
  single,
  succeeded,
  T0,
  useStore,
} from './fixtures.js';

export function describeFilters(factory: StoreFactory): void {
  describe('filtered lists', () => {
    const store = useStore(factory);

    /** Three messages a second apart: invoice.paid on eu, invoice.void on us, invoice.paid with no channel. */
    async function threeMessages() {
      const app = await createApp(store());
      const endpoint = await createEndpoint(store(), app.id);
      const paidEu = (await store().publish(app.id, newMessage({ channels: ['eu'] }), T0)).message;
      const voidUs = (
        await store().publish(app.id, newMessage({ eventType: 'invoice.void', channels: ['us'] }), T0 + 1000)
      ).message;
      const paid = (await store().publish(app.id, newMessage(), T0 + 2000)).message;
      return { app, endpoint, paidEu, voidUs, paid };
    }

    it('listMessages filters by event types, channel, before and after', async () => {
      const { app, paidEu, voidUs, paid } = await threeMessages();
      const list = async (options: Parameters<ReturnType<typeof store>['listMessages']>[1]) =>
        ids((await store().listMessages(app.id, options)).data);
      expect(await list({ limit: 10 })).toEqual([paid.id, voidUs.id, paidEu.id]);
      expect(await list({ limit: 10, eventTypes: ['invoice.paid'] })).toEqual([paid.id, paidEu.id]);
      expect(await list({ limit: 10, eventTypes: ['invoice.void', 'other'] })).toEqual([voidUs.id]);
      expect(await list({ limit: 10, eventTypes: [] })).toEqual([paid.id, voidUs.id, paidEu.id]);
      expect(await list({ limit: 10, channel: 'eu' })).toEqual([paidEu.id]);
      expect(await list({ limit: 10, channel: 'asia' })).toEqual([]);
      expect(await list({ limit: 10, before: T0 + 2000 })).toEqual([voidUs.id, paidEu.id]);
      expect(await list({ limit: 10, after: T0 })).toEqual([paid.id, voidUs.id]);
      expect(await list({ limit: 10, after: T0, before: T0 + 2000 })).toEqual([voidUs.id]);
      expect(await list({ limit: 10, eventTypes: ['invoice.paid'], after: T0 })).toEqual([paid.id]);
    });

    it('listMessages and the attempt lists filter by tag, and a message keeps its tags', async () => {
      const app = await createApp(store());
      const endpoint = await createEndpoint(store(), app.id);
      const tagged = (await store().publish(app.id, newMessage({ tags: ['project_1', 'vip'] }), T0)).message;
      const other = (await store().publish(app.id, newMessage({ tags: ['project_2'] }), T0 + 1)).message;
      const plain = (await store().publish(app.id, newMessage(), T0 + 2)).message;
      expect(tagged.tags).toEqual(['project_1', 'vip']);
      expect(plain.tags).toBeNull();
      expect((await store().getMessage(app.id, tagged.id))?.tags).toEqual(['project_1', 'vip']);
      const list = async (tag: string | null) => ids((await store().listMessages(app.id, { limit: 10, tag })).data);
      expect(await list('vip')).toEqual([tagged.id]);
      expect(await list('project_2')).toEqual([other.id]);
      expect(await list('nope')).toEqual([]);
      expect(await list(null)).toEqual([plain.id, other.id, tagged.id]);
      await store().recordAttempts((await claimAll(store(), T0 + 3)).map((item) => succeeded(item, T0 + 4)));
      const attempts = await store().listAttemptsForEndpoint(app.id, endpoint.id, { limit: 10, tag: 'vip' });
      expect(single(attempts.data).messageId).toBe(tagged.id);
      expect((await store().listAttemptsForMessage(app.id, other.id, { limit: 10, tag: 'vip' })).data).toEqual([]);
    });

    it('listMessages pages a filtered list to the end without repeats', async () => {
      const { app, paidEu, paid } = await threeMessages();
      const first = await store().listMessages(app.id, { limit: 1, eventTypes: ['invoice.paid'] });
      expect(ids(first.data)).toEqual([paid.id]);
      expect(first.done).toBe(false);
      const second = await store().listMessages(app.id, {
        limit: 1,
        eventTypes: ['invoice.paid'],
        iterator: first.iterator,
      });
      expect(ids(second.data)).toEqual([paidEu.id]);
      expect(second.done).toBe(true);
    });

    /** Two endpoints; the eu message fails (503) then succeeds on A, the us one fails without a status on B. */
    async function attemptsSetup() {
      const app = await createApp(store());
      const endpointA = await createEndpoint(store(), app.id, { channels: ['eu'] });
      const endpointB = await createEndpoint(store(), app.id, { channels: ['us'] });
      const eu = (await store().publish(app.id, newMessage({ channels: ['eu'] }), T0)).message;
      const us = (await store().publish(app.id, newMessage({ eventType: 'invoice.void', channels: ['us'] }), T0))
        .message;
      const round1 = await claimAll(store(), T0 + 1000);
      expect(round1).toHaveLength(2);
      await store().recordAttempts(
        round1.map((item) =>
          item.endpoint.id === endpointA.id
            ? failed(item, T0 + 1000, { status: 'pending', nextAttemptAt: T0 + 2000 })
            : failed(item, T0 + 1000, { status: 'dead' }, { statusCode: null, error: 'ECONNREFUSED: refused' }),
        ),
      );
      const round2 = single(await claimAll(store(), T0 + 2000));
      await store().recordAttempts([succeeded(round2, T0 + 2000)]);
      return { app, endpointA, endpointB, eu, us };
    }

    it('listAttemptsForEndpoint and listAttemptsForMessage filter by outcome, status-code class and time', async () => {
      const { app, endpointA, endpointB, eu, us } = await attemptsSetup();
      const ofA = (await store().listAttemptsForEndpoint(app.id, endpointA.id, { limit: 10 })).data;
      expect(ofA.map((attempt) => attempt.statusCode)).toEqual([200, 503]);
      expect(ofA.every((attempt) => attempt.messageId === eu.id)).toBe(true);
      const succeededOnly = await store().listAttemptsForEndpoint(app.id, endpointA.id, {
        limit: 10,
        outcome: 'succeeded',
      });
      expect(single(succeededOnly.data).statusCode).toBe(200);
      const fiveHundreds = await store().listAttemptsForMessage(app.id, eu.id, { limit: 10, statusCodeClass: 500 });
      expect(single(fiveHundreds.data).statusCode).toBe(503);
      const noStatus = await store().listAttemptsForEndpoint(app.id, endpointB.id, { limit: 10, statusCodeClass: 0 });
      expect(single(noStatus.data)).toMatchObject({ statusCode: null, messageId: us.id });
      expect(
        (await store().listAttemptsForEndpoint(app.id, endpointA.id, { limit: 10, statusCodeClass: 0 })).data,
      ).toEqual([]);
      const early = await store().listAttemptsForEndpoint(app.id, endpointA.id, { limit: 10, before: T0 + 2000 });
      expect(single(early.data).statusCode).toBe(503);
      const late = await store().listAttemptsForEndpoint(app.id, endpointA.id, { limit: 10, after: T0 + 1000 });
      expect(single(late.data).statusCode).toBe(200);
    });

    it('attempt lists filter by the message event type and channel, and by endpoint', async () => {
      const { app, endpointA, endpointB, eu, us } = await attemptsSetup();
      const voids = await store().listAttemptsForEndpoint(app.id, endpointB.id, {
        limit: 10,
        eventTypes: ['invoice.void'],
      });
      expect(single(voids.data).messageId).toBe(us.id);
      expect(
        (await store().listAttemptsForEndpoint(app.id, endpointA.id, { limit: 10, eventTypes: ['invoice.void'] })).data,
      ).toEqual([]);
      expect(
        (await store().listAttemptsForEndpoint(app.id, endpointA.id, { limit: 10, channel: 'eu' })).data,
      ).toHaveLength(2);
      expect((await store().listAttemptsForEndpoint(app.id, endpointA.id, { limit: 10, channel: 'us' })).data).toEqual(
        [],
      );
      expect(
        (await store().listAttemptsForMessage(app.id, eu.id, { limit: 10, endpointId: endpointB.id })).data,
      ).toEqual([]);
      expect(
        (await store().listAttemptsForMessage(app.id, eu.id, { limit: 10, endpointId: endpointA.id })).data,
      ).toHaveLength(2);
    });

    it('getAttempt finds an attempt of the application only', async () => {
      const { app, endpointA } = await attemptsSetup();
      const [latest] = (await store().listAttemptsForEndpoint(app.id, endpointA.id, { limit: 1 })).data;
      if (latest === undefined) throw new Error('no attempt');
      expect(await store().getAttempt(app.id, latest.id)).toEqual(latest);
      const other = await createApp(store(), 'other');
      expect(await store().getAttempt(other.id, latest.id)).toBeNull();
      expect(await store().getAttempt(app.id, 'atmpt_unknown')).toBeNull();
    });

    it('listDeliveriesForMessage lists one delivery per endpoint the message went to', async () => {
      const app = await createApp(store());
      const endpointA = await createEndpoint(store(), app.id);
      const endpointB = await createEndpoint(store(), app.id);
      await createEndpoint(store(), app.id, { eventTypes: ['other.type'] });
      const { message } = await store().publish(app.id, newMessage(), T0);
      const all = (await store().listDeliveriesForMessage(app.id, message.id, { limit: 10 })).data;
      expect(all.map((delivery) => delivery.endpointId).sort()).toEqual([endpointA.id, endpointB.id].sort());
      expect(all.every((delivery) => delivery.status === 'pending' && delivery.messageId === message.id)).toBe(true);
      const first = await store().listDeliveriesForMessage(app.id, message.id, { limit: 1 });
      expect(first.done).toBe(false);
      const second = await store().listDeliveriesForMessage(app.id, message.id, { limit: 1, iterator: first.iterator });
      expect(second.done).toBe(true);
      expect(ids([...first.data, ...second.data])).toEqual(ids(all));
      const other = await createApp(store(), 'other');
      expect((await store().listDeliveriesForMessage(other.id, message.id, { limit: 10 })).data).toEqual([]);
    });

    it('endpointStats counts the endpoint deliveries by state, within a time range', async () => {
      const app = await createApp(store());
      const endpoint = await createEndpoint(store(), app.id);
      for (let i = 0; i < 4; i++) await store().publish(app.id, newMessage(), T0 + i * 1000);
      const claimed = await claimAll(store(), T0 + 5000);
      expect(claimed).toHaveLength(4);
      const [a, b, c] = claimed as [(typeof claimed)[0], (typeof claimed)[0], (typeof claimed)[0]];
      await store().recordAttempts([
        succeeded(a, T0 + 5000),
        failed(b, T0 + 5000, { status: 'dead' }),
        failed(c, T0 + 5000, { status: 'pending', nextAttemptAt: T0 + 60_000 }),
      ]);
      // The fourth stays leased: sending.
      expect(await store().endpointStats(app.id, endpoint.id, {})).toEqual({
        success: 1,
        fail: 1,
        pending: 1,
        sending: 1,
      });
      const createdAfterFirst = await store().endpointStats(app.id, endpoint.id, { after: T0 });
      expect(
        createdAfterFirst.success + createdAfterFirst.fail + createdAfterFirst.pending + createdAfterFirst.sending,
      ).toBe(3);
      const other = await createApp(store(), 'other');
      expect(await store().endpointStats(other.id, endpoint.id, {})).toEqual({
        success: 0,
        fail: 0,
        pending: 0,
        sending: 0,
      });
    });
  });
}
