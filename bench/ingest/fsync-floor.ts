// The disk's floor under a durable ack at 1,000/s (issue 13's goal: ack p99 < 10 ms): 2 KiB appended to a file in
// the temp directory (where bench/ingest keeps Hookline's SQLite file) every millisecond, made durable the way
// WalSync makes a commit durable (one fsync at a time on libuv's thread pool; an append waits for an fsync that
// started after it). No HTTP, no SQLite, no JSON: what is printed is what any server that answers only after its
// write is on this disk must wait, at least. Rounds of 5 s, run one after another.
// Run: npx tsx bench/ingest/fsync-floor.ts   (env BENCH_ROUNDS, default 3)
import { closeSync, fsync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const perSecond = 1000;
const total = 5 * perSecond;

async function round(): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'hookline-fsync-floor-'));
  const fd = openSync(join(dir, 'wal'), 'w');
  const block = Buffer.alloc(2048, 1);
  const waits: number[] = [];
  let waiting: number[] = [];
  let running = false;
  const start = () => {
    const group = waiting;
    waiting = [];
    running = true;
    fsync(fd, () => {
      running = false;
      const now = performance.now();
      for (const at of group) waits.push(now - at);
      if (waiting.length > 0) start();
    });
  };
  const began = performance.now();
  let written = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      // Open loop: every append due by now is made, whatever the last fsync did.
      const due = Math.min(total, Math.floor(((performance.now() - began) * perSecond) / 1000));
      for (; written < due; written++) {
        writeSync(fd, block);
        waiting.push(performance.now());
        if (!running) start();
      }
      if (written >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  while (running || waiting.length > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
  return waits.sort((a, b) => a - b);
}

const at = (sorted: number[], q: number) => (sorted[Math.floor(q * (sorted.length - 1))] ?? 0).toFixed(2);
console.log(
  `bench/ingest/fsync-floor: ${rounds} rounds of ${total} appends of 2 KiB at ${perSecond}/s in ${tmpdir()}; load average at start ${loadavg()[0]?.toFixed(2)}`,
);
const p99s: number[] = [];
for (let i = 1; i <= rounds; i++) {
  const waits = await round();
  p99s.push(Number(at(waits, 0.99)));
  console.log(
    `round ${i}: wait for a durable fsync p50 ${at(waits, 0.5)} ms, p99 ${at(waits, 0.99)} ms, max ${at(waits, 1)} ms`,
  );
}
const median = [...p99s].sort((a, b) => a - b)[Math.floor(p99s.length / 2)] ?? 0;
console.log(
  `the disk alone, median p99 over rounds: ${median.toFixed(2)} ms (issue 13's whole ack budget at p99: 10 ms)`,
);
