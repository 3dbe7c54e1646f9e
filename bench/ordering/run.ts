// Ordered delivery's cost (issue 14 section 1): the same backlog delivered by one `hookline serve` (compiled build,
// SQLite) to an unordered endpoint and to an ordered one ('fifo', 1,000 ordering keys), alternating, rounds in one
// run. Each round publishes the backlog while delivery is paused, then resumes and times until the receiver (its own
// process) holds every event; CPU per event of each process is read from /proc. The goal line: ordered throughput
// >= 0.8x unordered, same run. Run: `npm run bench:ordering` (BENCH_ORDERING_EVENTS, _KEYS, _ROUNDS to change).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChild } from '../delivery/child-process.js';
import { hooklineReadyLine } from '../delivery/hookline-ready.js';
import { startReceiver } from '../delivery/receiver-process.js';
import { startCpuReading } from '../lib/proc-cpu.js';

const EVENTS = Number(process.env.BENCH_ORDERING_EVENTS ?? 5000);
const KEYS = Number(process.env.BENCH_ORDERING_KEYS ?? 1000);
const ROUNDS = Number(process.env.BENCH_ORDERING_ROUNDS ?? 3);
/** Sends in flight, in all and to the one endpoint: the same for both modes. */
const CONCURRENCY = 64;
const BATCH = 100;
const RUN_TIMEOUT_MS = 300_000;
const TOKEN = 'bench-admin-token-0123456789abcdef';
const serverMain = fileURLToPath(new URL('../../packages/server/dist/cli/main.js', import.meta.url));

type Mode = 'unordered' | 'ordered';
interface Figure {
  round: number;
  mode: Mode;
  perSecond: number;
  cpuMicrosPerEvent: Record<string, number>;
}

const load = () => execFileSync('uptime', { encoding: 'utf8' }).trim();

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hookline-bench-ordering-'));
  const config = join(dir, 'hookline.json');
  writeFileSync(
    config,
    JSON.stringify({
      delivery: { concurrency: CONCURRENCY, concurrencyPerEndpoint: CONCURRENCY, timeoutMs: 10_000 },
    }),
  );
  const receiver = await startReceiver();
  const serve = await startChild(
    serverMain,
    ['serve', '--port', '0', '--database', join(dir, 'hookline.db'), '--allow-private-networks', '--config', config],
    {
      readyTimeoutMs: 30_000,
      env: { ...process.env, HOOKLINE_ADMIN_TOKEN: TOKEN, HOOKLINE_LOG_LEVEL: 'warn' },
      readyLine: hooklineReadyLine('all'),
    },
  );
  const base = String(serve.ready.url);
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return text === '' ? null : (JSON.parse(text) as unknown);
  };

  const figures: Figure[] = [];
  console.log(`bench/ordering: ${EVENTS} events per run, ${KEYS} keys, ${ROUNDS} rounds, concurrency ${CONCURRENCY}`);
  console.log(`load before: ${load()}`);
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const modes: Mode[] = round % 2 === 1 ? ['unordered', 'ordered'] : ['ordered', 'unordered'];
      for (const mode of modes) {
        const id = `${mode}-${round}`;
        await call('POST', '/api/v1/app', { name: id, uid: id });
        await call('POST', `/api/v1/app/${id}/endpoint`, {
          url: `${receiver.url}/${id}/hook`,
          ...(mode === 'ordered' ? { ordering: 'fifo' } : {}),
        });
        // The backlog is in before the clock starts: the figure is delivery alone.
        await call('POST', '/api/v1/admin/delivery/pause');
        for (let from = 0; from < EVENTS; from += BATCH) {
          const messages = [];
          for (let index = from; index < Math.min(EVENTS, from + BATCH); index++) {
            messages.push({
              eventType: 'bench.event',
              eventId: `${id}-${index}`,
              payload: { index, key: index % KEYS },
              ...(mode === 'ordered' ? { orderingKey: `key-${index % KEYS}` } : {}),
            });
          }
          await call('POST', `/api/v1/app/${id}/msg/batch?with_content=false`, { messages });
        }
        const cpu = startCpuReading([
          { role: 'serve', pid: serve.pid },
          { role: 'receiver', pid: receiver.pid },
          { role: 'harness', pid: process.pid },
        ]);
        const startedAt = performance.timeOrigin + performance.now();
        await call('POST', '/api/v1/admin/delivery/resume');
        const doneAt = await receiver.waitForUnique(`/${id}/`, EVENTS, RUN_TIMEOUT_MS);
        const spent = cpu.spent();
        const cpuMicrosPerEvent: Record<string, number> = {};
        for (const [role, micros] of spent) cpuMicrosPerEvent[role] = micros / EVENTS;
        const perSecond = EVENTS / ((doneAt - startedAt) / 1000);
        figures.push({ round, mode, perSecond, cpuMicrosPerEvent });
        const cpuText = Object.entries(cpuMicrosPerEvent)
          .map(([role, micros]) => `${role} ${micros.toFixed(0)} µs`)
          .join(', ');
        console.log(
          `round ${round} ${mode.padEnd(9)} ${perSecond.toFixed(0).padStart(6)} events/s  CPU/event: ${cpuText}`,
        );
      }
    }
  } finally {
    await serve.stop();
    await receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const ratios = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const of = (mode: Mode) => figures.find((figure) => figure.round === round && figure.mode === mode)?.perSecond;
    const ordered = of('ordered');
    const unordered = of('unordered');
    if (ordered !== undefined && unordered !== undefined) ratios.push(ordered / unordered);
  }
  ratios.sort((a, b) => a - b);
  // An even count averages the middle two, so two rounds do not report the better one.
  const middle = Math.floor(ratios.length / 2);
  const median =
    ratios.length % 2 === 1
      ? (ratios[middle] ?? Number.NaN)
      : ((ratios[middle - 1] ?? Number.NaN) + (ratios[middle] ?? Number.NaN)) / 2;
  const meanCpu = (mode: Mode, role: string) => {
    const values = figures.filter((figure) => figure.mode === mode).map((f) => f.cpuMicrosPerEvent[role] ?? 0);
    return values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
  };
  console.log(`ordered / unordered throughput per round: ${ratios.map((ratio) => ratio.toFixed(2)).join(', ')}`);
  console.log(
    `serve CPU per event: unordered ${meanCpu('unordered', 'serve').toFixed(0)} µs, ordered ${meanCpu('ordered', 'serve').toFixed(0)} µs (ratio ${(meanCpu('ordered', 'serve') / meanCpu('unordered', 'serve')).toFixed(2)})`,
  );
  console.log(
    `goal: ordered throughput with ${KEYS} keys >= 0.8x unordered: median ${median.toFixed(2)}x, ${median >= 0.8 ? 'met' : 'NOT met'}`,
  );
  console.log(`load after: ${load()}`);
}

await main();
