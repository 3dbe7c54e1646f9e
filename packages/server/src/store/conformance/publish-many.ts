// publishMany: a batch of publishes in one transaction, each with its own result, in order.
import { describe, expect, it } from 'vitest';
import { DuplicateEventIdError } from '../errors.js';
import type { PublishResult } from '../store.js';
import {
  claimAll,
  createApp,
  createEndpoint,
  newMessage,
  type StoreFactory,
  sorted,
  T0,
  useStore,
} from './fixtures.js';

function published(result: PublishResult | DuplicateEventIdError): PublishResult {
  if (result instanceof DuplicateEventIdError) throw result;
  return result;
}

export function describePublishMany(factory: StoreFactory): void {
  describe('publishMany', () => {
    const store = useStore(factory);

    it('publishes every message with its own fan-out, results in input order', async () => {
      const app = await createApp(store());
      const all = await createEndpoint(store(), app.id, { url: 'https://a.example.com/hook' });
      const users = await createEndpoint(store(), app.id, { eventTypes: ['user.created'] });
      const inputs = [
        newMessage({ eventId: 'evt_1', payload: '{"n":1}' }),
        newMessage({ eventId: 'evt_2', eventType: 'user.created', payload: '{"n":2}' }),
        newMessage({ payload: '{"n":3}', deliverAt: T0 + 60_000 }),
      ];
      const results = (await store().publishMany(app.id, inputs, T0)).map(published);

      expect(results.map((result) => result.message.payload)).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
      expect(results.map((result) => result.deliveries)).toEqual([1, 2, 1]);
      for (const result of results) expect(await store().getMessage(app.id, result.message.id)).toEqual(result.message);
      const claimed = await claimAll(store(), T0);
      expect(claimed).toHaveLength(3);
      const toUsers = claimed.filter((item) => item.endpoint.id === users.id).map((item) => item.message.id);
      expect(toUsers).toEqual([results[1]?.message.id]);
      expect(sorted(claimed.filter((item) => item.endpoint.id === all.id).map((item) => item.message.id))).toEqual(
        sorted([results[0]?.message.id as string, results[1]?.message.id as string]),
      );
      // The third waits for its deliverAt.
      expect(claimed.map((item) => item.message.id)).not.toContain(results[2]?.message.id);
      expect(results[2]?.message.deliverAt).toBe(T0 + 60_000);
    });

    it('puts a DuplicateEventIdError in place of a repeated eventId, earlier or in the same batch, and publishes the rest', async () => {
      const app = await createApp(store());
      await createEndpoint(store(), app.id);
      const earlier = await store().publish(app.id, newMessage({ eventId: 'evt_old', payload: '{"n":0}' }), T0);

      const results = await store().publishMany(
        app.id,
        [
          newMessage({ eventId: 'evt_old', payload: '{"n":1}' }),
          newMessage({ eventId: 'evt_new', payload: '{"n":2}' }),
          newMessage({ eventId: 'evt_new', payload: '{"n":3}' }),
          newMessage({ payload: '{"n":4}' }),
        ],
        T0 + 1,
      );

      expect(results[0]).toBeInstanceOf(DuplicateEventIdError);
      expect(results[0]).toMatchObject({ eventId: 'evt_old' });
      expect(published(results[1] as PublishResult).message.eventId).toBe('evt_new');
      expect(results[2]).toBeInstanceOf(DuplicateEventIdError);
      expect(published(results[3] as PublishResult).deliveries).toBe(1);
      expect(await store().getMessage(app.id, 'evt_old')).toEqual(earlier.message);
      expect((await store().getMessage(app.id, 'evt_new'))?.payload).toBe('{"n":2}');
      // One delivery each for the earlier message, evt_new and the last one: none for the refused two.
      expect(await store().countDeliveries({ appId: app.id })).toBe(3);
    });

    it('writes nothing of the batch when one message cannot be written (one transaction)', async () => {
      const app = await createApp(store());
      await createEndpoint(store(), app.id);
      // A message the database itself refuses (no event type: NOT NULL), after one it would have taken.
      const broken = newMessage({ eventType: null as unknown as string });
      const batch = store().publishMany(app.id, [newMessage({ eventId: 'evt_first' }), broken], T0);

      await expect(batch).rejects.toThrow();
      expect(await store().getMessage(app.id, 'evt_first')).toBeNull();
      expect(await store().countDeliveries({ appId: app.id })).toBe(0);
      expect(await store().publishMany(app.id, [newMessage({ eventId: 'evt_first' })], T0)).toHaveLength(1);
    });

    it('takes 1,000 messages in one call', async () => {
      const app = await createApp(store());
      await createEndpoint(store(), app.id);
      const inputs = Array.from({ length: 1000 }, (_, i) => newMessage({ eventId: `evt_${i}`, payload: `{"n":${i}}` }));
      const results = (await store().publishMany(app.id, inputs, T0)).map(published);
      expect(results.map((result) => result.message.eventId)).toEqual(inputs.map((input) => input.eventId));
      expect(await store().countDeliveries({ appId: app.id, status: 'pending' })).toBe(1000);
    });
  });
}
