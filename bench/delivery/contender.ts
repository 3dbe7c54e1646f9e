// The seam between the delivery benchmark and whatever delivers webhooks: the raw limit, the BullMQ peer and
// Hookline all implement `Contender`. The harness owns the clock and counts deliveries at the receiver, so a
// contender never reports its own figures: it only publishes, and the receiver says when everything arrived.
import type { NamedProcess } from '../lib/proc-cpu.js';

/** What every contender is given once, before any run. The same for all contenders in one benchmark run. */
export interface ContenderContext {
  /** Origin of the shared receiver, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  receiverUrl: string;
  /**
   * The event payload (a ~1 KiB JSON text), the body of every delivery. Hookline publishes `JSON.parse(payload)`
   * as the message payload, which serializes back to the same bytes.
   */
  payload: string;
  /** Deliveries in flight at once toward the receiver: set your delivery concurrency to it (raw and BullMQ: 64). */
  concurrency: number;
  /** The endpoint secret (`whsec_…`) to sign deliveries with; the receiver verifies with it when asked to. */
  secret: string;
}

/**
 * One measured run. Every event is delivered once to every URL in `endpointUrls` (fan-out), each delivery with a
 * `webhook-id` header unique to its event (the same for every endpoint and every retry), so the receiver can
 * count unique deliveries per URL and spot duplicates.
 */
export interface DeliveryRun {
  /** Unique within the benchmark run, safe in a URL or a uid: `r2-bullmq-drain`. */
  id: string;
  /** Full URLs on the receiver, one per endpoint. Paths under `/hang/` never answer (the isolation figure). */
  endpointUrls: readonly string[];
  /** How many events to publish. Expected deliveries = events x healthy endpoints. */
  events: number;
}

/**
 * Implement this to take part. Hookline plugs in by writing `bench/delivery/hookline.ts` exporting
 * `createContender(): Contender`; run.ts loads it when the file exists.
 *
 * Call order: `build` (untimed), `setup` once (timed: start to ready), then per run `prepare` (untimed), then either
 * `fill` (untimed) + `release` (timed until all delivered) for the drain rate, or `publish` (timed from its call
 * until all delivered) for the end-to-end rate. `teardown` always runs, also after an error.
 */
export interface Contender {
  /** Short, stable, lower case: `raw`, `bullmq`, `hookline`. */
  readonly name: string;
  /** Untimed, before `setup`: build what `setup` starts (a bundle to run on plain node). */
  build?(): Promise<void>;
  /** Start the contender's processes and return once they are ready to accept events. Timed as "start to ready". */
  setup(context: ContenderContext): Promise<void>;
  /** Create what a run needs before the clock starts (an application, endpoints for `run.endpointUrls`). */
  prepare?(run: DeliveryRun): Promise<void>;

  /** Drain, step 1 (untimed): accept `run.events` events, delivering none of them yet (workers paused or off). */
  fill?(run: DeliveryRun): Promise<void>;
  /** Drain, step 2 (timed): let delivery of what `fill` accepted begin. May resolve before delivery ends. */
  release?(run: DeliveryRun): Promise<void>;

  /** End-to-end (timed): publish `run.events` events at full speed while delivery is live. */
  publish?(run: DeliveryRun): Promise<void>;
  /**
   * Publish the event number `index` of `run` and resolve once it is accepted (for Hookline: the API answered
   * 202). Called at a fixed rate (1,000/s) to measure publish latency p50/p99.
   */
  publishOne?(run: DeliveryRun, index: number): Promise<void>;
  /**
   * Put `deliveries` pending deliveries in the queue that stay pending while the other runs go on (due far in the
   * future, or for an endpoint that is not taking deliveries), so throughput and memory can be measured over a
   * backlog. Untimed. They are left for `teardown`.
   */
  fillBacklog?(deliveries: number): Promise<void>;
  /**
   * Batch publish (timed by the harness, which calls it with up to `BENCH_BATCH_IN_FLIGHT` batches in flight):
   * accept events `from` to `to - 1` of `run` in one call (one request, one `addBulk`), resolved once accepted.
   */
  publishBatch?(run: DeliveryRun, from: number, to: number): Promise<void>;
  /** A Prometheus endpoint the harness scrapes every second during the backlog runs, when the contender has one. */
  metricsUrl?(): string;

  /**
   * The processes that are the contender, each with its role (`serve`; `worker` and `redis`), for RSS and for CPU
   * per event; empty when it runs inside the harness process (the raw limit: its CPU is the load generator's).
   */
  processes(): readonly NamedProcess[];
  /** Stop everything `setup` started, and remove what the runs left behind. Must not throw when setup failed. */
  teardown(): Promise<void>;
}

export const pidsOf = (contender: Contender): number[] => contender.processes().map((process) => process.pid);

/** The shape `bench/delivery/hookline.ts` must export. */
export interface ContenderModule {
  createContender(): Contender;
}
