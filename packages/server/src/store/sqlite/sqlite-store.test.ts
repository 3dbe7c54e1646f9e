import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runStoreConformance } from '../conformance/index.js';
import { SqliteStore } from './sqlite-store.js';

const T0 = Date.UTC(2030, 0, 1);

function tempDatabasePath(): { path: string; removeDir(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'hookline-store-'));
  return { path: join(dir, 'hookline.db'), removeDir: () => rmSync(dir, { recursive: true, force: true }) };
}

runStoreConformance('SqliteStore on a file', async () => {
  const { path, removeDir } = tempDatabasePath();
  const store = new SqliteStore({ path });
  return {
    store,
    async cleanup() {
      await store.close();
      removeDir();
    },
  };
});

describe('SqliteStore durability', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function openAt(path: string): SqliteStore {
    const store = new SqliteStore({ path });
    cleanups.push(async () => {
      if (store.db.open) await store.close();
    });
    return store;
  }

  const CLAIM_AT_T0 = {
    now: T0,
    leaseUntil: T0 + 30_000,
    limit: 10,
    excludeEndpointIds: [],
    perEndpointLimit: 10,
    endpointCaps: {},
  };

  /** A migrated store with one application, one endpoint and one due delivery; hold() holds every later fsync. */
  async function storeWithOneDueDelivery() {
    const { path, removeDir } = tempDatabasePath();
    cleanups.push(removeDir);
    const held: Array<(error: NodeJS.ErrnoException | null) => void> = [];
    let holding = false;
    const store = new SqliteStore({
      path,
      fsync: (_fd, callback) => (holding ? held.push(callback) : setImmediate(() => callback(null))),
    });
    cleanups.push(async () => {
      holding = false;
      for (const release of held) release(null);
      if (store.db.open) await store.close();
    });
    await store.migrate();
    const app = await store.createApplication({ name: 'acme' }, T0);
    await store.createEndpoint(app.id, { url: 'https://receiver.example.com/hook', secret: 'whsec_a' }, T0);
    await store.publish(app.id, { eventType: 'invoice.paid', payload: '{}' }, T0);
    const hold = () => {
      holding = true;
    };
    return { store, app, held, hold };
  }

  it('keeps applications, endpoints, messages, the queue and attempts across closing and reopening the file', async () => {
    const { path, removeDir } = tempDatabasePath();
    cleanups.push(removeDir);
    const before = openAt(path);
    await before.migrate();
    const app = await before.createApplication({ name: 'acme', uid: 'acme' }, T0);
    const endpoint = await before.createEndpoint(
      app.id,
      { url: 'https://receiver.example.com/hook', secret: 'whsec_a' },
      T0,
    );
    const delivered = await before.publish(app.id, { eventType: 'invoice.paid', eventId: 'evt_1', payload: '{}' }, T0);
    const queued = await before.publish(app.id, { eventType: 'invoice.paid', eventId: 'evt_2', payload: '{}' }, T0 + 1);
    const [first] = await before.claimDueDeliveries({
      now: T0,
      leaseUntil: T0 + 30_000,
      limit: 1,
      excludeEndpointIds: [],
      perEndpointLimit: 10,
      endpointCaps: {},
    });
    if (first === undefined) throw new Error('expected a claim');
    await before.recordAttempts([
      {
        deliveryId: first.delivery.id,
        leaseUntil: T0 + 30_000,
        outcome: 'succeeded',
        trigger: 'scheduled',
        url: endpoint.url,
        statusCode: 200,
        responseBody: 'ok',
        durationMs: 5,
        error: null,
        at: T0 + 2,
        next: { status: 'dead' },
        disableEndpoint: null,
      },
    ]);
    await before.close();

    const after = openAt(path);
    await after.migrate();
    expect(await after.getApplication('acme')).toEqual(app);
    expect(await after.getEndpoint(app.id, endpoint.id)).toEqual(endpoint);
    expect(await after.activeSecrets(endpoint.id, T0)).toEqual([{ secret: 'whsec_a', expiresAt: null }]);
    expect(await after.getMessage(app.id, 'evt_1')).toEqual(delivered.message);
    expect((await after.listAttemptsForMessage(app.id, delivered.message.id, { limit: 10 })).data).toHaveLength(1);
    expect(await after.countDeliveries({ status: 'succeeded' })).toBe(1);
    expect(await after.nextDueAt()).toBe(T0 + 1);
    const [next] = await after.claimDueDeliveries({
      now: T0 + 1,
      leaseUntil: T0 + 30_000,
      limit: 10,
      excludeEndpointIds: [],
      perEndpointLimit: 10,
      endpointCaps: {},
    });
    expect(next?.message).toEqual(queued.message);
  });

  it('a publish is on disk for another connection as soon as it resolves', async () => {
    const { path, removeDir } = tempDatabasePath();
    cleanups.push(removeDir);
    const writer = openAt(path);
    await writer.migrate();
    const reader = openAt(path);
    const app = await writer.createApplication({ name: 'acme' }, T0);
    await writer.createEndpoint(app.id, { url: 'https://receiver.example.com/hook', secret: 'whsec_a' }, T0);

    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        writer
          .publish(app.id, { eventType: 'invoice.paid', eventId: `evt_${i}`, payload: '{}' }, T0)
          .then(async (result) => {
            expect(await reader.getMessage(app.id, result.message.id)).toEqual(result.message);
            return result;
          }),
      ),
    );
    expect(results).toHaveLength(20);
    expect(await reader.countDeliveries({ appId: app.id })).toBe(20);
  });

  // The durability promise, with the fsync held: nothing is answered before the fsync that covers its commit.
  it('answers a write only after an fsync of the WAL that started after its commit', async () => {
    const { path, removeDir } = tempDatabasePath();
    cleanups.push(removeDir);
    const held: Array<{ fd: number; release: (error: NodeJS.ErrnoException | null) => void }> = [];
    let holding = false;
    const store = new SqliteStore({
      path,
      fsync: (fd, callback) => (holding ? held.push({ fd, release: callback }) : setImmediate(() => callback(null))),
    });
    cleanups.push(async () => {
      holding = false;
      for (const entry of held) entry.release(null);
      if (store.db.open) await store.close();
    });
    expect(store.db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL: COMMIT itself does not fsync
    await store.migrate();
    holding = true;
    const createApp = store.createApplication({ name: 'acme' }, T0);
    await waitFor(() => held.length === 1);
    let created = false;
    void createApp.then(() => {
      created = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(created).toBe(false);

    // A write committed while that fsync runs waits for the NEXT one, which starts only when the first returns.
    const endpointWrite = createApp.then((app) =>
      store.createEndpoint(app.id, { url: 'https://receiver.example.com/hook', secret: 'whsec_a' }, T0),
    );
    held[0]?.release(null);
    const app = await createApp;
    expect(created).toBe(true);
    await waitFor(() => held.length === 2);
    let endpointDone = false;
    void endpointWrite.then(() => {
      endpointDone = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(endpointDone).toBe(false);
    held[1]?.release(null);
    await endpointWrite;

    // Several publishes committed during one fsync share the next one.
    const publishes = Array.from({ length: 10 }, (_, i) =>
      store.publish(app.id, { eventType: 'invoice.paid', eventId: `evt_${i}`, payload: '{}' }, T0),
    );
    await waitFor(() => held.length === 3);
    held[2]?.release(null);
    if (held.length === 4) held[3]?.release(null);
    expect(await Promise.all(publishes)).toHaveLength(10);
    // Twelve writes since holding began, and each fsync of them passed through `held`: the ten publishes shared.
    expect(held.length).toBeLessThanOrEqual(4);
  });

  // A replay must not answer from a commit a power cut could take back: reads see commits before their fsync.
  it('replays an Idempotency-Key answer only once the commit it was read from is on disk', async () => {
    const { store, app, held, hold } = await storeWithOneDueDelivery();
    const scope = { callerId: 'key_a', key: 'k1', path: `/api/v1/app/${app.id}/msg` };
    const record = { ...scope, requestSha256: 'a'.repeat(64), now: T0, expiresAt: T0 + 86_400_000 };
    hold();
    const publish = store.publish(app.id, { eventType: 'invoice.paid', payload: '{}' }, T0, {
      record,
      answer: (message) => ({ statusCode: 202, body: JSON.stringify({ id: message.id }) }),
    });
    // Committed (the read below sees it), its fsync held.
    await waitFor(() => held.length === 1);
    const settled: string[] = [];
    const lookup = store.lookupIdempotent(scope, T0 + 1).then((live) => {
      settled.push(`lookup ${live?.state}`);
      return live;
    });
    const begin = store
      .beginIdempotent({ ...record, now: T0 + 1, lockedUntil: T0 + 60_000 })
      .then((state) => settled.push(`begin ${state.state}`));
    void publish.then(() => settled.push('publish'));
    for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toEqual([]);
    // The publish's fsync, then the one the replays wait for (it started after their reads).
    held[0]?.(null);
    await waitFor(() => settled.includes('publish') && held.length === 2);
    expect(settled).toEqual(['publish']);
    held[1]?.(null);
    await Promise.all([lookup, begin]);
    expect(settled.sort()).toEqual(['begin completed', 'lookup completed', 'publish']);
    // Nothing to replay, nothing to wait for: the look-up of another key answers without an fsync.
    expect(await store.lookupIdempotent({ ...scope, key: 'k2' }, T0 + 2)).toBeNull();
    expect(held).toHaveLength(2);
  });

  // A claim needs no fsync: a lease lost to a power cut leaves its delivery pending, sent again (at least once).
  it('answers a claim at its commit, without waiting for an fsync', async () => {
    const { store, held, hold } = await storeWithOneDueDelivery();
    hold();
    let claimed: unknown[] | null = null;
    void store.claimDueDeliveries(CLAIM_AT_T0).then((batch) => {
      claimed = batch;
    });
    await waitFor(() => claimed !== null || held.length > 0);
    expect(held).toHaveLength(0);
    expect(claimed).toHaveLength(1);
  });

  // Nor does an attempt's record: lost to a power cut, its delivery stays leased and is sent again when the lease
  // runs out (at least once); the next durable write puts it on disk. Waiting made every attempt pay an fsync.
  it('answers an attempt record at its commit, and the next durable write waits for the fsync that covers both', async () => {
    const { store, app, held, hold } = await storeWithOneDueDelivery();
    const [delivery] = await store.claimDueDeliveries(CLAIM_AT_T0);
    if (delivery === undefined) throw new Error('nothing claimed');
    hold();
    let recorded: unknown = null;
    void store
      .recordAttempts([
        {
          deliveryId: delivery.delivery.id,
          leaseUntil: T0 + 30_000,
          outcome: 'succeeded',
          trigger: 'scheduled',
          url: 'https://receiver.example.com/hook',
          statusCode: 204,
          responseBody: '',
          durationMs: 3,
          error: null,
          at: T0 + 1,
          next: { status: 'dead' },
          disableEndpoint: null,
        },
      ])
      .then((result) => {
        recorded = result;
      });
    await waitFor(() => recorded !== null || held.length > 0);
    expect(held).toHaveLength(0);
    expect(recorded).toEqual({ staleDeliveryIds: [], disabledEndpoints: [] });
    // A durable write after it is answered only once an fsync, started after both commits, returns.
    let published = false;
    const publish = store.publish(app.id, { eventType: 'invoice.paid', payload: '{}' }, T0 + 2).then(() => {
      published = true;
    });
    await waitFor(() => held.length === 1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(published).toBe(false);
    held[0]?.(null);
    await publish;
  });

  it('fails the writes of a batch whose fsync failed, instead of answering them as durable', async () => {
    const { path, removeDir } = tempDatabasePath();
    cleanups.push(removeDir);
    let failNext = false;
    const store = new SqliteStore({
      path,
      fsync: (_fd, callback) => {
        const error = failNext ? Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }) : null;
        setImmediate(() => callback(error));
      },
    });
    cleanups.push(async () => {
      if (store.db.open) await store.close();
    });
    await store.migrate();
    const app = await store.createApplication({ name: 'acme' }, T0);
    failNext = true;
    await expect(store.publish(app.id, { eventType: 'invoice.paid', payload: '{}' }, T0)).rejects.toThrow(/EIO/);
    failNext = false;
    await expect(store.publish(app.id, { eventType: 'invoice.paid', payload: '{}' }, T0)).resolves.toBeDefined();
  });

  it("uses SQLite's own synchronous=FULL when asked for FULL-INLINE", async () => {
    const { path, removeDir } = tempDatabasePath();
    cleanups.push(removeDir);
    const store = new SqliteStore({ path, synchronous: 'FULL-INLINE' });
    cleanups.push(async () => {
      if (store.db.open) await store.close();
    });
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
    expect(store.walSync).toBeNull();
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 2));
  if (!condition()) throw new Error('condition not reached within 1 s');
}

describe('SqliteStore schema', () => {
  it('indexes the child columns of every foreign key, so no cascade or check scans a table', async () => {
    // A delete cascades through foreign keys row by row: an unindexed child key means a full scan of the child
    // table per deleted parent row (attempts.delivery_id once made deleting an endpoint take 41 s).
    const { path, removeDir } = tempDatabasePath();
    const store = new SqliteStore({ path });
    try {
      await store.migrate();
      const tables = store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
      const unindexed: string[] = [];
      let foreignKeys = 0;
      for (const table of tables) {
        const keys = new Map<number, string[]>();
        for (const fk of store.db.pragma(`foreign_key_list(${table})`) as Array<{ id: number; from: string }>) {
          keys.set(fk.id, [...(keys.get(fk.id) ?? []), fk.from]);
        }
        // A partial index cannot serve `DELETE ... WHERE child = ?`: only full ones count.
        const indexes = (store.db.pragma(`index_list(${table})`) as Array<{ name: string; partial: number }>)
          .filter((index) => index.partial === 0)
          .map((index) => (store.db.pragma(`index_info(${index.name})`) as Array<{ name: string }>).map((c) => c.name));
        for (const columns of keys.values()) {
          foreignKeys++;
          const covered = indexes.some((index) => {
            const leading = index.slice(0, columns.length);
            return leading.length === columns.length && columns.every((column) => leading.includes(column));
          });
          if (!covered) unindexed.push(`${table}(${columns.join(', ')})`);
        }
      }
      expect(foreignKeys).toBeGreaterThan(5);
      expect(unindexed).toEqual([]);
    } finally {
      await store.close();
      removeDir();
    }
  });
});
