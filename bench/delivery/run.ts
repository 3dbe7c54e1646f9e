// bench/delivery: webhook delivery throughput. The raw limit (signed undici POSTs, no queue), a BullMQ baseline
// and Hookline deliver the same ~1 KiB payload to the same receiver process at the same concurrency, in
// alternating rounds; ratios are taken within a round. Then the fixed-rate latency floor, start-up figures and,
// for Hookline, publish latency, isolation and backlog.
// Run: npm run bench:delivery   (env: see config.ts; BENCH_N, BENCH_ROUNDS, BENCH_EXTRAS=hookline,bullmq …)
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { processCpuMicros } from '../lib/proc-cpu.js';
import { createBullmqContender } from '../peers/bullmq/contender.js';
import { createDurableRelayContender } from '../peers/durable-relay/contender.js';
import { createRelayContender } from '../peers/relay/contender.js';
import { type ExtraFigure, readBenchConfig } from './config.js';
import { type Contender, type ContenderContext, type ContenderModule, pidsOf } from './contender.js';
import { backlog, isolation, publishLatency } from './extras.js';
import { runAtFixedRate } from './fixed-rate.js';
import { formatGoals } from './goals.js';
import { deliveryRun, measure, supports, withTimeout } from './measure.js';
import { BENCH_SECRET, benchPayload } from './payload.js';
import { createRawLimitContender } from './raw-limit.js';
import { startReceiver } from './receiver-process.js';
import {
  type ContenderExtras,
  formatCpu,
  formatExtras,
  formatKernel,
  formatLatency,
  formatStartup,
  formatThroughput,
  type Round,
  type Row,
  roundKey,
  type StartupFigure,
} from './report.js';
import { totalRssBytes } from './rss.js';

const config = readBenchConfig(process.env);
const failures: string[] = [];
const began = performance.now();
/** Progress on stderr, so stdout stays the report. */
const progress = (text: string) => console.error(`[${((performance.now() - began) / 1000).toFixed(1)} s] ${text}`);
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Hookline's contender is written by the engine's engineer in hookline.ts; until then the run says so. */
async function loadHookline(): Promise<Contender | undefined> {
  if (!existsSync(new URL('./hookline.ts', import.meta.url))) return undefined;
  // A specifier in a variable: the typecheck must pass before the file exists.
  const specifier = './hookline.js';
  const module = (await import(specifier)) as Partial<ContenderModule>;
  if (typeof module.createContender !== 'function') {
    throw new Error('bench/delivery/hookline.ts must export createContender(): Contender');
  }
  return module.createContender();
}

const payload = benchPayload(config.payloadBytes);
const receiver = await startReceiver(config.verify ? { verifySecret: BENCH_SECRET } : {});
const started: Contender[] = [];
const onSignal = () => {
  // Children die with us (child-process.ts kills their groups on exit).
  process.exit(130);
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

try {
  const context: ContenderContext = {
    receiverUrl: receiver.url,
    payload,
    concurrency: config.concurrency,
    secret: BENCH_SECRET,
  };
  const candidates: Contender[] = [
    createRawLimitContender(),
    createBullmqContender({ redisUrl: config.redisUrl }),
    createRelayContender(),
    createDurableRelayContender(),
  ];
  let hookline: Contender | undefined;
  try {
    hookline = await loadHookline();
  } catch (error) {
    // A broken hookline.ts must not cost the other figures.
    failures.push(`hookline: could not load bench/delivery/hookline.ts: ${message(error)}`);
  }
  if (hookline !== undefined) candidates.push(hookline);
  const chosen = config.contenders;
  if (chosen !== 'all') {
    for (let k = candidates.length - 1; k >= 0; k--) {
      if (!chosen.includes((candidates[k] as Contender).name)) candidates.splice(k, 1);
    }
  }

  const startup: StartupFigure[] = [];
  for (const contender of candidates) {
    progress(`setup ${contender.name}`);
    let start = performance.now();
    try {
      await withTimeout(contender.build?.() ?? Promise.resolve(), 120_000, `${contender.name} build`);
      start = performance.now();
      await withTimeout(contender.setup(context), 120_000, `${contender.name} setup`);
    } catch (error) {
      failures.push(`${contender.name}: setup failed: ${message(error)}`);
      await contender.teardown().catch(() => {});
      continue;
    }
    const setupMs = performance.now() - start;
    // The processes are new, so their CPU so far is what starting cost: unlike the wall time, it holds under load.
    const cpuMicros = contender.processes().map((process) => processCpuMicros(process.pid));
    const setupCpuMs = cpuMicros.some((micros) => micros === undefined)
      ? Number.NaN
      : cpuMicros.reduce((sum: number, micros) => sum + (micros ?? 0), 0) / 1000;
    started.push(contender);
    if (contender.processes().length > 0) {
      await sleep(1000);
      startup.push({ contender: contender.name, setupMs, setupCpuMs, idleRssBytes: totalRssBytes(pidsOf(contender)) });
    }
  }

  // Warm-up: connections, JIT, Redis scripts; untimed and not reported. Below ~10,000 deliveries the first
  // measured round still ran measurably slower than the next ones (raw limit: ~40 % slower at 2,000).
  const warmupEvents = Math.min(10_000, config.events);
  for (const contender of started) {
    progress(`warm-up ${contender.name}`);
    try {
      await measure(
        contender,
        receiver,
        supports(contender, 'end-to-end') ? 'end-to-end' : 'drain',
        deliveryRun(receiver.url, `warmup-${contender.name}`, warmupEvents, { healthy: 1 }),
        config.runTimeoutMs,
      );
    } catch (error) {
      failures.push(`${contender.name}: warm-up failed: ${message(error)}`);
    }
  }

  const modes = config.modes;
  const rounds: Round[] = [];
  for (let round = 0; round < config.rounds; round++) {
    // Rotate the order so no contender always runs first (or last, on a warmer machine).
    const order = started.map((_, k) => started[(k + round) % started.length] as Contender);
    const measured: Round = new Map();
    for (const contender of order) {
      for (const mode of modes) {
        if (!supports(contender, mode)) continue;
        const id = `r${round}-${contender.name}-${mode}`;
        try {
          const plan = deliveryRun(receiver.url, id, config.events, { healthy: 1 });
          measured.set(
            roundKey(contender.name, mode),
            await measure(contender, receiver, mode, plan, config.runTimeoutMs, config.batchInFlight),
          );
        } catch (error) {
          failures.push(`${id}: ${message(error)}`);
        }
      }
    }
    rounds.push(measured);
    const line = [...measured.values()].map((m) => `${m.contender} ${m.mode} ${Math.round(m.perSecond)}/s`);
    progress(`round ${round + 1}/${config.rounds}: ${line.join(', ')}`);
  }

  // The floor for every latency figure: the receiver itself, one signed POST per scheduled send.
  const raw = started.find((contender) => contender.name === 'raw');
  const floorPlan = deliveryRun(receiver.url, 'floor', config.fixedRatePerSecond * config.fixedRateSeconds, {
    healthy: 1,
  });
  progress('fixed-rate floor');
  await receiver.reset();
  const floor =
    raw?.publishOne === undefined
      ? undefined
      : await runAtFixedRate((index) => raw.publishOne?.(floorPlan.run, index) ?? Promise.resolve(), {
          ratePerSecond: config.fixedRatePerSecond,
          durationMs: config.fixedRateSeconds * 1000,
          maxInFlight: 10_000,
          drainTimeoutMs: 30_000,
        });

  const extras: ContenderExtras[] = [];
  for (const contender of started.filter((c) => config.extrasFor.includes(c.name))) {
    const figures: ContenderExtras = { contender: contender.name };
    extras.push(figures);
    const step = async (what: string, run: () => Promise<void>) => {
      progress(`${contender.name} ${what}`);
      try {
        await run();
      } catch (error) {
        failures.push(`${contender.name} ${what}: ${message(error)}`);
      }
    };
    const wanted = (figure: ExtraFigure) => config.extraFigures.includes(figure);
    if (contender.publishOne !== undefined && wanted('latency')) {
      await step('publish latency', async () => {
        figures.latency = await publishLatency(contender, receiver, config, `latency-${contender.name}`);
      });
    }
    if (contender.publish !== undefined && wanted('isolation')) {
      await step('isolation', async () => {
        figures.isolation = await isolation(contender, receiver, config);
      });
    }
    // Last: a million pending deliveries stay behind until teardown.
    if (contender.fillBacklog !== undefined && contender.publish !== undefined && wanted('backlog')) {
      await step('backlog', async () => {
        figures.backlog = await backlog(contender, receiver, config);
      });
    }
  }

  const rows: Row[] = started.flatMap((contender) =>
    modes
      .filter((mode) => supports(contender, mode))
      .map((mode) => ({ key: roundKey(contender.name, mode), contender: contender.name, mode })),
  );
  console.log(
    `bench/delivery: ${config.events.toLocaleString('en-US')} events x 1 endpoint, payload ${payload.length.toLocaleString('en-US')} B, concurrency ${config.concurrency}, ${config.rounds} rounds, receiver verify ${config.verify ? 'on' : 'off'}, node ${process.version}, ${cpus().length} cpus`,
  );
  console.log(formatThroughput(rows, rounds));
  console.log(formatCpu(rows, rounds));
  console.log(formatKernel(rows, rounds));
  if (!started.some((contender) => contender.name === 'hookline')) {
    console.log('hookline: not yet available (write bench/delivery/hookline.ts, see contender.ts)');
  }
  if (floor !== undefined) {
    console.log(
      formatLatency(
        `receiver floor at ${config.fixedRatePerSecond.toLocaleString('en-US')}/s (signed POST, open loop)`,
        floor,
      ),
    );
  }
  if (startup.length > 0) console.log(formatStartup(startup));
  for (const figures of extras) console.log(formatExtras(figures, config.fixedRatePerSecond));

  console.log(formatGoals({ rounds, startup, extras }));
} catch (error) {
  failures.push(`harness: ${message(error)}`);
} finally {
  for (const contender of started) {
    await contender
      .teardown()
      .catch((error: unknown) => failures.push(`${contender.name} teardown: ${message(error)}`));
  }
  await receiver.stop();
  progress('done');
}

if (failures.length > 0) {
  console.log(`failures (${failures.length}):`);
  for (const failure of failures) console.log(`  ${failure}`);
  process.exitCode = 1;
}
