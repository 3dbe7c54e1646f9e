// Issue 16 item 2: one message to 10,000 endpoints on a PostgreSQL database whose tables were never analyzed
// stopped all delivery: each claim locked the gate of every endpoint with due work and ran for minutes under the
// plan PL/pgSQL caches, its leases ran out before it returned, and another application's message never arrived.
// Here, on tables with autovacuum off and no ANALYZE, with the production lease (15 s timeout + 15 s margin), the
// other application's message must arrive while the fan-out is still going, and every fan-out delivery once.
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { SERVICES, serviceAvailable } from '../../../test/support/services.js';
import { type RunningServer, serve } from '../src/cli/serve.js';
import { defaultConfig, type ServerConfig } from '../src/config.js';
import { SECRET } from '../src/store/conformance/fixtures.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import { ADMIN_TOKEN, Api, publish } from './support/hookline.js';
import { dropSchema, randomSchemaName } from './support/postgres-schema.js';
import { TestReceiver, waitFor } from './support/receiver.js';

const available = await serviceAvailable('postgres');
const url = SERVICES.postgres.url;
const FAN_OUT = 10_000;

describe.skipIf(!available)('a 10,000-endpoint fan-out on a never-analyzed PostgreSQL database', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** The applications and endpoints, written through a store of their own before the server starts. */
  async function seed(schema: string, receiverUrl: string): Promise<{ fanOutAppId: string; quietAppId: string }> {
    const store = new PostgresStore({ url, schema, max: 8 });
    try {
      await store.migrate();
      // No statistics, ever: autovacuum would analyze the tables a minute in; a fresh database is like this.
      const { rows } = await store.pool.query<{ tablename: string }>(
        'SELECT tablename FROM pg_tables WHERE schemaname = $1',
        [schema],
      );
      for (const { tablename } of rows) {
        await store.pool.query(`ALTER TABLE "${schema}"."${tablename}" SET (autovacuum_enabled = false)`);
      }
      const now = Date.now();
      const fanOut = await store.createApplication({ name: 'fan-out' }, now);
      const quiet = await store.createApplication({ name: 'quiet' }, now);
      for (let first = 0; first < FAN_OUT; first += 8) {
        await Promise.all(
          Array.from({ length: Math.min(8, FAN_OUT - first) }, (_, i) =>
            store.createEndpoint(fanOut.id, { url: `${receiverUrl}/fan-out/${first + i}`, secret: SECRET }, now),
          ),
        );
      }
      await store.createEndpoint(quiet.id, { url: `${receiverUrl}/quiet`, secret: SECRET }, now);
      return { fanOutAppId: fanOut.id, quietAppId: quiet.id };
    } finally {
      await store.close();
    }
  }

  it("delivers another application's message while the fan-out goes on, and all 10,000 once, none left for lease", {
    timeout: 900_000,
  }, async () => {
    const receiver = new TestReceiver();
    await receiver.start();
    cleanups.push(() => receiver.stop());
    const schema = randomSchemaName();
    cleanups.push(() => dropSchema(url, schema));
    const { fanOutAppId, quietAppId } = await seed(schema, receiver.url);

    const warnings: string[] = [];
    const logStream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        warnings.push(chunk.toString('utf8'));
        done();
      },
    });
    const database = new URL(url);
    database.searchParams.set('schema', schema);
    const base = defaultConfig();
    const config: ServerConfig = {
      ...base,
      port: 0,
      database: database.toString(),
      adminToken: ADMIN_TOKEN,
      allowPrivateNetworks: true,
      logLevel: 'warn',
      // The production lease: a claim that took longer than the margin would leave its batch unsent.
      delivery: { ...base.delivery, timeoutMs: 15_000, leaseMarginMs: 15_000, retrySchedule: [1, 1, 1] },
    };
    const server: RunningServer = await serve(config, {
      logger: pino({ level: 'warn' }, logStream),
      print: () => undefined,
    });
    cleanups.push(() => server.close());
    const api = new Api(server.url);

    // How much of the fan-out was still waiting to be claimed when the quiet message arrived (read just after).
    let pendingAtQuiet: Promise<number> | null = null;
    receiver.script('/quiet', () => {
      pendingAtQuiet ??= server.store.countDeliveries({ status: 'pending', appId: fanOutAppId });
      return { status: 200 };
    });
    const startedAt = Date.now();
    await publish(api, fanOutAppId, { fanOut: true });
    await publish(api, quietAppId, { quiet: true });
    await waitFor(() => receiver.on('/quiet').length > 0, "the quiet application's message", 300_000);
    const quietAfterMs = Date.now() - startedAt;
    await waitFor(() => receiver.requests.length >= FAN_OUT + 1, 'every delivery', 600_000);
    const allAfterMs = Date.now() - startedAt;

    const paths = receiver.requests.map((request) => request.path);
    const quietAt = paths.indexOf('/quiet');
    const fanOutPaths = paths.filter((path) => path.startsWith('/fan-out/'));
    const pending = await (pendingAtQuiet ?? Promise.resolve(-1));
    console.log(
      `fan-out of ${FAN_OUT}: the quiet message arrived ${quietAt}th, ${quietAfterMs} ms after the fan-out's ` +
        `publish, with ${pending} fan-out deliveries not yet claimed; all ${FAN_OUT + 1} after ${allAfterMs} ms`,
    );
    // Arrived while the fan-out was still going, most of it not even claimed yet: the claim takes one application
    // at a time in turn, whatever one of them has queued. In due order it would have come after all 10,000.
    expect(quietAt).toBeLessThan(FAN_OUT);
    expect(pending).toBeGreaterThan(FAN_OUT / 2);
    expect(fanOutPaths).toHaveLength(FAN_OUT);
    expect(new Set(fanOutPaths).size).toBe(FAN_OUT);
    expect(warnings.filter((line) => line.includes('lease too short'))).toEqual([]);
    await expect
      .poll(() => server.store.countDeliveries({ status: 'succeeded' }), { timeout: 60_000 })
      .toBe(FAN_OUT + 1);

    // Still no statistics: the claim was bounded without them.
    const { rows } = await (server.store as PostgresStore).pool.query<{ analyzed: boolean }>(
      `SELECT last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL AS analyzed
         FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'deliveries'`,
      [schema],
    );
    expect(rows).toEqual([{ analyzed: false }]);
  });
});
