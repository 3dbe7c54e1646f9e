// What only the PostgreSQL store promises: several processes (here: several stores, each its own pool, on one
// schema) share each endpoint's concurrency limit, rate tokens and circuit, migrate safely at once, and wake one
// another with NOTIFY.
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { SERVICES, serviceAvailable } from '../../../../../test/support/services.js';
import { dropSchema, randomSchemaName } from '../../../test/support/postgres-schema.js';
import { claimOptions, failed, LEASE_MS, newMessage, SECRET, succeeded, T0 } from '../conformance/fixtures.js';
import type { ClaimOptions } from '../queue.js';
import { postgresMigrations } from './migrations.js';
import { PostgresStore } from './postgres-store.js';

const available = await serviceAvailable('postgres');
const url = SERVICES.postgres.url;
const CIRCUIT = { failureThreshold: 3, openMs: 10_000, maxOpenMs: 60_000 };

describe.skipIf(!available)('PostgresStore across processes', () => {
  let schema = '';
  const stores: PostgresStore[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    if (schema !== '') await dropSchema(url, schema);
    schema = '';
  });

  /** `count` stores on one fresh schema, as `count` processes would be. */
  async function processes(count: number): Promise<PostgresStore[]> {
    schema = randomSchemaName();
    for (let i = 0; i < count; i++) stores.push(new PostgresStore({ url, schema, max: 4, circuit: CIRCUIT }));
    await Promise.all(stores.map((store) => store.migrate()));
    return [...stores];
  }

  async function endpointWithBacklog(store: PostgresStore, deliveries: number, throttleRate: number | null = null) {
    const app = await store.createApplication({ name: 'acme' }, T0);
    const endpoint = await store.createEndpoint(
      app.id,
      { url: 'https://receiver.example.com/hook', secret: SECRET, throttleRate },
      T0,
    );
    for (let i = 0; i < deliveries; i++) await store.publish(app.id, newMessage(), T0);
    return { app, endpoint };
  }

  const limited = (now: number, overrides: Partial<ClaimOptions> = {}) =>
    claimOptions(now, { perEndpointLimit: 3, ...overrides });

  it('migrations run once when several processes start together', async () => {
    const [first] = await processes(4);
    const { rows } = await (first as PostgresStore).pool.query(
      'SELECT version FROM schema_migrations ORDER BY version',
    );
    expect(rows.map((row) => row.version)).toEqual(postgresMigrations().map((migration) => migration.version));
  });

  it('an endpoint concurrency limit holds across processes: in-flight sends of one count for the other', async () => {
    const [a, b] = (await processes(2)) as [PostgresStore, PostgresStore];
    await endpointWithBacklog(a, 10);
    const claimedByA = await a.claimDueDeliveries(limited(T0));
    expect(claimedByA).toHaveLength(3);
    expect(await b.claimDueDeliveries(limited(T0))).toEqual([]);
    await a.recordAttempts([succeeded(claimedByA[0] as (typeof claimedByA)[0], T0 + 1)]);
    expect(await b.claimDueDeliveries(limited(T0 + 1))).toHaveLength(1);
    // A lease that ran out no longer counts: its delivery is claimable again, within the same limit.
    expect(await b.claimDueDeliveries(limited(T0 + LEASE_MS + 1))).toHaveLength(3);
  });

  it('parallel claims from several processes never take more than the limit together', async () => {
    const all = await processes(3);
    await endpointWithBacklog(all[0] as PostgresStore, 30);
    const claims = await Promise.all(
      all.flatMap((store) => [store, store].map((s) => s.claimDueDeliveries(limited(T0)))),
    );
    expect(claims.flat()).toHaveLength(3);
  });

  it('throttleRate tokens are shared: what one process spends, the other does not get', async () => {
    const [a, b] = (await processes(2)) as [PostgresStore, PostgresStore];
    await endpointWithBacklog(a, 20, 4);
    const options = (now: number) => claimOptions(now, { perEndpointLimit: 100 });
    expect(await a.claimDueDeliveries(options(T0))).toHaveLength(4);
    expect(await b.claimDueDeliveries(options(T0))).toEqual([]);
    // 4 per second: 500 ms later two tokens have come back, for whichever process asks first.
    expect(await b.claimDueDeliveries(options(T0 + 500))).toHaveLength(2);
    expect(await a.claimDueDeliveries(options(T0 + 500))).toEqual([]);
  });

  it('a circuit opened by one process failures closes the endpoint for the other, then lets one probe through', async () => {
    const [a, b] = (await processes(2)) as [PostgresStore, PostgresStore];
    await endpointWithBacklog(a, 10);
    const options = (now: number) => claimOptions(now, { perEndpointLimit: 100 });
    const batch = await a.claimDueDeliveries(claimOptions(T0, { limit: 3 }));
    expect(batch).toHaveLength(3);
    const at = T0 + 10;
    await a.recordAttempts(
      batch.map((item) => ({
        ...failed(item, at, { status: 'pending', nextAttemptAt: at }),
        circuit: 'failure' as const,
      })),
    );
    expect(await b.claimDueDeliveries(options(at + 1))).toEqual([]);
    expect(await b.claimDueDeliveries(options(at + CIRCUIT.openMs - 1))).toEqual([]);
    const probe = await b.claimDueDeliveries(options(at + CIRCUIT.openMs));
    expect(probe).toHaveLength(1);
    expect(await a.claimDueDeliveries(options(at + CIRCUIT.openMs + 1))).toEqual([]);
    await b.recordAttempts([
      { ...succeeded(probe[0] as (typeof probe)[0], at + CIRCUIT.openMs + 2), circuit: 'success' },
    ]);
    expect(await a.claimDueDeliveries(options(at + CIRCUIT.openMs + 3))).toHaveLength(9);
  });

  it('a failed probe opens the circuit again for twice as long', async () => {
    const [a] = (await processes(1)) as [PostgresStore];
    await endpointWithBacklog(a, 5);
    const options = (now: number) => claimOptions(now, { perEndpointLimit: 100 });
    const batch = await a.claimDueDeliveries(claimOptions(T0, { limit: 3 }));
    await a.recordAttempts(
      batch.map((item) => ({
        ...failed(item, T0, { status: 'pending', nextAttemptAt: T0 }),
        circuit: 'failure' as const,
      })),
    );
    const reopenAt = T0 + CIRCUIT.openMs;
    const [probe] = await a.claimDueDeliveries(options(reopenAt));
    if (probe === undefined) throw new Error('expected a probe');
    await a.recordAttempts([
      { ...failed(probe, reopenAt, { status: 'pending', nextAttemptAt: reopenAt }), circuit: 'failure' },
    ]);
    expect(await a.claimDueDeliveries(options(reopenAt + 2 * CIRCUIT.openMs - 1))).toEqual([]);
    expect(await a.claimDueDeliveries(options(reopenAt + 2 * CIRCUIT.openMs))).toHaveLength(1);
  });

  it('a claim that waited for a gate returns every delivery it leased; one committed meanwhile waits for the next', async () => {
    const [a, b] = (await processes(2)) as [PostgresStore, PostgresStore];
    const { app, endpoint } = await endpointWithBacklog(a, 1);
    const holder = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
    await holder.connect();
    try {
      // Another worker's claim holds the endpoint's gate...
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM endpoint_gates WHERE endpoint_id = $1 FOR UPDATE', [endpoint.id]);
      const claiming = a.claimDueDeliveries(claimOptions(T0 + 1));
      await expect
        .poll(
          async () =>
            (
              await b.pool.query(
                "SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%hookline_claim%'",
              )
            ).rows[0]?.n,
          { timeout: 10_000 },
        )
        .toBeGreaterThanOrEqual(1);
      // ...while a new message for it commits; then the gate is free.
      await b.publish(app.id, newMessage(), T0);
      await holder.query('COMMIT');
      const claimed = await claiming;
      // Whatever the claim leased, it hands out: no delivery may stay sending with nobody sending it. It chose its
      // candidates before it waited (0012), so the delivery committed meanwhile is not among them: it is pending,
      // and the next claim takes it with its message.
      expect(await a.countDeliveries({ status: 'sending' })).toBe(claimed.length);
      expect(claimed).toHaveLength(1);
      expect(await a.countDeliveries({ status: 'pending' })).toBe(1);
      const next = await a.claimDueDeliveries(claimOptions(T0 + 2));
      expect(next.map((item) => item.message.appId)).toEqual([app.id]);
      expect(await a.countDeliveries({ status: 'sending' })).toBe(2);
    } finally {
      await holder.end();
    }
  });

  it('a publish in one process wakes a worker listening in another', async () => {
    const [a, b] = (await processes(2)) as [PostgresStore, PostgresStore];
    const app = await a.createApplication({ name: 'acme' }, T0);
    await a.createEndpoint(app.id, { url: 'https://receiver.example.com/hook', secret: SECRET }, T0);
    let wakeups = 0;
    let woken: () => void = () => undefined;
    const stop = b.watchForWork(() => {
      wakeups++;
      woken();
    });
    try {
      // The listener wakes once on connecting (work may have come while nobody listened): wait for that first.
      await expect.poll(() => wakeups, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
      const before = wakeups;
      const signalled = new Promise<void>((resolve) => {
        woken = resolve;
      });
      await a.publish(app.id, newMessage(), T0);
      await signalled;
      expect(wakeups).toBeGreaterThan(before);
    } finally {
      await stop();
    }
  });
});
