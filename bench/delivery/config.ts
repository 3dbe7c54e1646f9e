// Every knob of bench/delivery, read from the environment in one place and checked before anything starts.
import type { Mode } from './measure.js';

const MODES: readonly Mode[] = ['drain', 'end-to-end', 'batch'];
export const EXTRA_FIGURES = ['latency', 'isolation', 'backlog'] as const;
export type ExtraFigure = (typeof EXTRA_FIGURES)[number];

export interface BenchConfig {
  /** Events per measured run (BENCH_N). */
  events: number;
  /** Alternating rounds per contender (BENCH_ROUNDS). */
  rounds: number;
  /** In-flight deliveries for the raw limit and the BullMQ worker (BENCH_CONCURRENCY). */
  concurrency: number;
  /** Payload size in bytes (BENCH_PAYLOAD_BYTES). */
  payloadBytes: number;
  /** The receiver verifies every signature (BENCH_VERIFY=1); off by default so it is not the bottleneck. */
  verify: boolean;
  /** Fixed publish rate for the latency figures, events/s (BENCH_RATE). */
  fixedRatePerSecond: number;
  /** Length of each fixed-rate run in seconds (BENCH_RATE_SECONDS). */
  fixedRateSeconds: number;
  /** Events per isolation run, each fanned out to 9 or 10 endpoints (BENCH_ISOLATION_EVENTS). */
  isolationEvents: number;
  /** Pending deliveries in the backlog figure (BENCH_BACKLOG). */
  backlogDeliveries: number;
  /** Contenders to run (BENCH_CONTENDERS, comma list; default every one: raw, bullmq, relay, durable-relay, hookline). */
  contenders: readonly string[] | 'all';
  /** Modes measured in the rounds (BENCH_MODES, comma list of drain, end-to-end, batch; default all three). */
  modes: readonly Mode[];
  /** Contenders that also get the slow figures: publish latency, isolation, backlog (BENCH_EXTRAS, comma list). */
  extrasFor: readonly string[];
  /** Which slow figures they get (BENCH_EXTRA_FIGURES, comma list of latency, isolation, backlog; default all). */
  extraFigures: readonly ExtraFigure[];
  /** Upper bound on one measured run, in ms (BENCH_RUN_TIMEOUT_MS): a stuck contender fails, it never hangs. */
  runTimeoutMs: number;
  /** Redis for the BullMQ peer (BENCH_REDIS_URL); unset: the peer starts a Redis of its own (CPU not shared). */
  redisUrl: string | undefined;
  /** Batches of 100 in flight in the batch mode (BENCH_BATCH_IN_FLIGHT). */
  batchInFlight: number;
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text.replaceAll('_', ''));
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got "${text}"`);
  return value;
}

export function readBenchConfig(env: NodeJS.ProcessEnv): BenchConfig {
  const extras = env.BENCH_EXTRAS ?? 'hookline';
  const list = (text: string) =>
    text
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== '');
  const modes = env.BENCH_MODES === undefined || env.BENCH_MODES === '' ? MODES : list(env.BENCH_MODES);
  for (const mode of modes) {
    if (!(MODES as readonly string[]).includes(mode)) throw new Error(`BENCH_MODES: unknown mode "${mode}"`);
  }
  const figures =
    env.BENCH_EXTRA_FIGURES === undefined || env.BENCH_EXTRA_FIGURES === ''
      ? EXTRA_FIGURES
      : list(env.BENCH_EXTRA_FIGURES);
  for (const figure of figures) {
    if (!(EXTRA_FIGURES as readonly string[]).includes(figure)) {
      throw new Error(`BENCH_EXTRA_FIGURES: unknown figure "${figure}"`);
    }
  }
  return {
    modes: modes as Mode[],
    extraFigures: figures as ExtraFigure[],
    contenders: env.BENCH_CONTENDERS === undefined || env.BENCH_CONTENDERS === '' ? 'all' : list(env.BENCH_CONTENDERS),
    events: positiveInteger(env, 'BENCH_N', 20_000),
    rounds: positiveInteger(env, 'BENCH_ROUNDS', 5),
    concurrency: positiveInteger(env, 'BENCH_CONCURRENCY', 64),
    payloadBytes: positiveInteger(env, 'BENCH_PAYLOAD_BYTES', 1024),
    verify: env.BENCH_VERIFY === '1',
    fixedRatePerSecond: positiveInteger(env, 'BENCH_RATE', 1000),
    fixedRateSeconds: positiveInteger(env, 'BENCH_RATE_SECONDS', 5),
    isolationEvents: positiveInteger(env, 'BENCH_ISOLATION_EVENTS', 2000),
    backlogDeliveries: positiveInteger(env, 'BENCH_BACKLOG', 1_000_000),
    extrasFor: list(extras),
    runTimeoutMs: positiveInteger(env, 'BENCH_RUN_TIMEOUT_MS', 180_000),
    redisUrl: env.BENCH_REDIS_URL === '' ? undefined : env.BENCH_REDIS_URL,
    batchInFlight: positiveInteger(env, 'BENCH_BATCH_IN_FLIGHT', 4),
  };
}
