// The transactional outbox on PostgreSQL: Hookline's tables in a schema of their own in the application's database,
// publish inside the application's own transaction, held by each way an application can hold one (a node-postgres
// client in its BEGIN … COMMIT, a Kysely or a Drizzle transaction through hookline/outbox/kysely and /drizzle). The
// event exists exactly when the application's transaction commits; a worker (here, in this process) is woken by the
// NOTIFY sent at that commit.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICES, serviceAvailable } from '../../../test/support/services.js';
import { createHookline, type Hookline } from '../src/embedded/create-hookline.js';
import { commit, OrderPlacer, OUTBOX_WAYS, rollBack } from './support/outbox-orders.js';
import { dropSchema, randomSchemaName } from './support/postgres-schema.js';
import { TestReceiver, waitFor } from './support/receiver.js';

const available = await serviceAvailable('postgres');
const url = SERVICES.postgres.url;

describe.skipIf(!available)('publish inside the application’s PostgreSQL transaction', () => {
  const schema = randomSchemaName();
  const table = `${randomSchemaName()}_orders`;
  const receiver = new TestReceiver();
  const pool = new pg.Pool({ connectionString: url, max: 20 });
  let hookline: Hookline;
  let appId: string;
  let orders: OrderPlacer;

  beforeAll(async () => {
    await receiver.start();
    hookline = await createHookline({
      database: `${url}?schema=${schema}`,
      allowPrivateNetworks: true,
      // A long poll: a delivery that arrives quickly was woken by the commit's NOTIFY, not found by the poll.
      delivery: { retrySchedule: [0.05], pollIntervalMs: 60_000 },
    });
    const app = await hookline.createApplication({ name: 'shop' });
    appId = app.id;
    await hookline.createEndpoint(appId, { url: `${receiver.url}/orders` });
    await pool.query(`CREATE TABLE public.${table} (event_id text PRIMARY KEY)`);
    orders = new OrderPlacer(hookline, appId, table, pool);
    hookline.startWorker();
  });

  afterAll(async () => {
    await hookline?.close();
    await pool.query(`DROP TABLE IF EXISTS public.${table}`);
    await orders?.close(); // ends the pool
    await receiver.stop();
    await dropSchema(url, schema);
  }, 120_000);

  /** Copies of the event `eventId` the receiver has had. */
  const received = (eventId: string) => receiver.requests.filter((r) => JSON.parse(r.body).eventId === eventId).length;
  const rowsOf = async (eventIds: readonly string[]) =>
    (await pool.query(`SELECT event_id FROM public.${table} WHERE event_id = ANY($1::text[])`, [eventIds])).rows.map(
      (row: { event_id: string }) => row.event_id,
    );

  describe.each(OUTBOX_WAYS)('through %s', (way) => {
    /** A committed event published after the others and delivered: whatever was to be delivered before it has been. */
    async function sentinelDelivered() {
      const eventId = `${way}-sentinel-${randomSchemaName()}`;
      await orders.place(way, eventId, commit);
      await waitFor(() => received(eventId) === 1, 'the sentinel delivered', 30_000);
    }

    it('delivers a committed event once, woken by the commit', { timeout: 60_000 }, async () => {
      const eventId = `${way}-committed`;
      await orders.place(way, eventId, commit);
      await waitFor(() => received(eventId) === 1, 'the committed event delivered', 30_000);
      await sentinelDelivered();
      expect(received(eventId)).toBe(1);
      expect(await rowsOf([eventId])).toEqual([eventId]);
    });

    it('delivers nothing of a rolled-back transaction', { timeout: 60_000 }, async () => {
      const eventId = `${way}-rolled-back`;
      await orders.place(way, eventId, rollBack);
      await sentinelDelivered();
      expect(received(eventId)).toBe(0);
      expect(await hookline.store.getMessage(appId, eventId)).toBeNull();
      expect(await rowsOf([eventId])).toEqual([]);
    });

    it('16 concurrent transactions, half rolled back: exactly the committed half delivered', {
      timeout: 90_000,
    }, async () => {
      const ids = Array.from({ length: 16 }, (_, i) => `${way}-concurrent-${i}`);
      const committed = ids.filter((_, i) => i % 2 === 0);
      await Promise.all(ids.map((id) => orders.place(way, id, committed.includes(id) ? commit : rollBack)));
      await waitFor(() => committed.every((id) => received(id) === 1), 'the committed eight delivered', 30_000);
      await sentinelDelivered();
      for (const id of ids) expect(received(id), id).toBe(committed.includes(id) ? 1 : 0);
      for (const id of ids)
        expect((await hookline.store.getMessage(appId, id)) !== null, id).toBe(committed.includes(id));
      expect((await rowsOf(ids)).sort()).toEqual([...committed].sort());
    });

    it('a process killed between its write and its commit leaves neither its row nor the event', {
      timeout: 90_000,
    }, async () => {
      const eventId = `${way}-killed`;
      const script = fileURLToPath(new URL('./support/outbox-child.ts', import.meta.url));
      // node with tsx's loader, not the tsx CLI: the CLI runs node as a child of its own, which SIGKILL would not reach.
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', script, `${url}?schema=${schema}`, appId, table, eventId, way],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      await new Promise<void>((resolve, reject) => {
        child.stdout?.on('data', (data: Buffer) => {
          if (data.toString().includes('written')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`the child exited (${code}) before writing`)));
      });
      child.kill('SIGKILL');
      await exited;
      // PostgreSQL rolls back a dead backend's transaction once it reads the closed connection: then no session holds
      // a lock on the application's table any more.
      await waitFor(
        async () =>
          (
            await pool.query(
              'SELECT count(*)::int AS n FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = $1 AND l.pid <> pg_backend_pid()',
              [table],
            )
          ).rows[0].n === 0,
        "the killed process's transaction rolled back",
        30_000,
      );
      await sentinelDelivered();
      expect(received(eventId)).toBe(0);
      expect(await hookline.store.getMessage(appId, eventId)).toBeNull();
      expect(await rowsOf([eventId])).toEqual([]);
    });
  });
});
