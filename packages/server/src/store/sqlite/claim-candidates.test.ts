import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { succeeded } from '../conformance/fixtures.js';
import type { ClaimedDelivery } from '../types.js';
import { MAX_RUN_AGE_MS } from './skipped-runs.js';
import { SqliteStore } from './sqlite-store.js';

const T0 = Date.UTC(2030, 0, 1);
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
/** Claims run well after every publish, so no row is too recent to be passed over. */
const LATER = T0 + 60_000;

describe('SQLite claim beside an endpoint with no allowance', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function openStore(): Promise<SqliteStore> {
    const dir = mkdtempSync(join(tmpdir(), 'hookline-claim-candidates-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const store = new SqliteStore({ path: join(dir, 'hookline.db') });
    cleanups.push(async () => {
      if (store.db.open) await store.close();
    });
    await store.migrate();
    return store;
  }

  /** An application with a blocked endpoint holding `blockedBacklog` due deliveries, then a healthy one's `healthyBacklog`. */
  async function queue(store: SqliteStore, blockedBacklog: number, healthyBacklog: number) {
    const app = await store.createApplication({ name: 'acme', uid: null }, T0);
    const blocked = await store.createEndpoint(app.id, { url: 'https://hangs.example.com/', secret: SECRET }, T0);
    const healthy = await store.createEndpoint(app.id, { url: 'https://answers.example.com/', secret: SECRET }, T0);
    const publishTo = async (endpointId: string, at: number) =>
      store.publish(app.id, { eventType: 'invoice.paid', payload: '{}', onlyEndpointId: endpointId }, at);
    for (let k = 0; k < blockedBacklog; k++) await publishTo(blocked.id, T0 + k);
    for (let k = 0; k < healthyBacklog; k++) await publishTo(healthy.id, T0 + blockedBacklog + k);
    return { app, blocked, healthy, publishTo };
  }

  const claim = (store: SqliteStore, now: number, exclude: string[], limit: number, leaseMs = 30_000) =>
    store.claimDueDeliveries({
      now,
      leaseUntil: now + leaseMs,
      limit,
      excludeEndpointIds: exclude,
      perEndpointLimit: 100,
      endpointCaps: {},
    });

  /** Rows of `endpointId` that the store's statements returned while `work` ran. */
  async function rowsReadOf<T>(store: SqliteStore, endpointId: string, work: () => Promise<T>) {
    const statement = Object.getPrototypeOf(store.db.prepare('SELECT 1')) as { all: (...args: unknown[]) => unknown };
    const all = vi.spyOn(statement, 'all');
    try {
      const result = await work();
      const rows = all.mock.results.flatMap((call) => (call.type === 'return' ? (call.value as unknown[]) : []));
      // Rows come as objects, or as arrays where the store reads them raw (claim-candidates.ts, queue.ts).
      const ofEndpoint = (row: unknown) =>
        Array.isArray(row) ? row.includes(endpointId) : (row as { endpoint_id?: unknown }).endpoint_id === endpointId;
      const read = rows.filter(ofEndpoint).length;
      return { result, read };
    } finally {
      all.mockRestore();
    }
  }

  const publishedAt = (claimed: readonly ClaimedDelivery[]) => claimed.map((item) => item.delivery.nextAttemptAt);

  /**
   * Claims of 5 read at most 5 rows at the one application's head (the batch): 60 of them pass a backlog of 300.
   * Each also takes 5 of the healthy endpoint's, found behind the head: 300 in all.
   */
  const PASSING_CLAIMS = 60;
  const passBacklog = async (store: SqliteStore, blockedId: string) => {
    const claimed: ClaimedDelivery[] = [];
    for (let k = 0; k < PASSING_CLAIMS; k++) claimed.push(...(await claim(store, LATER, [blockedId], 5)));
    return claimed;
  };

  it('reads the blocked backlog once, then claims past it without reading it again', async () => {
    const store = await openStore();
    const { blocked, healthy } = await queue(store, 300, 400);
    const first = await rowsReadOf(store, blocked.id, () => passBacklog(store, blocked.id));
    expect(first.read).toBeGreaterThanOrEqual(300);
    const then = await rowsReadOf(store, blocked.id, async () => {
      const claimed: ClaimedDelivery[] = [];
      for (let k = 0; k < 10; k++) claimed.push(...(await claim(store, LATER, [blocked.id], 5)));
      return claimed;
    });
    expect(then.read).toBe(0);
    const claimed = [...first.result, ...then.result];
    expect(claimed.every((item) => item.delivery.endpointId === healthy.id)).toBe(true);
    // The healthy endpoint's deliveries in their publish order, none left out.
    expect(publishedAt(claimed)).toEqual(Array.from({ length: (PASSING_CLAIMS + 10) * 5 }, (_, k) => T0 + 300 + k));
  });

  it("reads no more of one application's head than the claim can take", async () => {
    const store = await openStore();
    const { healthy } = await queue(store, 0, 300);
    const { result, read } = await rowsReadOf(store, healthy.id, () => claim(store, LATER, [], 5));
    expect(publishedAt(result)).toEqual([T0, T0 + 1, T0 + 2, T0 + 3, T0 + 4]);
    // The 5 at the head, and the same 5 handed back by the claim's UPDATE … RETURNING. A head read of 4x the batch
    // made it 25.
    expect(read).toBe(10);
  });

  it("claims an endpoint's delivery that came back inside a passed run before its later ones", async () => {
    const store = await openStore();
    const { blocked, healthy, publishTo } = await queue(store, 300, 400);
    await passBacklog(store, blocked.id);
    // A publish whose clock was behind: its delivery is due inside the run the claims passed, while the endpoint's
    // later deliveries are at the head.
    await publishTo(healthy.id, T0 + 150);
    const next = await claim(store, LATER, [blocked.id], 1);
    expect(publishedAt(next)).toEqual([T0 + 150]);
    const after = await claim(store, LATER, [blocked.id], 3);
    const nextHealthy = T0 + 300 + PASSING_CLAIMS * 5;
    expect(publishedAt(after)).toEqual([nextHealthy, nextHealthy + 1, nextHealthy + 2]);
  });

  it('claims a delivery whose lease ran out inside a passed run before later ones of its endpoint', async () => {
    const store = await openStore();
    const { blocked } = await queue(store, 300, 200);
    const early = await claim(store, LATER, [blocked.id], 5);
    await passBacklog(store, blocked.id);
    // The first claim's leases (30 s) run out: those deliveries are due again at their old times.
    const again = await claim(store, LATER + 30_000, [blocked.id], 5);
    expect(publishedAt(again)).toEqual(publishedAt(early));
  });

  it('claims at once a delivery whose lease ran out inside a passed run, though its endpoint has nothing else due', async () => {
    const store = await openStore();
    const { app, blocked } = await queue(store, 300, 0);
    const quiet = await store.createEndpoint(app.id, { url: 'https://quiet.example.com/', secret: SECRET }, T0);
    // Due in the middle of the blocked backlog: once sent, the claims pass its place.
    await store.publish(app.id, { eventType: 'invoice.paid', payload: '{}', onlyEndpointId: quiet.id }, T0 + 150);
    const sent = await claim(store, LATER, [blocked.id], 5, 500);
    expect(sent.map((item) => item.delivery.endpointId)).toEqual([quiet.id]);
    await passBacklog(store, blocked.id);
    // Its worker died: the lease runs out well before the run would age out.
    const again = await claim(store, LATER + 500, [blocked.id], 5);
    expect(again.map((item) => item.delivery.id)).toEqual(sent.map((item) => item.delivery.id));
  });

  it("claims at once an ordered line's next delivery whose due time lies inside a passed run", async () => {
    const store = await openStore();
    const { app, blocked } = await queue(store, 300, 0);
    const ordered = await store.createEndpoint(
      app.id,
      { url: 'https://ordered.example.com/', secret: SECRET, ordering: 'fifo' },
      T0,
    );
    for (const at of [T0 + 150, T0 + 151]) {
      await store.publish(
        app.id,
        { eventType: 'invoice.paid', payload: '{}', onlyEndpointId: ordered.id, orderingKey: 'customer-1' },
        at,
      );
    }
    const [head] = await claim(store, LATER, [blocked.id], 5);
    if (head === undefined) throw new Error('the line head was not claimed');
    await passBacklog(store, blocked.id);
    // The head is delivered: the next of its line becomes due at the time it was published.
    await store.recordAttempts([succeeded(head, LATER)]);
    const next = await claim(store, LATER, [blocked.id], 5);
    expect(publishedAt(next)).toEqual([T0 + 151]);
  });

  it('reads the run again once the blocked endpoint may send, in its order', async () => {
    const store = await openStore();
    const { blocked } = await queue(store, 300, 200);
    await passBacklog(store, blocked.id);
    const released = await claim(store, LATER, [], 5);
    expect(publishedAt(released)).toEqual([T0, T0 + 1, T0 + 2, T0 + 3, T0 + 4]);
    expect(released.every((item) => item.delivery.endpointId === blocked.id)).toBe(true);
  });

  it('finds a delivery hidden inside a run of an endpoint with nothing else due, at the latest when the run ages out', async () => {
    const store = await openStore();
    const { app, blocked } = await queue(store, 300, 0);
    const quiet = await store.createEndpoint(app.id, { url: 'https://quiet.example.com/', secret: SECRET }, T0);
    await passBacklog(store, blocked.id);
    await store.publish(app.id, { eventType: 'invoice.paid', payload: '{}', onlyEndpointId: quiet.id }, T0 + 150);
    const found: ClaimedDelivery[] = [];
    for (let at = LATER; found.length === 0 && at <= LATER + MAX_RUN_AGE_MS; at += 100) {
      found.push(...(await claim(store, at, [blocked.id], 5)));
    }
    expect(found.map((item) => item.delivery.endpointId)).toEqual([quiet.id]);
  });
});
