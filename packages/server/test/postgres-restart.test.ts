// A PostgreSQL restart mid-run: the API and the workers lose every connection, reconnect (the pool and the LISTEN
// connection), and deliver everything; nothing is lost and nothing hangs. This runs its own PostgreSQL cluster
// (initdb in a temp dir, its own port), never the machine's shared one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionConfig } from '../src/store/postgres/pool.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import { WorkListener } from '../src/store/postgres/work-listener.js';
import { freePort } from './support/hookline-process.js';
import { duplicates, repeatsWithoutAFailure, runAcrossProcesses } from './support/multi-process-run.js';
import { PrivatePostgres, privateClusterSupported } from './support/private-postgres.js';

const EVENTS = 10_000;
const supported = privateClusterSupported();
if (!supported) console.warn('SKIP the PostgreSQL restart test: no initdb under /usr/lib/postgresql');

describe.skipIf(!supported)('a PostgreSQL restart in the middle of a run', () => {
  let cluster: PrivatePostgres | null = null;
  beforeAll(async () => {
    cluster = new PrivatePostgres(await freePort());
    cluster.init();
    await cluster.start();
  }, 120_000);
  afterAll(() => cluster?.destroy());

  it('the LISTEN connection and the pool come back after a restart, and the next publish is heard', {
    timeout: 120_000,
  }, async () => {
    const db = cluster as PrivatePostgres;
    const store = new PostgresStore({ url: db.url, schema: 'listen_test' });
    let heard = 0;
    const listener = new WorkListener({
      config: connectionConfig({ url: db.url }),
      onWork: () => heard++,
      logger: { warn: () => undefined },
      minBackoffMs: 50,
      maxBackoffMs: 500,
    });
    try {
      await store.migrate();
      const app = await store.createApplication({ name: 'listen' }, Date.now());
      await store.createEndpoint(
        app.id,
        { url: 'https://receiver.example.com/hook', secret: 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
        Date.now(),
      );
      listener.start();
      expect(await listener.ready(10_000)).toBe(true);
      await db.stop('fast');
      await expect.poll(() => listener.isListening(), { timeout: 10_000 }).toBe(false);
      await db.start();
      await expect.poll(() => listener.isListening(), { timeout: 30_000 }).toBe(true);
      const before = heard;
      // The pool's connections died with the server; the publish gets a new one.
      await store.publish(app.id, { eventType: 'invoice.paid', payload: '{}' }, Date.now());
      await expect.poll(() => heard, { timeout: 10_000 }).toBeGreaterThan(before);
    } finally {
      await listener.stop();
      await store.close();
    }
  });

  it(`API and 3 workers reconnect and deliver all ${EVENTS} events`, { timeout: 300_000 }, async () => {
    const db = cluster as PrivatePostgres;
    const leaseMarginMs = 1500;
    const timeoutMs = 2000;
    let downMs = 0;
    let upAt = 0;
    const result = await runAcrossProcesses({
      database: `${db.url}?schema=hookline`,
      inspect: { connectionString: db.url, options: '-c search_path=hookline' },
      events: EVENTS,
      workers: 3,
      delivery: {
        timeoutMs: 2000,
        leaseMarginMs,
        pollIntervalMs: 200,
        concurrencyPerEndpoint: 8,
        // Long enough that a delivery whose sends time out on a busy machine is not dead before the receiver answers;
        // and no circuit opened by such timeouts (an endpoint's 8 sends in flight can time out together) holding an
        // endpoint for 30 s and more: what these runs check is the disturbance, not the breaker.
        retrySchedule: [0.1, 0.2, 0.5, 1, 1, 1, 1, 1, 1, 1],
        circuitFailureThreshold: 10_000,
      },
      receiverDelayMs: 20,
      disturbAt: 3000,
      async disturb() {
        const stoppedAt = Date.now();
        await db.stop('fast');
        // Down for a moment, while publishers and workers keep trying.
        await new Promise((resolve) => setTimeout(resolve, 1500));
        await db.start();
        upAt = Date.now();
        downMs = upAt - stoppedAt;
      },
    });
    expect(downMs).toBeGreaterThan(0);
    expect(result.accepted).toBe(EVENTS);
    expect(result.arrivals.size).toBe(EVENTS);
    expect(result.statuses).toEqual({ succeeded: EVENTS });
    expect(result.running).toBe(4);
    // A send whose result could not be recorded while the database was down is sent again once its lease ran out.
    // Such a send started before the database was back (plus one request timeout); a retry of a recorded failure (a
    // send that timed out on a busy machine) is the schedule at work; any other repeat would be a delivery held by
    // two workers at once.
    const unexplained = repeatsWithoutAFailure(result, upAt).filter((repeat) => (repeat.arrivals[0] ?? 0) > timeoutMs);
    expect(unexplained).toEqual([]);
    console.log(
      `restart test: database down ${downMs} ms; ${duplicates(result.arrivals).length} deliveries sent again after their lease`,
    );
  });
});
