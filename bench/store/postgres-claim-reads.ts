// bench/store, PostgreSQL claim reads: the rows of `deliveries` PostgreSQL reads per delivery claimed, draining a
// backlog with the claim function in force and with 0012's (an application's head of 4x the batch), side by side
// in two fresh schemas of the shared test database, claims alternating. Rows are counted by PostgreSQL
// (pg_stat_xact_user_tables in each claim's transaction), so they do not move with the machine's load; the
// milliseconds per claim (the client's wall time) do. With BENCH_CLAIM_ROUNDS=n it times n claims of each instead,
// each rolled back, so the backlog stays as published (BENCH_CLAIM_N=150: a head between 1x and 4x the batch).
// Run: npx tsx bench/store/postgres-claim-reads.ts   (env BENCH_CLAIM_N deliveries per application, 5,000;
// BENCH_CLAIM_APPS applications, 1; BENCH_CLAIM_LIMIT the batch, 64; HOOKLINE_TEST_POSTGRES_URL)
import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { POSTGRES_MIGRATIONS_DIRECTORY } from '../../packages/server/src/store/postgres/migrations.js';
import { PostgresStore } from '../../packages/server/src/store/postgres/postgres-store.js';
import { dropSchema, randomSchemaName } from '../../packages/server/test/support/postgres-schema.js';
import { SERVICES } from '../../test/support/services.js';

const perApp = Number(process.env.BENCH_CLAIM_N ?? 5000);
const apps = Number(process.env.BENCH_CLAIM_APPS ?? 1);
const limit = Number(process.env.BENCH_CLAIM_LIMIT ?? 64);
const ENDPOINTS = 10;
const T0 = Date.UTC(2030, 0, 1);
const LATER = T0 + 3_600_000;
const url = SERVICES.postgres.url;

const before = readFileSync(new URL('0012-claim-function-bounded-and-fair.sql', POSTGRES_MIGRATIONS_DIRECTORY), 'utf8');
const CLAIM_0012 = before.slice(before.indexOf('CREATE OR REPLACE FUNCTION hookline_claim'));
const ROWS_READ = `SELECT COALESCE(seq_tup_read, 0) + COALESCE(idx_tup_fetch, 0) AS n
  FROM pg_stat_xact_user_tables WHERE relid = 'deliveries'::regclass`;

interface Form {
  name: string;
  schema: string;
  store: PostgresStore;
  client?: pg.PoolClient;
  claims: number;
  claimed: number;
  rowsRead: number;
  ms: number[];
}

async function form(name: string, replaceWith?: string): Promise<Form> {
  const schema = randomSchemaName();
  const store = new PostgresStore({ url, schema, max: 2 });
  await store.migrate();
  if (replaceWith !== undefined) await store.pool.query(replaceWith);
  for (let a = 0; a < apps; a++) {
    const app = await store.createApplication({ name: `bench ${a}` }, T0);
    for (let e = 0; e < ENDPOINTS; e++) {
      await store.createEndpoint(
        app.id,
        { url: `https://e${e}.example.com/`, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
        T0,
      );
    }
    for (let m = 0; m < perApp / ENDPOINTS; m++) {
      await store.publish(app.id, { eventType: 'invoice.paid', payload: '{}' }, T0 + m);
    }
  }
  await store.pool.query('ANALYZE deliveries');
  return { name, schema, store, claims: 0, claimed: 0, rowsRead: 0, ms: [] };
}

/**
 * One claim of `limit` (the per-endpoint limit no bound: every claimed row is marked succeeded after the count, so
 * none stays in flight, as if each send were answered at once); false once nothing is due.
 */
async function claimOnce(f: Form): Promise<boolean> {
  f.client ??= await f.store.pool.connect();
  const client = f.client;
  await client.query('BEGIN');
  const start = Number((await client.query<{ n: string }>(ROWS_READ)).rows[0]?.n ?? 0);
  const began = performance.now();
  const { rows } = await client.query<{ id: string }>(
    "SELECT delivery->>'id' AS id FROM hookline_claim($1, $2, $3, $4, '{}', '{}', NULL)",
    [LATER, LATER + 3_600_000, limit, perApp],
  );
  const ms = performance.now() - began;
  const end = Number((await client.query<{ n: string }>(ROWS_READ)).rows[0]?.n ?? 0);
  await client.query("UPDATE deliveries SET status = 'succeeded', lease_until = NULL WHERE id = ANY ($1)", [
    rows.map((row) => row.id),
  ]);
  await client.query('COMMIT');
  if (rows.length === 0) return false;
  f.claims++;
  f.claimed += rows.length;
  f.rowsRead += end - start;
  f.ms.push(ms);
  return true;
}

/** One claim of `limit`, timed and rolled back (its rows and the session's turn too): the backlog stays. */
async function claimRolledBack(f: Form): Promise<void> {
  f.client ??= await f.store.pool.connect();
  const client = f.client;
  await client.query('BEGIN');
  const began = performance.now();
  const { rows } = await client.query(
    "SELECT delivery->>'id' AS id FROM hookline_claim($1, $2, $3, $4, '{}', '{}', NULL)",
    [LATER, LATER + 3_600_000, limit, perApp],
  );
  f.ms.push(performance.now() - began);
  await client.query('ROLLBACK');
  f.claims++;
  f.claimed += rows.length;
}

const rounds = Number(process.env.BENCH_CLAIM_ROUNDS ?? 0);
const forms = [await form('0012 (head 4x the batch)', CLAIM_0012), await form('in force (head at most the batch)')];
if (rounds > 0) {
  // In turn, first one form then the other first, so neither always runs on the machine the other left.
  for (let r = 0; r < rounds; r++) for (const f of r % 2 === 0 ? forms : [...forms].reverse()) await claimRolledBack(f);
} else {
  // One claim of each in turn, so both see the same machine.
  const going = forms.map(() => true);
  while (going.some(Boolean)) {
    for (const [i, f] of forms.entries()) if (going[i]) going[i] = await claimOnce(f);
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const how = rounds > 0 ? `${rounds} claims of ${limit} each, rolled back` : `claims of ${limit} until drained`;
console.log(`\n${apps} application(s) x ${ENDPOINTS} endpoints, ${perApp} due deliveries each, ${how}:\n`);
console.log(
  '| claim function | claims | deliveries claimed | deliveries rows read per delivery | median ms per claim |',
);
console.log('| --- | --- | --- | --- | --- |');
for (const f of forms) {
  console.log(
    `| ${f.name} | ${f.claims} | ${f.claimed} | ${rounds > 0 ? 'not counted' : (f.rowsRead / f.claimed).toFixed(2)} | ${median(f.ms).toFixed(2)} |`,
  );
}
for (const f of forms) {
  f.client?.release();
  await f.store.close();
  await dropSchema(url, f.schema);
}
