// bench/delivery, PostgreSQL mode: the end-to-end run (publish through the API while delivery is live, until the
// receiver holds every event) with Hookline as one `--role api` process and 1, 2, then 4 `--role worker`
// processes on one PostgreSQL. Prints deliveries/s and SQL statements per delivery, counted by pg_stat_statements
// in a private cluster this script starts (initdb in a temp dir, its own port; the machine's shared PostgreSQL is
// never touched). Each worker count gets its own schema.
// Run: npm run bench:delivery:postgres   (env BENCH_PG_N events per run, BENCH_PG_WORKERS=1,2,4, BENCH_CONCURRENCY)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Pool } from 'undici';
import { freePort } from '../../packages/server/test/support/hookline-process.js';
import { PrivatePostgres } from '../../packages/server/test/support/private-postgres.js';
import { type Child, startChild } from './child-process.js';
import { forEachConcurrently } from './delivery-client.js';
import { hooklineReadyLine } from './hookline-ready.js';
import { BENCH_SECRET, benchPayload } from './payload.js';
import { startReceiver } from './receiver-process.js';

const serverMain = fileURLToPath(new URL('../../packages/server/dist/cli/main.js', import.meta.url));
const TOKEN = 'bench-admin-token-0123456789abcdef';
const ENDPOINTS = 10;

function positive(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text.replaceAll('_', ''));
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got "${text}"`);
  return value;
}

const events = positive('BENCH_PG_N', 10_000);
const concurrency = positive('BENCH_CONCURRENCY', 64);
const workerCounts = (process.env.BENCH_PG_WORKERS ?? '1,2,4').split(',').map((text) => Number(text.trim()));
const began = performance.now();
const progress = (text: string) => console.error(`[${((performance.now() - began) / 1000).toFixed(1)} s] ${text}`);

const cluster = new PrivatePostgres(await freePort(), {
  shared_preload_libraries: 'pg_stat_statements',
  'pg_stat_statements.track': 'top',
  max_connections: '200',
});
const dir = mkdtempSync(join(tmpdir(), 'hookline-bench-pg-'));
const receiver = await startReceiver();
const children: Child[] = [];
const payload = JSON.parse(benchPayload(1024)) as unknown;

interface Figure {
  workers: number;
  seconds: number;
  perSecond: number;
  statementsPerDelivery: number;
  byStatement: Array<{ statement: string; perDelivery: number; msEach: number }>;
}

async function startHookline(role: 'api' | 'worker', database: string, config: string): Promise<string> {
  const child = await startChild(
    serverMain,
    ['serve', '--role', role, '--port', '0', '--database', database, '--allow-private-networks', '--config', config],
    {
      readyTimeoutMs: 60_000,
      env: { ...process.env, HOOKLINE_ADMIN_TOKEN: TOKEN, HOOKLINE_LOG_LEVEL: 'info' },
      readyLine: hooklineReadyLine(role),
    },
  );
  children.push(child);
  const url = child.ready.url;
  if (typeof url !== 'string') throw new Error(`hookline ${role}: ready line without a url`);
  return url;
}

/** What a statement is, in a few words: its first keyword and the table or function it works on. */
function describeStatement(query: string): string {
  const text = query.replace(/\s+/g, ' ').trim();
  if (text.includes('hookline_claim')) return 'claim (hookline_claim + messages + endpoints)';
  if (text.startsWith('WITH message AS')) return 'publish (message + deliveries + NOTIFY)';
  if (text.startsWith('WITH r AS')) return 'record a batch of attempts';
  if (text.includes('FROM endpoint_secrets')) return 'read the endpoint secrets';
  if (text.includes('MIN(next_attempt_at)')) return 'next due time (idle sleep)';
  if (text.includes('FROM applications')) return 'read the application';
  return text.slice(0, 60);
}

async function runWith(workers: number, admin: pg.Client): Promise<Figure> {
  const schema = `bench_w${workers}`;
  const database = `${cluster.url}?schema=${schema}`;
  const config = join(dir, `hookline-${workers}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      delivery: {
        concurrency: concurrency * 2,
        concurrencyPerEndpoint: concurrency,
        timeoutMs: 10_000,
        retrySchedule: [1, 2, 5, 10, 20, 30, 60],
      },
    }),
  );
  const apiUrl = await startHookline('api', database, config);
  await Promise.all(Array.from({ length: workers }, () => startHookline('worker', database, config)));
  const api = new Pool(apiUrl, { connections: concurrency, pipelining: 1 });
  const call = async (path: string, body: unknown) => {
    const response = await api.request({
      method: 'POST',
      path,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.body.text();
    if (response.statusCode >= 300) throw new Error(`POST ${path} answered ${response.statusCode}: ${text}`);
    return JSON.parse(text) as { id: string };
  };
  try {
    const app = await call('/api/v1/app', { name: `bench ${workers}` });
    const prefix = `/pg/w${workers}/`;
    for (let i = 0; i < ENDPOINTS; i++) {
      await call(`/api/v1/app/${app.id}/endpoint`, {
        url: `${receiver.url}${prefix}ep${i}`,
        secret: BENCH_SECRET,
        filterTypes: [`bench.${i}`],
      });
    }
    await admin.query('SELECT pg_stat_statements_reset()');
    const start = Date.now();
    const delivered = receiver.waitForUnique(prefix, events, 600_000);
    await forEachConcurrently(events, concurrency, async (index) => {
      await call(`/api/v1/app/${app.id}/msg`, { eventType: `bench.${index % ENDPOINTS}`, payload });
    });
    const doneAt = await delivered;
    const seconds = (doneAt - start) / 1000;
    // Let the last record batches land before counting statements.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const { rows } = await admin.query<{ query: string; calls: string; total_exec_time: number }>(
      `SELECT s.query, s.calls, s.total_exec_time FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
        WHERE d.datname = 'postgres' AND s.query NOT LIKE '%pg_stat_statements%'`,
    );
    const grouped = new Map<string, { calls: number; ms: number }>();
    let total = 0;
    for (const row of rows) {
      const calls = Number(row.calls);
      total += calls;
      const key = describeStatement(row.query);
      const sum = grouped.get(key) ?? { calls: 0, ms: 0 };
      grouped.set(key, { calls: sum.calls + calls, ms: sum.ms + Number(row.total_exec_time) });
    }
    const byStatement = [...grouped]
      .map(([statement, sum]) => ({
        statement,
        perDelivery: sum.calls / events,
        msEach: sum.ms / Math.max(1, sum.calls),
      }))
      .sort((a, b) => b.perDelivery - a.perDelivery)
      .slice(0, 6);
    return { workers, seconds, perSecond: events / seconds, statementsPerDelivery: total / events, byStatement };
  } finally {
    await api.close();
    for (const child of children.splice(0)) await child.stop();
  }
}

try {
  cluster.init();
  await cluster.start();
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  await admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  const figures: Figure[] = [];
  for (const workers of workerCounts) {
    progress(`${workers} worker process(es): ${events} events`);
    figures.push(await runWith(workers, admin));
  }
  await admin.end();
  const base = figures[0]?.perSecond ?? 1;
  console.log(`\nbench/delivery, PostgreSQL mode: ${events} events, end to end (publish through the API while workers`);
  console.log(`deliver), 1 API process + N worker processes, ${ENDPOINTS} endpoints, concurrency ${concurrency}.\n`);
  console.log('| workers | seconds | deliveries/s | vs 1 worker | SQL statements per delivery |');
  console.log('| ------- | ------- | ------------ | ----------- | --------------------------- |');
  for (const f of figures) {
    console.log(
      `| ${f.workers} | ${f.seconds.toFixed(1)} | ${Math.round(f.perSecond)} | ${(f.perSecond / base).toFixed(2)}x | ${f.statementsPerDelivery.toFixed(2)} |`,
    );
  }
  for (const f of figures) {
    console.log(`\n${f.workers} worker(s), statements per delivery by kind:`);
    for (const s of f.byStatement) {
      console.log(`  ${s.perDelivery.toFixed(3)}  ${s.statement} (${s.msEach.toFixed(2)} ms each in the server)`);
    }
  }
} finally {
  for (const child of children) await child.stop();
  await receiver.stop();
  cluster.destroy();
  rmSync(dir, { recursive: true, force: true });
}
