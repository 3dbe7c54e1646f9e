// Pagination: newest first, an iterator to the next page, done on the last; rows inserted while a client pages
// neither repeat nor hide the rows it has not seen yet. The same checks run against every list.
import { describe, expect, it } from 'vitest';
import type { ListOptions, Page } from '../paging.js';
import type { Store } from '../store.js';
import {
  allPages,
  claimAll,
  createApp,
  createEndpoint,
  failed,
  killAllDue,
  newMessage,
  type StoreFactory,
  single,
  T0,
  useStore,
} from './fixtures.js';

interface Listing {
  /** Adds one row to the list at `now` and returns its key. */
  add(now: number): Promise<string>;
  list(options: ListOptions): Promise<Page<unknown>>;
  keyOf(item: unknown): string;
}

interface ListingKind {
  name: string;
  /** Builds what the list needs (an application, a message …) with no rows in the list yet. */
  setup(store: Store): Promise<Listing>;
}

const byId = (item: unknown) => (item as { id: string }).id;
const byResponseBody = (item: unknown) => (item as { responseBody: string }).responseBody;

/** Claims the one due delivery at `now` and fails it, due again at once; the attempt is told apart by its body. */
async function addFailedAttempt(store: Store, now: number): Promise<string> {
  const item = single(await claimAll(store, now));
  const label = `attempt at ${now}`;
  await store.recordAttempts([failed(item, now, { status: 'pending', nextAttemptAt: now }, { responseBody: label })]);
  return label;
}

const LISTINGS: readonly ListingKind[] = [
  {
    name: 'listApplications',
    async setup(store) {
      return {
        add: async (now) => (await store.createApplication({ name: `app at ${now}` }, now)).id,
        list: (options) => store.listApplications(options),
        keyOf: byId,
      };
    },
  },
  {
    name: 'listEndpoints',
    async setup(store) {
      const app = await createApp(store);
      return {
        add: async (now) => (await createEndpoint(store, app.id, {}, now)).id,
        list: (options) => store.listEndpoints(app.id, options),
        keyOf: byId,
      };
    },
  },
  {
    name: 'listAttemptsForMessage',
    async setup(store) {
      // One message to one endpoint; every row is one more failed attempt of the same delivery.
      const app = await createApp(store);
      await createEndpoint(store, app.id);
      const { message } = await store.publish(app.id, newMessage(), T0);
      return {
        add: (now) => addFailedAttempt(store, now),
        list: (options) => store.listAttemptsForMessage(app.id, message.id, options),
        keyOf: byResponseBody,
      };
    },
  },
  {
    name: 'listMessages',
    async setup(store) {
      const app = await createApp(store);
      return {
        add: async (now) => (await store.publish(app.id, newMessage(), now)).message.id,
        list: (options) => store.listMessages(app.id, options),
        keyOf: byId,
      };
    },
  },
  {
    name: 'listAttemptsForEndpoint',
    async setup(store) {
      const app = await createApp(store);
      const endpoint = await createEndpoint(store, app.id);
      await store.publish(app.id, newMessage(), T0);
      return {
        add: (now) => addFailedAttempt(store, now),
        list: (options) => store.listAttemptsForEndpoint(app.id, endpoint.id, options),
        keyOf: byResponseBody,
      };
    },
  },
  {
    name: 'listDeadDeliveries',
    async setup(store) {
      const app = await createApp(store);
      await createEndpoint(store, app.id);
      return {
        add: async (now) => {
          await store.publish(app.id, newMessage(), now);
          return single(await killAllDue(store, now)).delivery.id;
        },
        list: (options) => store.listDeadDeliveries(app.id, null, options),
        keyOf: byId,
      };
    },
  },
];

export function describePagination(factory: StoreFactory): void {
  describe('pagination', () => {
    const store = useStore(factory);

    /** Adds `count` rows one second apart, from `start`; returns their keys, newest first. */
    async function addRows(listing: Listing, count: number, start: number): Promise<string[]> {
      const keys = [];
      for (let i = 0; i < count; i++) keys.push(await listing.add(start + i * 1000));
      return keys.reverse();
    }

    describe.each(LISTINGS)('$name', ({ setup }) => {
      it('pages newest first through limit and iterator, and says done on the last page', async () => {
        const listing = await setup(store());
        const keys = await addRows(listing, 5, T0);

        const first = await listing.list({ limit: 2 });
        expect(first.data.map(listing.keyOf)).toEqual(keys.slice(0, 2));
        expect(first.done).toBe(false);
        expect(first.iterator).not.toBeNull();
        const second = await listing.list({ limit: 2, iterator: first.iterator });
        expect(second.data.map(listing.keyOf)).toEqual(keys.slice(2, 4));
        expect(second.done).toBe(false);
        const third = await listing.list({ limit: 2, iterator: second.iterator });
        expect(third.data.map(listing.keyOf)).toEqual(keys.slice(4));
        expect(third.done).toBe(true);
      });

      it('says done on a page that ends exactly at the last row', async () => {
        const listing = await setup(store());
        const keys = await addRows(listing, 4, T0);
        const page = await listing.list({ limit: 4 });
        expect(page.data.map(listing.keyOf)).toEqual(keys);
        expect(page.done).toBe(true);
        expect((await listing.list({ limit: 100 })).done).toBe(true);
      });

      it('returns one empty, done page for an empty list', async () => {
        const listing = await setup(store());
        const page = await listing.list({ limit: 10 });
        expect(page.data).toEqual([]);
        expect(page.done).toBe(true);
      });

      it('pages backward from an iterator: the page before it, in list order, done at the start', async () => {
        const listing = await setup(store());
        const keys = await addRows(listing, 7, T0);
        const third = await listing.list({ limit: 2, iterator: (await listing.list({ limit: 4 })).iterator });
        expect(third.data.map(listing.keyOf)).toEqual(keys.slice(4, 6));
        // The iterator of a backward read is a row key; a listing keyed by something else (attempts by their log
        // text) hands its rows' ids to the store, so take the id the store would.
        const idOf = (item: unknown) => (item as { id: string }).id;
        const before = await listing.list({ limit: 2, iterator: idOf(third.data[0]), backward: true });
        expect(before.data.map(listing.keyOf)).toEqual(keys.slice(2, 4));
        expect(before.done).toBe(false);
        expect(before.iterator).toBe(idOf(before.data[0]));
        const first = await listing.list({ limit: 2, iterator: before.iterator, backward: true });
        expect(first.data.map(listing.keyOf)).toEqual(keys.slice(0, 2));
        expect(first.done).toBe(true);
        const beyond = await listing.list({ limit: 2, iterator: idOf(first.data[0]), backward: true });
        expect(beyond.data).toEqual([]);
        expect(beyond.done).toBe(true);
        const short = await listing.list({ limit: 5, iterator: idOf(third.data[0]), backward: true });
        expect(short.data.map(listing.keyOf)).toEqual(keys.slice(0, 4));
        expect(short.done).toBe(true);
      });

      it('neither repeats nor skips rows when new rows arrive between pages', async () => {
        const listing = await setup(store());
        const keys = await addRows(listing, 7, T0);
        let later = T0 + 100_000;
        const seen = await allPages(
          (iterator) => listing.list({ limit: 2, iterator }),
          async () => {
            await listing.add(later);
            await listing.add(later + 1);
            later += 1000;
          },
        );
        expect(seen.map(listing.keyOf)).toEqual(keys);
      });
    });
  });
}
