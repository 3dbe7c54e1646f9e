// Issue 14, "enable vs release": a statement that sets a delivery due (RECORD's retry, hookline_advance_lines's next
// head) reads `endpoints.disabled` without a lock. One whose snapshot predates an enable's commit parks what it moves,
// while the enable's own snapshot predates that park, so nothing wakes it: 'paused' on an enabled endpoint for good.
// Each test forces that interleaving with locks held on other connections (no sleeps), checks the stranded state
// really arose where it can be seen, then waits for the repair (stranded.ts) to make the delivery due.
// Needs PostgreSQL on 127.0.0.1:5432 (db `test`, user postgres); test/support/services.ts prints how to start it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SERVICES, serviceAvailable } from '../../../../../test/support/services.js';
import { storeInFreshSchema } from '../../../test/support/postgres-schema.js';
import { waitFor as waitUntil } from '../../../test/support/receiver.js';
import {
  claimAll,
  claimOptions,
  createApp,
  createEndpoint,
  failed,
  newMessage,
  succeeded,
  T0,
} from '../conformance/fixtures.js';
import { setEndpointDisabledWith } from './endpoints.js';
import type { PostgresStore } from './postgres-store.js';
import type { Queryable } from './watched-pool.js';

const available = await serviceAvailable('postgres');

/** Generous: the condition is met in milliseconds on a quiet machine; this only bounds a failure. */
const BOUND_MS = 60_000;
const TEST_MS = 2 * BOUND_MS;

/** The suite's poll (test/support/receiver.ts), bounded by BOUND_MS. */
const waitFor = (what: string, condition: () => Promise<boolean>) => waitUntil(condition, what, BOUND_MS);

describe.skipIf(!available)('enable vs release (PostgreSQL)', () => {
  let store: PostgresStore;
  let cleanup: () => Promise<void>;
  const held: Array<{ client: Queryable & { release(): void }; open: boolean }> = [];

  beforeEach(async () => {
    ({ store, cleanup } = storeInFreshSchema(SERVICES.postgres.url, { max: 6 }));
    await store.migrate();
  });
  afterEach(async () => {
    for (const connection of held.splice(0)) {
      if (connection.open) await connection.client.query('ROLLBACK');
      connection.client.release();
    }
    await cleanup();
  });

  /** A transaction on a connection of its own, and its backend's pid (to see who waits for it). */
  async function begin(): Promise<{ client: Queryable; pid: number; commit(): Promise<void> }> {
    const client = await store.pool.connect();
    const connection = { client, open: true };
    held.push(connection);
    await client.query('BEGIN');
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    return {
      client,
      pid: rows[0]?.pid ?? 0,
      async commit() {
        await client.query('COMMIT');
        connection.open = false;
      },
    };
  }

  /** The pid of a backend now waiting for a lock `pid` holds (once one does). */
  async function waiterOn(pid: number): Promise<number> {
    let waiter = 0;
    await waitFor(`a statement waits for backend ${pid}`, async () => {
      const { rows } = await store.pool.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE $1 = ANY (pg_blocking_pids(pid))',
        [pid],
      );
      waiter = rows[0]?.pid ?? 0;
      return waiter !== 0;
    });
    return waiter;
  }

  async function statusOf(deliveryId: string): Promise<string | undefined> {
    const { rows } = await store.pool.query<{ status: string }>('SELECT status FROM deliveries WHERE id = $1', [
      deliveryId,
    ]);
    return rows[0]?.status;
  }

  async function isEnabled(appId: string, endpointId: string): Promise<boolean> {
    return (await store.getEndpoint(appId, endpointId))?.disabled === false;
  }

  /** What the engine runs on its periodic maintenance, until the delivery is due (pending). */
  async function repairedToPending(deliveryId: string, now: number): Promise<void> {
    await waitFor(`delivery ${deliveryId} due again`, async () => {
      await store.repairStrandedDeliveries(now);
      return (await statusOf(deliveryId)) === 'pending';
    });
  }

  it(
    'a retry recorded while an enable commits is parked by the race, and the repair makes it due',
    async () => {
      const app = await createApp(store);
      const endpoint = await createEndpoint(store, app.id);
      await store.publish(app.id, newMessage(), T0);
      const [claimed] = await claimAll(store, T0);
      if (claimed === undefined) throw new Error('nothing claimed');
      await store.setEndpointDisabled(endpoint.id, true, 'maintenance', T0 + 1);

      const enable = await begin();
      await setEndpointDisabledWith(enable.client, endpoint.id, false, null, T0 + 2);
      // The recorder's snapshot is taken now, before the enable commits; it then waits for the enable's endpoint
      // row lock (its attempt's foreign key, its failing_since) and commits after it.
      const recording = store.recordAttempts([failed(claimed, T0 + 3, { status: 'pending', nextAttemptAt: T0 + 4 })]);
      await waiterOn(enable.pid);
      await enable.commit();
      expect((await recording).staleDeliveryIds).toEqual([]);

      // The stranded state: parked on an enabled endpoint, not in any ordered line.
      expect(await isEnabled(app.id, endpoint.id)).toBe(true);
      expect(await statusOf(claimed.delivery.id)).toBe('paused');

      await repairedToPending(claimed.delivery.id, T0 + 5);
      expect((await claimAll(store, T0 + 5)).map((item) => item.delivery.id)).toEqual([claimed.delivery.id]);
    },
    TEST_MS,
  );

  it(
    "an ordered line's next head made due while an enable commits is parked by the race, and repaired",
    async () => {
      const app = await createApp(store);
      const endpoint = await createEndpoint(store, app.id, { ordering: 'fifo' });
      await store.publish(app.id, newMessage({ orderingKey: 'customer-1' }), T0);
      const second = (await store.publish(app.id, newMessage({ orderingKey: 'customer-1' }), T0)).message;
      const [head] = await claimAll(store, T0);
      if (head === undefined) throw new Error('nothing claimed');
      await store.setEndpointDisabled(endpoint.id, true, 'maintenance', T0 + 1);

      const enable = await begin();
      await setEndpointDisabledWith(enable.client, endpoint.id, false, null, T0 + 2);
      // The head is delivered: its line moves on, reading the endpoint as still disabled, and commits first.
      await store.recordAttempts([succeeded(head, T0 + 3)]);
      await enable.commit();

      const { rows } = await store.pool.query<{ id: string; status: string; head: boolean }>(
        `SELECT d.id, d.status, l.head_id = d.id AS head FROM deliveries d
         JOIN ordering_lines l ON l.endpoint_id = d.endpoint_id AND l.ordering_key = d.ordering_key
        WHERE d.message_id = $1`,
        [second.id],
      );
      const next = rows[0];
      if (next === undefined) throw new Error('the second delivery is not in its line');
      // The stranded state: the line's head, parked on an enabled endpoint; the key is stuck.
      expect(await isEnabled(app.id, endpoint.id)).toBe(true);
      expect(next).toMatchObject({ status: 'paused', head: true });

      await repairedToPending(next.id, T0 + 5);
      expect((await claimAll(store, T0 + 5)).map((item) => item.delivery.id)).toEqual([next.id]);
    },
    TEST_MS,
  );

  it(
    'an enable through the store repairs on its own once the transactions that raced it have ended',
    async () => {
      const app = await createApp(store);
      const endpoint = await createEndpoint(store, app.id);
      await store.publish(app.id, newMessage(), T0);
      await store.publish(app.id, newMessage(), T0);
      const [claimed] = await store.claimDueDeliveries(claimOptions(T0, { limit: 1 }));
      if (claimed === undefined) throw new Error('nothing claimed');
      await store.setEndpointDisabled(endpoint.id, true, 'maintenance', T0 + 1);
      const { rows } = await store.pool.query<{ id: string }>(
        "SELECT id FROM deliveries WHERE endpoint_id = $1 AND status = 'paused'",
        [endpoint.id],
      );
      const parked = rows[0]?.id;
      if (parked === undefined) throw new Error('no parked delivery');

      // Holding the parked delivery's row keeps the enable's statement (snapshot taken, endpoint locked) from
      // finishing, so the recorder below starts inside the enable's transaction, as in production.
      const holder = await begin();
      await holder.client.query('SELECT 1 FROM deliveries WHERE id = $1 FOR UPDATE', [parked]);
      const enabling = store.updateEndpoint(app.id, endpoint.id, { disabled: false }, T0 + 2);
      const enabler = await waiterOn(holder.pid);
      // The recorder waits on the endpoint's gate row (its circuit hears the failure) until after the enable has
      // committed and the store has begun its repair: it commits last, as a slow recorder would.
      const gate = await begin();
      await gate.client.query('SELECT 1 FROM endpoint_gates WHERE endpoint_id = $1 FOR UPDATE', [endpoint.id]);
      const recording = store.recordAttempts([
        failed(claimed, T0 + 3, { status: 'pending', nextAttemptAt: T0 + 4 }, { circuit: 'failure' }),
      ]);
      const recorder = await waiterOn(gate.pid);
      await holder.commit();
      await enabling;
      await waitFor('the store began its repair after the enable', async () => {
        const { rows: seen } = await store.pool.query(
          `SELECT 1 FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND pid <> $1
            AND (query LIKE '%made_due%' OR query LIKE '%xact_start < to_timestamp%')`,
          [recorder],
        );
        return seen.length > 0;
      });
      expect(enabler).not.toBe(recorder);
      await gate.commit();
      await recording;
      // No repair is called here: the store runs its own after the enable, and the parked delivery is woken as usual.
      await waitFor('the retried delivery due again', async () => (await statusOf(claimed.delivery.id)) === 'pending');
      expect(await statusOf(parked)).toBe('pending');
      expect(await isEnabled(app.id, endpoint.id)).toBe(true);
    },
    TEST_MS,
  );
});
