// Start to ready and idle RSS of `hookline serve` (as bench/delivery starts it) and of the relay, alternating, several
// rounds: issue 12's goal 5 on its own, without the delivery runs around it. Wall time moves with the machine's load;
// the CPU the process spent to get ready (/proc) is the figure that holds. `npx tsx bench/delivery/startup.ts`.
import { setTimeout as sleep } from 'node:timers/promises';
import { processCpuMicros } from '../lib/proc-cpu.js';
import { createRelayContender } from '../peers/relay/contender.js';
import type { Contender, ContenderContext } from './contender.js';
import { createContender as createHookline } from './hookline.js';
import { rssBytes } from './rss.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const MIB = 2 ** 20;

interface Figure {
  wallMs: number;
  cpuMs: number;
  rssMiB: number;
}

async function once(contender: Contender, context: ContenderContext): Promise<Figure> {
  await contender.build?.();
  const start = performance.now();
  await contender.setup(context);
  const wallMs = performance.now() - start;
  const pids = contender.processes().map((p) => p.pid);
  const cpuMs = pids.reduce((sum, pid) => sum + (processCpuMicros(pid) ?? Number.NaN), 0) / 1000;
  await sleep(1000);
  const rssMiB = pids.reduce((sum, pid) => sum + (rssBytes(pid) ?? Number.NaN), 0) / MIB;
  await contender.teardown();
  return { wallMs, cpuMs, rssMiB };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

const context = {
  receiverUrl: 'http://127.0.0.1:9',
  concurrency: 64,
  payload: JSON.stringify({ hello: 'x'.repeat(1000) }),
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
} as unknown as ContenderContext;
const figures = new Map<string, Figure[]>();
for (let round = 0; round < rounds; round++) {
  const order =
    round % 2 === 0 ? [createHookline(), createRelayContender()] : [createRelayContender(), createHookline()];
  for (const contender of order) {
    const figure = await once(contender, context);
    figures.set(contender.name, [...(figures.get(contender.name) ?? []), figure]);
  }
}
console.log(`start to ready, ${rounds} rounds (median; wall, CPU of the process, idle RSS 1 s after ready)`);
for (const [name, list] of figures) {
  console.log(
    `${name.padEnd(9)} wall ${median(list.map((f) => f.wallMs)).toFixed(0)} ms  cpu ${median(list.map((f) => f.cpuMs)).toFixed(0)} ms  rss ${median(list.map((f) => f.rssMiB)).toFixed(1)} MiB   (wall ${list.map((f) => f.wallMs.toFixed(0)).join(', ')})`,
  );
}
