// Payload filters (issue 14 §3): an endpoint's filter is kept and patched, and a publish (one or a batch) fans out
// to a filtered endpoint only when the payload passes, together with its event types and channels; a test event
// goes to the endpoint it names whatever its filter. Every change of a filter holds from the next publish on.
import { describe, expect, it } from 'vitest';
import { DuplicateEventIdError } from '../errors.js';
import type { PublishResult } from '../messages.js';
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

const BIG_EUR = '{"data":{"amount":5000,"currency":"EUR","tags":["vip"]}}';
const SMALL_EUR = '{"data":{"amount":10,"currency":"EUR"}}';
const BIG_USD = '{"data":{"amount":9000,"currency":"USD"}}';

function published(result: PublishResult | DuplicateEventIdError): PublishResult {
  if (result instanceof DuplicateEventIdError) throw result;
  return result;
}

export function describePayloadFilters(factory: StoreFactory): void {
  describe('payload filters', () => {
    const store = useStore(factory);

    /** Which endpoints (by name) the deliveries due at `now` go to, for the message with this payload. */
    async function receiversOf(names: Record<string, string>, now: number): Promise<Record<string, string[]>> {
      const byPayload: Record<string, string[]> = {};
      for (const item of await claimAll(store(), now)) {
        const name = Object.keys(names).find((key) => names[key] === item.endpoint.id) ?? item.endpoint.id;
        byPayload[item.message.payload] = sorted([...(byPayload[item.message.payload] ?? []), name]);
      }
      return byPayload;
    }

    it('an endpoint keeps its filter, a patch changes or removes it, and one that names none leaves it', async () => {
      const app = await createApp(store());
      const filter = { 'data.amount': { $gte: 100 }, $or: [{ 'data.currency': 'EUR' }, { 'data.tags': 'vip' }] };
      const endpoint = await createEndpoint(store(), app.id, { payloadFilter: filter });
      expect(endpoint.payloadFilter).toEqual(filter);
      expect(await store().getEndpoint(app.id, endpoint.id)).toEqual(endpoint);
      expect((await createEndpoint(store(), app.id)).payloadFilter).toBeNull();

      const described = await store().updateEndpoint(app.id, endpoint.id, { description: 'd' }, T0 + 1);
      expect(described?.payloadFilter).toEqual(filter);
      const changed = await store().updateEndpoint(app.id, endpoint.id, { payloadFilter: { a: 1 } }, T0 + 2);
      expect(changed?.payloadFilter).toEqual({ a: 1 });
      const removed = await store().updateEndpoint(app.id, endpoint.id, { payloadFilter: null }, T0 + 3);
      expect(removed?.payloadFilter).toBeNull();
      expect((await store().getEndpoint(app.id, endpoint.id))?.payloadFilter).toBeNull();
    });

    it('a message goes to a filtered endpoint only when its payload passes, beside event types and channels', async () => {
      const app = await createApp(store());
      const names = {
        all: (await createEndpoint(store(), app.id)).id,
        big: (await createEndpoint(store(), app.id, { payloadFilter: { 'data.amount': { $gt: 1000 } } })).id,
        eur: (await createEndpoint(store(), app.id, { payloadFilter: { 'data.currency': { $in: ['EUR'] } } })).id,
        bigPaidOnly: (
          await createEndpoint(store(), app.id, {
            eventTypes: ['invoice.paid'],
            payloadFilter: { 'data.amount': { $gt: 1000 } },
          })
        ).id,
        bigOnEu: (
          await createEndpoint(store(), app.id, { channels: ['eu'], payloadFilter: { 'data.amount': { $gt: 1000 } } })
        ).id,
        disabled: (await createEndpoint(store(), app.id, { disabled: true, payloadFilter: { 'data.amount': 10 } })).id,
      };
      const counts = [
        (await store().publish(app.id, newMessage({ payload: BIG_EUR, channels: ['eu'] }), T0)).deliveries,
        (await store().publish(app.id, newMessage({ payload: SMALL_EUR }), T0)).deliveries,
        (await store().publish(app.id, newMessage({ payload: BIG_USD, eventType: 'invoice.void' }), T0)).deliveries,
      ];
      expect(counts).toEqual([5, 2, 2]);
      expect(await receiversOf(names, T0)).toEqual({
        [BIG_EUR]: ['all', 'big', 'bigOnEu', 'bigPaidOnly', 'eur'],
        [SMALL_EUR]: ['all', 'eur'],
        [BIG_USD]: ['all', 'big'],
      });
    });

    it('publishMany applies each endpoint filter to each message', async () => {
      const app = await createApp(store());
      const names = {
        all: (await createEndpoint(store(), app.id)).id,
        big: (await createEndpoint(store(), app.id, { payloadFilter: { 'data.amount': { $gt: 1000 } } })).id,
        notUsd: (await createEndpoint(store(), app.id, { payloadFilter: { 'data.currency': { $ne: 'USD' } } })).id,
      };
      const inputs = [BIG_EUR, SMALL_EUR, BIG_USD].map((payload) => newMessage({ payload }));
      const results = (await store().publishMany(app.id, inputs, T0)).map(published);
      expect(results.map((result) => result.deliveries)).toEqual([3, 2, 2]);
      expect(await receiversOf(names, T0)).toEqual({
        [BIG_EUR]: ['all', 'big', 'notUsd'],
        [SMALL_EUR]: ['all', 'notUsd'],
        [BIG_USD]: ['all', 'big'],
      });
    });

    it('a change of filter, a new filtered endpoint, re-enabling and removing a filter hold from the next publish', async () => {
      const app = await createApp(store());
      const endpoint = await createEndpoint(store(), app.id, { payloadFilter: { 'data.currency': 'USD' } });
      expect((await store().publish(app.id, newMessage({ payload: BIG_EUR }), T0)).deliveries).toBe(0);

      await store().updateEndpoint(app.id, endpoint.id, { payloadFilter: { 'data.currency': 'EUR' } }, T0 + 1);
      expect((await store().publish(app.id, newMessage({ payload: BIG_EUR }), T0 + 2)).deliveries).toBe(1);
      expect((await store().publish(app.id, newMessage({ payload: BIG_USD }), T0 + 3)).deliveries).toBe(0);

      const second = await createEndpoint(store(), app.id, { payloadFilter: { 'data.amount': { $lt: 100 } } });
      expect((await store().publish(app.id, newMessage({ payload: SMALL_EUR }), T0 + 4)).deliveries).toBe(2);

      await store().updateEndpoint(app.id, second.id, { disabled: true }, T0 + 5);
      expect((await store().publish(app.id, newMessage({ payload: SMALL_EUR }), T0 + 6)).deliveries).toBe(1);
      await store().updateEndpoint(app.id, second.id, { disabled: false }, T0 + 7);
      expect((await store().publish(app.id, newMessage({ payload: SMALL_EUR }), T0 + 8)).deliveries).toBe(2);

      await store().updateEndpoint(app.id, endpoint.id, { payloadFilter: null }, T0 + 9);
      expect((await store().publish(app.id, newMessage({ payload: BIG_USD }), T0 + 10)).deliveries).toBe(1);
      await store().deleteEndpoint(app.id, second.id);
      expect((await store().publish(app.id, newMessage({ payload: SMALL_EUR }), T0 + 11)).deliveries).toBe(1);
    });

    it('a test event reaches its endpoint whatever the filter; filters are per application; duplicates refused', async () => {
      const acme = await createApp(store(), 'acme');
      const globex = await createApp(store(), 'globex');
      const usdOnly = await createEndpoint(store(), acme.id, { payloadFilter: { 'data.currency': 'USD' } });
      await createEndpoint(store(), globex.id);
      const test = await store().publish(acme.id, newMessage({ payload: BIG_EUR, onlyEndpointId: usdOnly.id }), T0);
      expect(test.deliveries).toBe(1);
      expect((await store().publish(globex.id, newMessage({ payload: BIG_EUR }), T0)).deliveries).toBe(1);
      expect((await store().publish(acme.id, newMessage({ payload: BIG_EUR, eventId: 'evt_1' }), T0)).deliveries).toBe(
        0,
      );
      await expect(store().publish(acme.id, newMessage({ eventId: 'evt_1', payload: BIG_USD }), T0)).rejects.toThrow(
        DuplicateEventIdError,
      );
    });
  });
}
