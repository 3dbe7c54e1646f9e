// The slower figures, run for the contenders named in BENCH_EXTRAS (Hookline by default): publish latency at a
// fixed rate, isolation from a hanging endpoint, and throughput and memory over a large backlog.
import type { BenchConfig } from './config.js';
import type { Contender } from './contender.js';
import { type LatencySummary, runAtFixedRate } from './fixed-rate.js';
import { deliveryRun, type Measurement, measure, withTimeout } from './measure.js';
import type { ReceiverProcess } from './receiver-process.js';
import { totalRssBytes } from './rss.js';

export interface IsolationFigure {
  /** 9 healthy endpoints alone. */
  alone: Measurement;
  /** The same 9 with a 10th that never answers. */
  withHanging: Measurement;
  ratio: number;
}

export interface BacklogFigure {
  empty: Measurement;
  backlog: Measurement;
  backlogDeliveries: number;
  fillMs: number;
  ratio: number;
  idleRssEmptyBytes: number | undefined;
  idleRssBacklogBytes: number | undefined;
}

/**
 * `publishOne` at a fixed rate; latency from each scheduled send to its acceptance. Waits (bounded) for those
 * events to be delivered afterwards, so they do not spill into the next figure.
 */
export async function publishLatency(
  contender: Contender,
  receiver: ReceiverProcess,
  config: BenchConfig,
  id: string,
): Promise<LatencySummary> {
  const publishOne = contender.publishOne?.bind(contender);
  if (publishOne === undefined) throw new Error(`${contender.name} has no publishOne()`);
  const events = config.fixedRatePerSecond * config.fixedRateSeconds;
  const { run, prefix } = deliveryRun(receiver.url, id, events, { healthy: 1 });
  await receiver.reset();
  await withTimeout(contender.prepare?.(run) ?? Promise.resolve(), config.runTimeoutMs, `${id} prepare`);
  const summary = await runAtFixedRate((index) => publishOne(run, index), {
    ratePerSecond: config.fixedRatePerSecond,
    durationMs: config.fixedRateSeconds * 1000,
    maxInFlight: 10_000,
    drainTimeoutMs: 30_000,
  });
  await receiver.waitForUnique(prefix, summary.completed, config.runTimeoutMs);
  return summary;
}

export async function isolation(
  contender: Contender,
  receiver: ReceiverProcess,
  config: BenchConfig,
): Promise<IsolationFigure> {
  const events = config.isolationEvents;
  const name = contender.name;
  // Alone first: once a hanging endpoint has been tried, its retries may go on for a while after the run.
  const alone = await measure(
    contender,
    receiver,
    'end-to-end',
    deliveryRun(receiver.url, `iso-${name}-alone`, events, { healthy: 9 }),
    config.runTimeoutMs,
  );
  const withHanging = await measure(
    contender,
    receiver,
    'end-to-end',
    deliveryRun(receiver.url, `iso-${name}-hang`, events, { healthy: 9, hanging: 1 }),
    config.runTimeoutMs,
  );
  return { alone, withHanging, ratio: withHanging.perSecond / alone.perSecond };
}

export async function backlog(
  contender: Contender,
  receiver: ReceiverProcess,
  config: BenchConfig,
): Promise<BacklogFigure> {
  const fillBacklog = contender.fillBacklog?.bind(contender);
  if (fillBacklog === undefined) throw new Error(`${contender.name} has no fillBacklog()`);
  const name = contender.name;
  const plan = (id: string) => deliveryRun(receiver.url, id, config.events, { healthy: 1 });
  const idleRssEmptyBytes = totalRssBytes(contender.pids());
  const empty = await measure(contender, receiver, 'end-to-end', plan(`backlog-${name}-empty`), config.runTimeoutMs);
  const start = performance.now();
  // Filling a million rows is slow by nature; bounded all the same, at ten minutes.
  await withTimeout(fillBacklog(config.backlogDeliveries), 600_000, `${name} fillBacklog`);
  const fillMs = performance.now() - start;
  const idleRssBacklogBytes = totalRssBytes(contender.pids());
  const full = await measure(contender, receiver, 'end-to-end', plan(`backlog-${name}-full`), config.runTimeoutMs);
  return {
    empty,
    backlog: full,
    backlogDeliveries: config.backlogDeliveries,
    fillMs,
    ratio: full.perSecond / empty.perSecond,
    idleRssEmptyBytes,
    idleRssBacklogBytes,
  };
}
