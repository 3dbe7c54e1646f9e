// Issue 14's full-size ordering check, one-off: 10,000 events over 100 keys to a 'fifo' endpoint of a real
// `hookline serve` child on SQLite, 10% 500s, 2% timeouts, a kill -9 at a third; per key publish order after
// removing repeats, and nothing sent before its predecessor was acknowledged. Run: npx tsx bench/ordering/full-size.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HooklineProcesses } from '../../packages/server/test/support/hookline-process.js';
import { keysOutOfOrder, runOrderedDelivery } from '../../packages/server/test/support/ordered-run.js';

const dir = mkdtempSync(join(tmpdir(), 'hookline-ordered-full-'));
const startedAt = Date.now();
try {
  const result = await runOrderedDelivery({
    processes: new HooklineProcesses(),
    database: process.argv[2] ?? join(dir, 'ordered.db'),
    dir,
    events: 10_000,
    keys: 100,
    failRate: 0.1,
    timeoutRate: 0.02,
    killAt: 1 / 3,
    timeoutMs: 400,
    seed: 14,
    deadlineMs: 1_200_000,
  });
  const firstArrivals = [...result.firstArrivals.values()].reduce((n, seqs) => n + seqs.length, 0);
  console.log(
    JSON.stringify({
      accepted: result.accepted,
      ackedAtKill: result.ackedAtKill,
      requests: result.requests,
      repeats: result.repeats,
      distinctArrivals: firstArrivals,
      violations: result.violations.length,
      keysOutOfOrder: keysOutOfOrder(result.firstArrivals).length,
      seconds: (Date.now() - startedAt) / 1000,
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
