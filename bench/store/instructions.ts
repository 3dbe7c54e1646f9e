// Instructions per delivery of Hookline's SQLite store, phase by phase, under valgrind's callgrind: a count that
// does not move with the machine's load, unlike CPU time. Each run is a fresh process (a bundle of
// instruction-driver.ts on plain node): a warm-up, then `n` deliveries driven up to a phase. A phase's count per
// delivery is taken by difference, so start-up and warm-up cancel out:
//   per delivery up to P = (total(N2, P) - total(N1, P)) / (N2 - N1);  claim = upTo(claim) - upTo(publish), …
// Run: npx tsx bench/store/instructions.ts   (env BENCH_INSTR_N1 1,000, BENCH_INSTR_N2 3,000, BENCH_INSTR_WARMUP
// 2,000; needs valgrind). About 10 minutes on the 2-core machine; callgrind runs node ~50x slower.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { bundleForNode } from '../lib/bundle.js';
import { PHASES, type Phase } from './hookline-phases.js';

const run = promisify(execFile);
const n1 = Number(process.env.BENCH_INSTR_N1 ?? 1000);
const n2 = Number(process.env.BENCH_INSTR_N2 ?? 3000);
const warmup = Number(process.env.BENCH_INSTR_WARMUP ?? 2000);
/** Bound on one callgrind run: a stuck one fails the bench instead of hanging it. */
const RUN_TIMEOUT_MS = 20 * 60_000;

async function totalInstructions(driver: string, dir: string, upTo: Phase, events: number): Promise<number> {
  const out = join(dir, `callgrind.${upTo}.${events}.out`);
  await run(
    'valgrind',
    [
      '--tool=callgrind',
      '--smc-check=all-non-file', // V8 writes and rewrites its machine code
      '-q',
      `--callgrind-out-file=${out}`,
      process.execPath,
      driver,
      upTo,
      String(warmup),
      String(events),
    ],
    { timeout: RUN_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 16 * 2 ** 20 },
  );
  const totals = /^(?:totals|summary): (\d+)/m.exec(readFileSync(out, 'utf8'));
  if (totals === null) throw new Error(`no totals in ${out}`);
  return Number(totals[1]);
}

const dir = mkdtempSync(join(tmpdir(), 'hookline-bench-instructions-'));
try {
  const driver = await bundleForNode(
    fileURLToPath(new URL('./instruction-driver.ts', import.meta.url)),
    'store-instruction-driver',
  );
  const perDeliveryUpTo = new Map<Phase, number>();
  for (const upTo of PHASES) {
    const small = await totalInstructions(driver, dir, upTo, n1);
    const large = await totalInstructions(driver, dir, upTo, n2);
    perDeliveryUpTo.set(upTo, (large - small) / (n2 - n1));
    console.error(`up to ${upTo}: ${small} and ${large} instructions`);
  }
  console.log(
    `bench/store instructions: callgrind, ${n1.toLocaleString('en-US')} and ${n2.toLocaleString('en-US')} deliveries after a warm-up of ${warmup.toLocaleString('en-US')}; instructions per delivery (all threads, user space)`,
  );
  let before = 0;
  for (const phase of PHASES) {
    const upTo = perDeliveryUpTo.get(phase) as number;
    console.log(
      `${phase.padEnd(8)} ${Math.round(upTo - before)
        .toLocaleString('en-US')
        .padStart(12)}`,
    );
    before = upTo;
  }
  console.log(`${'total'.padEnd(8)} ${Math.round(before).toLocaleString('en-US').padStart(12)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
