// bench/filters: what a payload filter costs at fan-out (issue 14 §3). A message is published to an application of
// 1,000 enabled endpoints, three ways in alternating rounds of the same run, on each store:
//   unfiltered   1,000 endpoints with no payload filter (the baseline: 1,000 deliveries per message)
//   all pass     1,000 endpoints, each with its own filter that the payload passes (1,000 deliveries per message)
//   none pass    1,000 endpoints, each with its own filter that the payload fails (0 deliveries: evaluation alone)
// Printed: CPU µs per endpoint per message, from /proc (this process, all threads, fsync included; on PostgreSQL
// also the server backend that ran the publish), medians over the rounds, and the ratio all pass / unfiltered (the
// same rows written, so the difference is what evaluating filters adds).
// Run: npm run bench:filters   (env: BENCH_FILTERS_MESSAGES per round and side, 50; BENCH_ROUNDS, 5)
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PayloadFilter } from '../../packages/server/src/payload-filter/language.js';
import { PostgresStore } from '../../packages/server/src/store/postgres/postgres-store.js';
import { SqliteStore } from '../../packages/server/src/store/sqlite/sqlite-store.js';
import type { Store } from '../../packages/server/src/store/store.js';
import { dropSchema, randomSchemaName } from '../../packages/server/test/support/postgres-schema.js';
import { SERVICES, serviceAvailable } from '../../test/support/services.js';
import { processCpuMicros } from '../lib/proc-cpu.js';

const ENDPOINTS = 1_000;
const MESSAGES = Number(process.env.BENCH_FILTERS_MESSAGES ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** Every loop is bounded in count; this bounds the whole run in time too. */
const DEADLINE_MS = 10 * 60_000;

const PAYLOAD = JSON.stringify({
  type: 'invoice.paid',
  data: {
    id: 'in_1',
    amount: 4200,
    currency: 'EUR',
    customer: { id: 'cus_1', tier: 'gold', vip: false, country: 'FR' },
    lines: [
      { sku: 'a', price: 2000 },
      { sku: 'b', price: 2200 },
    ],
  },
});

/** A filter of the kind users write (three paths, $in, $or), distinct per endpoint so each is compiled apart. */
function filterFor(index: number, passes: boolean): PayloadFilter {
  return {
    'data.amount': { $gte: index % 100 },
    'data.currency': { $in: passes ? ['EUR', 'USD', 'GBP'] : ['JPY', 'CHF'] },
    $or: [{ 'data.customer.tier': 'gold' }, { 'data.customer.vip': true }],
  };
}

type Side = 'unfiltered' | 'all pass' | 'none pass';
const SIDES: readonly Side[] = ['unfiltered', 'all pass', 'none pass'];

interface Target {
  name: string;
  store: Store;
  /** The server backend's pid on PostgreSQL (one connection), to read its CPU as well. */
  serverPid: number | null;
  close(): Promise<void>;
}

async function sqliteTarget(): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'hookline-bench-filters-'));
  const store = new SqliteStore({ path: join(dir, 'hookline.db') });
  await store.migrate();
  return {
    name: 'sqlite',
    store,
    serverPid: null,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgresTarget(): Promise<Target | null> {
  if (!(await serviceAvailable('postgres'))) return null;
  const schema = randomSchemaName();
  const store = new PostgresStore({ url: SERVICES.postgres.url, schema, max: 1 });
  await store.migrate();
  const { rows } = await store.pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return {
    name: 'postgres',
    store,
    serverPid: rows[0]?.pid ?? null,
    async close() {
      await store.close();
      await dropSchema(SERVICES.postgres.url, schema);
    },
  };
}

async function applicationFor(store: Store, side: Side): Promise<string> {
  const app = await store.createApplication({ name: side }, Date.now());
  for (let index = 0; index < ENDPOINTS; index++) {
    await store.createEndpoint(
      app.id,
      {
        url: `https://receiver.example.com/${index}`,
        secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        payloadFilter: side === 'unfiltered' ? null : filterFor(index, side === 'all pass'),
      },
      Date.now(),
    );
  }
  return app.id;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

interface RoundCost {
  hooklineMicros: number;
  serverMicros: number | null;
}

async function publishRound(target: Target, appId: string, expected: number): Promise<RoundCost> {
  const hooklineBefore = processCpuMicros(process.pid) ?? Number.NaN;
  const serverBefore = target.serverPid === null ? undefined : processCpuMicros(target.serverPid);
  for (let i = 0; i < MESSAGES; i++) {
    const result = await target.store.publish(appId, { eventType: 'invoice.paid', payload: PAYLOAD }, Date.now());
    if (result.deliveries !== expected) throw new Error(`expected ${expected} deliveries, got ${result.deliveries}`);
  }
  const serverAfter = target.serverPid === null ? undefined : processCpuMicros(target.serverPid);
  const perEndpoint = MESSAGES * ENDPOINTS;
  return {
    hooklineMicros: ((processCpuMicros(process.pid) ?? Number.NaN) - hooklineBefore) / perEndpoint,
    serverMicros:
      serverBefore === undefined || serverAfter === undefined ? null : (serverAfter - serverBefore) / perEndpoint,
  };
}

async function measure(target: Target, started: number): Promise<void> {
  const apps = new Map<Side, string>();
  for (const side of SIDES) apps.set(side, await applicationFor(target.store, side));
  const costs = new Map<Side, RoundCost[]>(SIDES.map((side) => [side, []]));
  // One warm-up message each: compiles the filters, fills caches, plans the statement.
  for (const side of SIDES) await publishRound(target, apps.get(side) as string, side === 'none pass' ? 0 : ENDPOINTS);
  for (let round = 0; round < ROUNDS && Date.now() - started < DEADLINE_MS; round++) {
    const order = round % 2 === 0 ? SIDES : [...SIDES].reverse();
    for (const side of order) {
      const cost = await publishRound(target, apps.get(side) as string, side === 'none pass' ? 0 : ENDPOINTS);
      costs.get(side)?.push(cost);
    }
  }
  const hookline = (side: Side) => median((costs.get(side) ?? []).map((cost) => cost.hooklineMicros));
  const server = (side: Side) => {
    const values = (costs.get(side) ?? []).map((cost) => cost.serverMicros);
    return values.every((value) => value !== null) ? median(values as number[]) : Number.NaN;
  };
  const rounds = costs.get('unfiltered')?.length ?? 0;
  console.log(`\n${target.name}: ${ENDPOINTS} endpoints, ${MESSAGES} messages per side per round, ${rounds} rounds`);
  const show = (micros: number) => (Number.isNaN(micros) ? '-' : `${micros.toFixed(2)} µs`);
  for (const side of SIDES) {
    const serverPart = target.serverPid === null ? '' : `, postgres backend ${show(server(side))}`;
    console.log(`  ${side.padEnd(10)}  CPU per endpoint per message: hookline ${show(hookline(side))}${serverPart}`);
  }
  const ratio = hookline('all pass') / hookline('unfiltered');
  console.log(
    `  filtered (all pass) / unfiltered, hookline process CPU: ${ratio.toFixed(2)}x ` +
      `(+${show(hookline('all pass') - hookline('unfiltered'))} per filtered endpoint)`,
  );
  if (target.serverPid !== null) {
    const total = (side: Side) => hookline(side) + server(side);
    console.log(
      `  filtered (all pass) / unfiltered, hookline + postgres backend CPU: ${(total('all pass') / total('unfiltered')).toFixed(2)}x`,
    );
  }
}

const started = Date.now();
console.log(
  `bench/filters, load average ${loadavg()
    .map((load) => load.toFixed(2))
    .join(' ')}`,
);
for (const make of [sqliteTarget, postgresTarget]) {
  const target = await make();
  if (target === null) {
    console.log('\npostgres: not measured (no PostgreSQL on 127.0.0.1:5432)');
    continue;
  }
  try {
    await measure(target, started);
  } finally {
    await target.close();
  }
}
console.log(
  `\nload average at the end ${loadavg()
    .map((load) => load.toFixed(2))
    .join(' ')}`,
);
