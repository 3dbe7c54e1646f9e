// One process of bench/store/instructions.ts, run under callgrind: `instruction-driver <upTo> <warm-up> <events>`.
// Warms up (JIT) on a store of its own with the full cycle, then drives a fresh store up to the phase and exits.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { driveHooklineStore, PHASES, type Phase } from './hookline-phases.js';

const [upTo, warmupText, eventsText] = process.argv.slice(2);
if (!(PHASES as readonly string[]).includes(upTo ?? '')) throw new Error(`upTo must be one of ${PHASES.join(', ')}`);
const warmup = Number(warmupText);
const events = Number(eventsText);
if (!Number.isInteger(warmup) || !Number.isInteger(events) || events <= 0) throw new Error('bad warm-up or events');

const dir = mkdtempSync(join(tmpdir(), 'hookline-bench-driver-'));
try {
  for (const sub of ['warm', 'counted']) mkdirSync(join(dir, sub));
  if (warmup > 0) await driveHooklineStore(join(dir, 'warm'), warmup);
  await driveHooklineStore(join(dir, 'counted'), events, { upTo: upTo as Phase });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
