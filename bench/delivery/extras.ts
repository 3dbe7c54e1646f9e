// The slower figures, run for the contenders named in BENCH_EXTRAS (Hookline by default): publish latency at a
// fixed rate, isolation from a hanging endpoint, and throughput and memory over a large backlog.
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchConfig } from './config.js';
import { type Contender, pidsOf } from './contender.js';
import { type LatencySummary, runAtFixedRate } from './fixed-rate.js';
import { deliveryRun, type Measurement, measure, withTimeout } from './measure.js';
import { type ScrapeSummary, scrapeEverySecond } from './metrics-scrape.js';
import type { ReceiverProcess } from './receiver-process.js';
import { median } from './report.js';
import { totalRssBytes } from './rss.js';

export interface IsolationFigure {
  /** 9 healthy endpoints alone. */
  alone: Measurement;
  /** The same 9 with a 10th that never answers. */
  withHanging: Measurement;
  ratio: number;
  /** Deliveries to the hanging endpoint that had not arrived when it was released and given time to catch up. */
  hangingOutstanding: number;
}

/** How long the hanging endpoint, once answering, is given to receive its retries before the next figure. */
const HANG_SETTLE_MS = 20_000;
/** Pairs of isolation runs; the figure is the median of their ratios. */
const ISOLATION_PAIRS = 3;
/** Quiet time before an idle RSS reading, so in-flight work and its garbage settle. */
const IDLE_SETTLE_MS = 2_000;

export interface BacklogFigure {
  empty: Measurement;
  backlog: Measurement;
  backlogDeliveries: number;
  fillMs: number;
  ratio: number;
  idleRssEmptyBytes: number | undefined;
  idleRssBacklogBytes: number | undefined;
  /** `/metrics` scraped every second during the empty runs and during the runs over the backlog. */
  scrapes: { empty: ScrapeSummary; backlog: ScrapeSummary } | undefined;
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
  // One pair of runs swings by +-15 % on this shared machine, so the figure is the median over ISOLATION_PAIRS
  // pairs, each "alone" then "beside a hanging endpoint" (alone first: once a hanging endpoint has been tried, its
  // retries go on for a while after the run, until released and drained below).
  const pairs: Array<{ alone: Measurement; withHanging: Measurement; hangingOutstanding: number }> = [];
  for (let pair = 0; pair < ISOLATION_PAIRS; pair++) {
    const alone = await measure(
      contender,
      receiver,
      'end-to-end',
      deliveryRun(receiver.url, `iso-${name}-alone-${pair}`, events, { healthy: 9 }),
      config.runTimeoutMs,
    );
    const id = `iso-${name}-hang-${pair}`;
    const withHanging = await measure(
      contender,
      receiver,
      'end-to-end',
      deliveryRun(receiver.url, id, events, { healthy: 9, hanging: 1 }),
      config.runTimeoutMs,
    );
    // Let the hanging endpoint answer now, so its retries drain here instead of slowing the next figure.
    const hangPrefix = `/hang/${id}/`;
    await receiver.releaseHangs(hangPrefix);
    let hangingOutstanding = 0;
    try {
      await receiver.waitForUnique(hangPrefix, events, HANG_SETTLE_MS);
    } catch {
      const stats = await receiver.stats();
      const arrived = Object.entries(stats.paths)
        .filter(([path]) => path.startsWith(hangPrefix))
        .reduce((sum, [, counts]) => sum + counts.unique, 0);
      hangingOutstanding = events - arrived;
    }
    pairs.push({ alone, withHanging, hangingOutstanding });
  }
  return {
    alone: mergeMeasurements(pairs.map((p) => p.alone)),
    withHanging: mergeMeasurements(pairs.map((p) => p.withHanging)),
    ratio: median(pairs.map((p) => p.withHanging.perSecond / p.alone.perSecond)),
    hangingOutstanding: pairs.reduce((sum, p) => sum + p.hangingOutstanding, 0),
  };
}

/** One figure from several runs: median rate and CPU per delivery of each role, highest peak RSS. */
function mergeMeasurements(runs: readonly Measurement[]): Measurement {
  const first = runs[0];
  if (first === undefined) throw new Error('no runs to merge');
  const peaks = runs.map((m) => m.peakRssBytes).filter((v): v is number => v !== undefined);
  const roles = new Set(runs.flatMap((m) => [...m.cpuMicrosPerDelivery.keys()]));
  const cpu = new Map(
    [...roles].map((role) => [
      role,
      median(runs.map((m) => m.cpuMicrosPerDelivery.get(role)).filter((v): v is number => v !== undefined)),
    ]),
  );
  return {
    ...first,
    cpuMicrosPerDelivery: cpu,
    perSecond: median(runs.map((m) => m.perSecond)),
    ms: median(runs.map((m) => m.ms)),
    duplicates: runs.reduce((sum, m) => sum + m.duplicates, 0),
    peakRssBytes: peaks.length === 0 ? undefined : Math.max(...peaks),
  };
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
  const metricsUrl = contender.metricsUrl?.();
  // Two runs on each side: the fill cannot be undone, so rounds cannot alternate; two at least tame one outlier.
  // Both sides are scraped alike, so the ratio shows what a scrape costs over the backlog beyond an empty store.
  const twice = async (label: string) => {
    const scraper = metricsUrl === undefined ? undefined : scrapeEverySecond(metricsUrl);
    try {
      const runs = [
        await measure(contender, receiver, 'end-to-end', plan(`backlog-${name}-${label}-1`), config.runTimeoutMs),
        await measure(contender, receiver, 'end-to-end', plan(`backlog-${name}-${label}-2`), config.runTimeoutMs),
      ];
      return { runs, scrapes: await scraper?.stop() };
    } catch (error) {
      await scraper?.stop();
      throw error;
    }
  };
  const { runs: empty, scrapes: emptyScrapes } = await twice('empty');
  // Idle RSS is read after the empty runs, not before them: read before, it charged the runs' own warm-up (heap
  // grown by two end-to-end runs, which V8 keeps) to the backlog. Now only the fill lies between the two readings.
  await sleep(IDLE_SETTLE_MS);
  const idleRssEmptyBytes = totalRssBytes(pidsOf(contender));
  const start = performance.now();
  // Filling a million rows is slow by nature; bounded all the same, at ten minutes.
  await withTimeout(fillBacklog(config.backlogDeliveries), 600_000, `${name} fillBacklog`);
  const fillMs = performance.now() - start;
  await sleep(IDLE_SETTLE_MS);
  const idleRssBacklogBytes = totalRssBytes(pidsOf(contender));
  const { runs: full, scrapes: backlogScrapes } = await twice('full');
  return {
    empty: mergeMeasurements(empty),
    backlog: mergeMeasurements(full),
    backlogDeliveries: config.backlogDeliveries,
    fillMs,
    ratio: median(full.map((m) => m.perSecond)) / median(empty.map((m) => m.perSecond)),
    idleRssEmptyBytes,
    idleRssBacklogBytes,
    scrapes:
      emptyScrapes === undefined || backlogScrapes === undefined
        ? undefined
        : { empty: emptyScrapes, backlog: backlogScrapes },
  };
}
