// bench/retention: does pruning a large history hold the write path? (issue 14 §2: publish p99 while pruning
// <= 1.5x publish p99 without). One SQLite store (synchronous FULL, as served) holds a large old history (messages
// past the 90-day limit, each with a delivery and two attempts); publishes go at a fixed rate (open loop: latency
// counted from when each was due, so a stalled loop shows) in alternating rounds, quiet (the pruner stopped) and
// pruning (the pruner running with the default batch size and pause, deleting that history), in one run.
// Printed per round: publish p50/p99, messages pruned, CPU µs per published event of this process from /proc (in a
// pruning round that includes the pruning); then the median of the per-round p99 ratios and the goal line.
// In process, on the Store (the durable publish path without HTTP): the pruner runs in the serving process, so
// what it costs the event loop and the write queue is what a publish meets.
// Run: npm run bench:retention   (env: BENCH_RETENTION_MESSAGES old messages, 300,000; BENCH_RETENTION_RATE
// publishes/s, 200; BENCH_ROUND_MS, 5,000; BENCH_ROUNDS, 4; BENCH_RETENTION_BATCH and BENCH_RETENTION_PAUSE_MS, the
// pruner's batchSize and batchPauseMs, default the server's)
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { DEFAULT_RETENTION } from '../../packages/server/src/config.js';
import { newId } from '../../packages/server/src/ids.js';
import { Pruner } from '../../packages/server/src/retention/pruner.js';
import { SqliteStore } from '../../packages/server/src/store/sqlite/sqlite-store.js';
import { goal } from '../lib/goal-line.js';
import { processCpuMicros } from '../lib/proc-cpu.js';

const OLD_MESSAGES = Number(process.env.BENCH_RETENTION_MESSAGES ?? 300_000);
const RATE = Number(process.env.BENCH_RETENTION_RATE ?? 200);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 5_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const DAY_MS = 86_400_000;
/** The pruner's settings: the server's defaults unless given, to try others against the goal. */
const BATCH_SIZE = Number(process.env.BENCH_RETENTION_BATCH ?? DEFAULT_RETENTION.batchSize);
const BATCH_PAUSE_MS = Number(process.env.BENCH_RETENTION_PAUSE_MS ?? DEFAULT_RETENTION.batchPauseMs);
const PAYLOAD = JSON.stringify({
  invoice: 'in_1',
  lines: Array.from({ length: 12 }, (_, i) => `line ${i} `.repeat(8)),
});
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The old history, written straight into the file (as a long-running server would have), oldest first. */
function seedHistory(store: SqliteStore, appId: string, endpointId: string, from: number): void {
  const db = store.db;
  const message = db.prepare(
    'INSERT INTO messages (id, app_id, event_type, payload, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  const delivery = db.prepare(
    `INSERT INTO deliveries (id, message_id, endpoint_id, app_id, status, attempts, created_at, updated_at)
     VALUES (?, ?, ?, ?, 'succeeded', 2, ?, ?)`,
  );
  const attempt = db.prepare(
    `INSERT INTO attempts (id, delivery_id, message_id, endpoint_id, app_id, url, outcome, trigger, status_code,
       response_body, duration_ms, error, created_at)
     VALUES (?, ?, ?, ?, ?, 'https://receiver.example.com/hook', ?, 'scheduled', ?, ?, 40, NULL, ?)`,
  );
  const batch = db.transaction((start: number, count: number) => {
    for (let i = start; i < start + count; i++) {
      const at = from + i * 10;
      const msgId = newId('msg', at);
      const dlvId = newId('dlv', at);
      message.run(msgId, appId, 'invoice.paid', PAYLOAD, at);
      delivery.run(dlvId, msgId, endpointId, appId, at, at + 2);
      attempt.run(newId('atmpt', at), dlvId, msgId, endpointId, appId, 'failed', 503, 'unavailable', at + 1);
      attempt.run(newId('atmpt', at), dlvId, msgId, endpointId, appId, 'succeeded', 200, '{"ok":true}', at + 2);
    }
  });
  for (let start = 0; start < OLD_MESSAGES; start += 10_000) batch(start, Math.min(10_000, OLD_MESSAGES - start));
}

interface Round {
  mode: 'quiet' | 'pruning';
  p50: number;
  p99: number;
  published: number;
  pruned: number;
  cpuMicrosPerEvent: number;
}

async function publishAtRate(store: SqliteStore, appId: string): Promise<{ latencies: number[]; published: number }> {
  const latencies: number[] = [];
  const total = Math.floor((RATE * ROUND_MS) / 1000);
  const start = performance.now();
  const inFlight: Array<Promise<void>> = [];
  for (let i = 0; i < total; i++) {
    const dueAt = start + (i * 1000) / RATE;
    const wait = dueAt - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(
      store.publish(appId, { eventType: 'invoice.paid', payload: PAYLOAD }, Date.now()).then(() => {
        latencies.push(performance.now() - dueAt);
      }),
    );
  }
  await Promise.all(inFlight);
  return { latencies: latencies.sort((a, b) => a - b), published: total };
}

async function countMessages(store: SqliteStore): Promise<number> {
  return (store.db.prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number }).n;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hookline-bench-retention-'));
  const store = new SqliteStore({ path: join(dir, 'hookline.db') });
  try {
    await store.migrate();
    // Everything old is made at old times first: ids carry their time and never go back within a process.
    const seedFrom = Date.now() - 200 * DAY_MS;
    const app = await store.createApplication({ name: 'acme' }, seedFrom - 1000);
    const endpoint = await store.createEndpoint(
      app.id,
      { url: 'https://receiver.example.com/hook', secret: SECRET },
      seedFrom - 1000,
    );
    const seedStarted = performance.now();
    seedHistory(store, app.id, endpoint.id, seedFrom);
    const attempts = (store.db.prepare('SELECT COUNT(*) AS n FROM attempts').get() as { n: number }).n;
    console.log(
      `history: ${OLD_MESSAGES.toLocaleString('en-US')} messages older than 90 days, ${attempts.toLocaleString('en-US')} attempts, seeded in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`,
    );
    console.log(
      `publishing ${RATE}/s for ${ROUND_MS} ms per round, ${ROUNDS} rounds of each; pruner batchSize ${BATCH_SIZE}, batchPauseMs ${BATCH_PAUSE_MS}; load average ${loadavg()
        .map((n) => n.toFixed(2))
        .join(' ')}`,
    );
    const pruner = new Pruner({
      store,
      now: Date.now,
      logger: pino({ level: 'silent' }),
      retention: { ...DEFAULT_RETENTION, batchSize: BATCH_SIZE, batchPauseMs: BATCH_PAUSE_MS, intervalMs: 1 },
    });
    // Warm-up: the statements prepared, the file's pages in the cache.
    await publishAtRate(store, app.id);

    const rounds: Round[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const modes: Array<Round['mode']> = round % 2 === 0 ? ['quiet', 'pruning'] : ['pruning', 'quiet'];
      for (const mode of modes) {
        const before = await countMessages(store);
        const cpuBefore = processCpuMicros(process.pid) ?? Number.NaN;
        if (mode === 'pruning') pruner.start();
        const { latencies, published } = await publishAtRate(store, app.id);
        if (mode === 'pruning') await pruner.stop();
        const cpu = (processCpuMicros(process.pid) ?? Number.NaN) - cpuBefore;
        const pruned = before + published - (await countMessages(store));
        const result: Round = {
          mode,
          p50: percentile(latencies, 50),
          p99: percentile(latencies, 99),
          published,
          pruned,
          cpuMicrosPerEvent: cpu / published,
        };
        rounds.push(result);
        console.log(
          `round ${round + 1} ${mode.padEnd(7)} publish p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms; ${published} published, ${pruned.toLocaleString('en-US')} old messages pruned; CPU ${result.cpuMicrosPerEvent.toFixed(0)} µs per published event`,
        );
      }
    }
    const ratios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const quiet = rounds.find((r, i) => r.mode === 'quiet' && Math.floor(i / 2) === round) as Round;
      const pruning = rounds.find((r, i) => r.mode === 'pruning' && Math.floor(i / 2) === round) as Round;
      ratios.push(pruning.p99 / quiet.p99);
    }
    const prunedTotal = rounds.reduce((sum, r) => sum + r.pruned, 0);
    console.log(`p99 ratios pruning / quiet per round: ${ratios.map((r) => r.toFixed(2)).join(', ')}`);
    console.log(
      `old messages pruned during the pruning rounds: ${prunedTotal.toLocaleString('en-US')} (left: ${(await countMessages(store)).toLocaleString('en-US')} in all)`,
    );
    console.log(
      goal(
        'retention (issue 14 §2) publish p99 while pruning / without',
        prunedTotal > 0 ? median(ratios) : Number.NaN,
        1.5,
        'x',
        'at most',
        `median of ${ROUNDS} rounds, load ${loadavg()[0]?.toFixed(2)}`,
      ),
    );
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
