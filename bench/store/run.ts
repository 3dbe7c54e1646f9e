// bench/store: what Hookline's SQLite store costs per delivery, phase by phase (publish, claim, record), against a
// bare SQLite queue measured in the same run: one table of events and one of attempts, a primary key and a due
// index, the same payload, the same batches, the same durability (every batch fsynced before it is answered).
// The bare queue is the floor for any durable SQLite queue; the ratio is what Hookline's schema (tenancy, lists,
// dead letters, cascades) and its group-commit machinery add. CPU of the whole process (fsync threads included),
// microseconds per delivery, median over alternating rounds.
// Run: npm run bench:store   (env: BENCH_STORE_N deliveries per round, 20,000; BENCH_ROUNDS, 5)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { driveHooklineStore, IN_FLIGHT, type Phase, payload, requestHeaders } from './hookline-phases.js';

const N = Number(process.env.BENCH_STORE_N ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

type PhaseCosts = Record<Phase, number>;

/** CPU microseconds of this process (all threads) while `work` runs, per delivery. */
async function cpuPer(work: () => Promise<void>): Promise<number> {
  const start = process.cpuUsage();
  await work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / N;
}

async function hookline(dir: string): Promise<PhaseCosts> {
  const costs: PhaseCosts = { publish: 0, claim: 0, record: 0 };
  await driveHooklineStore(dir, N, {
    around: async (phase, work) => {
      costs[phase] += await cpuPer(work);
    },
  });
  return costs;
}

/** The floor: a bare durable queue in SQLite, batched like Hookline (a transaction per 64, FULL fsync). */
async function bare(dir: string): Promise<PhaseCosts> {
  const db = new Database(join(dir, 'bare.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`
    CREATE TABLE events (id INTEGER PRIMARY KEY, payload TEXT NOT NULL, status INTEGER NOT NULL, due INTEGER, lease INTEGER);
    CREATE INDEX events_due ON events (due) WHERE status = 0;
    CREATE TABLE attempts (id INTEGER PRIMARY KEY, event_id INTEGER NOT NULL, status_code INTEGER, headers TEXT, at INTEGER NOT NULL);`);
  const insert = db.prepare('INSERT INTO events (payload, status, due) VALUES (?, 0, ?)');
  const claimStatement = db.prepare(
    'UPDATE events SET status = 1, lease = ? WHERE id IN (SELECT id FROM events WHERE status = 0 AND due <= ? ORDER BY due LIMIT ?) RETURNING id, payload',
  );
  const done = db.prepare('UPDATE events SET status = 2, lease = NULL WHERE id = ? AND status = 1');
  const attempt = db.prepare('INSERT INTO attempts (event_id, status_code, headers, at) VALUES (?, 200, ?, ?)');
  const headersText = JSON.stringify(requestHeaders);
  const publish = await cpuPer(async () => {
    for (let from = 0; from < N; from += IN_FLIGHT) {
      db.transaction(() => {
        for (let i = from; i < Math.min(N, from + IN_FLIGHT); i++) insert.run(payload, Date.now());
      })();
      await new Promise((resolve) => setImmediate(resolve));
    }
  });
  let claim = 0;
  let record = 0;
  for (let count = 0; count < N; ) {
    let rows: Array<{ id: number; payload: string }> = [];
    claim += await cpuPer(async () => {
      rows = db.transaction(() => claimStatement.all(Date.now() + 30_000, Date.now(), IN_FLIGHT))() as typeof rows;
    });
    if (rows.length === 0) throw new Error(`bare: ${N - count} events not claimable`);
    record += await cpuPer(async () => {
      db.transaction(() => {
        for (const row of rows) {
          done.run(row.id);
          attempt.run(row.id, headersText, Date.now());
        }
      })();
    });
    count += rows.length;
  }
  db.close();
  return { publish, claim, record };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] as number;
const results: Record<'hookline' | 'bare', PhaseCosts[]> = { hookline: [], bare: [] };
for (let round = 0; round < ROUNDS + 1; round++) {
  for (const [name, run] of (round % 2 === 0
    ? [
        ['bare', bare],
        ['hookline', hookline],
      ]
    : [
        ['hookline', hookline],
        ['bare', bare],
      ]) as Array<['hookline' | 'bare', typeof bare]>) {
    const dir = mkdtempSync(join(tmpdir(), 'hookline-bench-store-'));
    try {
      const costs = await run(dir);
      // Round 0 warms up (JIT, page cache) and is not counted.
      if (round > 0) results[name].push(costs);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.error(`round ${round}/${ROUNDS}${round === 0 ? ' (warm-up)' : ''}`);
}

console.log(
  `bench/store: ${N.toLocaleString('en-US')} deliveries per round, ~1 KiB payload, ${IN_FLIGHT} in flight, ${ROUNDS} rounds; CPU µs per delivery (median)`,
);
console.log('phase      bare    hookline   ratio');
let bareTotal = 0;
let hooklineTotal = 0;
for (const phase of ['publish', 'claim', 'record'] as const) {
  const b = median(results.bare.map((r) => r[phase]));
  const h = median(results.hookline.map((r) => r[phase]));
  bareTotal += b;
  hooklineTotal += h;
  console.log(
    `${phase.padEnd(8)} ${b.toFixed(1).padStart(6)}  ${h.toFixed(1).padStart(9)}  ${(h / b).toFixed(2).padStart(5)}x`,
  );
}
console.log(
  `${'total'.padEnd(8)} ${bareTotal.toFixed(1).padStart(6)}  ${hooklineTotal.toFixed(1).padStart(9)}  ${(hooklineTotal / bareTotal).toFixed(2).padStart(5)}x`,
);
