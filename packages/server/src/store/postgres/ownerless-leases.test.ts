// A lease taken without an owner (the process could not hold its lease-owner session then: the database was
// restarting) must run out by time only. The claim of 0009 took such leases back at once whenever no process held
// an owner lock in the database, so the next claim handed the same delivery out again while it was being sent.
// Owner locks are per database, and other suites hold theirs in the shared one: this test has a database of its own.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICES, serviceAvailable } from '../../../../../test/support/services.js';
import { createApp, createEndpoint, LEASE_MS, newMessage, T0 } from '../conformance/fixtures.js';
import { PostgresStore } from './postgres-store.js';

const available = await serviceAvailable('postgres');

describe.skipIf(!available)('leases without an owner (PostgreSQL)', () => {
  const database = `hl_owners_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: SERVICES.postgres.url });
  let store: PostgresStore;

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    const url = new URL(SERVICES.postgres.url);
    url.pathname = `/${database}`;
    store = new PostgresStore({ url: url.toString(), max: 2 });
    await store.migrate();
  });
  // DROP DATABASE waits for a checkpoint, which on a machine busy writing (other suites, other work) has taken
  // over the 60 s hook default: the drop is cleanup, so it gets the time it needs.
  afterAll(async () => {
    await store?.close();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  }, 300_000);

  it('are not taken back by the next claim while no process holds an owner lock', async () => {
    const app = await createApp(store);
    await createEndpoint(store, app.id);
    await store.publish(app.id, newMessage(), T0);
    await store.publish(app.id, newMessage(), T0);
    // The claim as a process without its owner session runs it: p_owner NULL. No store here has opened one.
    const claimOne = async () =>
      (
        await store.pool.query<{ id: string }>(
          `SELECT delivery->>'id' AS id FROM hookline_claim($1, $2, 1, 16, '{}', '{}', NULL)`,
          [T0 + 1, T0 + 1 + LEASE_MS],
        )
      ).rows.map((row) => row.id);
    const { rows: owners } = await store.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND classid = 720615 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    );
    expect(owners).toEqual([{ n: 0 }]);

    const [first] = await claimOne();
    const [second] = await claimOne();
    expect(first).toBeDefined();
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    expect(await store.countDeliveries({ status: 'sending' })).toBe(2);
    // Nothing more until the leases run out.
    expect(await claimOne()).toEqual([]);
  });
});
