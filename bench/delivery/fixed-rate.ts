// An open-loop load generator: sends at a fixed rate whatever the answers do, and measures each latency from the
// time the send was *scheduled*, not from when it went out. A closed loop (wait, then send the next) hides a slow
// server by sending less ("coordinated omission"); here a stall shows up in every send scheduled during it.
import { setTimeout as sleep } from 'node:timers/promises';

export interface FixedRateOptions {
  ratePerSecond: number;
  durationMs: number;
  /** Sends scheduled but not yet answered beyond this are skipped and counted: the generator's memory is bounded. */
  maxInFlight: number;
  /** How long to wait for the last answers after the schedule ends; those still missing count as timed out. */
  drainTimeoutMs: number;
}

export interface LatencySummary {
  scheduled: number;
  completed: number;
  failed: number;
  /** Skipped because `maxInFlight` sends were already waiting: the target could not keep up. */
  skipped: number;
  /** Still unanswered after `drainTimeoutMs`. */
  timedOut: number;
  /** Completions per second over the whole run, including the drain. */
  achievedPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  firstError: string | undefined;
}

/** The value below which `fraction` of the sorted samples fall (nearest rank). */
export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank] as number;
}

export async function runAtFixedRate(
  send: (index: number) => Promise<void>,
  options: FixedRateOptions,
): Promise<LatencySummary> {
  const intervalMs = 1000 / options.ratePerSecond;
  const total = Math.floor((options.ratePerSecond * options.durationMs) / 1000);
  const latencies: number[] = [];
  let failed = 0;
  let skipped = 0;
  let inFlight = 0;
  let firstError: string | undefined;
  const pending = new Set<Promise<void>>();

  const start = performance.now();
  let index = 0;
  while (index < total) {
    const now = performance.now();
    // Everything whose time has come goes out now; each keeps its scheduled time as the latency origin.
    while (index < total && start + index * intervalMs <= now) {
      const scheduledAt = start + index * intervalMs;
      if (inFlight >= options.maxInFlight) {
        skipped++;
        index++;
        continue;
      }
      inFlight++;
      // Through an async wrapper so a send that throws at once counts as a failure, not a crash.
      const attempt = (async () => send(index))().then(
        () => {
          latencies.push(performance.now() - scheduledAt);
        },
        (error: unknown) => {
          failed++;
          firstError ??= error instanceof Error ? error.message : String(error);
        },
      );
      const tracked: Promise<void> = attempt.finally(() => {
        inFlight--;
        pending.delete(tracked);
      });
      pending.add(tracked);
      index++;
    }
    if (index < total) await sleep(Math.max(0, start + index * intervalMs - performance.now()));
  }
  const drained = Promise.all(pending).then(() => true);
  const giveUp = new AbortController();
  const deadline = sleep(options.drainTimeoutMs, false, { signal: giveUp.signal }).catch(() => false);
  const allAnswered = await Promise.race([drained, deadline]);
  giveUp.abort(); // The deadline timer must not keep the process alive once everything has answered.
  const elapsedMs = performance.now() - start;
  const timedOut = allAnswered ? 0 : pending.size;

  const sorted = latencies.sort((a, b) => a - b);
  return {
    scheduled: total,
    completed: sorted.length,
    failed,
    skipped,
    timedOut,
    achievedPerSecond: (sorted.length / elapsedMs) * 1000,
    p50Ms: percentile(sorted, 0.5),
    p90Ms: percentile(sorted, 0.9),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.length === 0 ? Number.NaN : (sorted[sorted.length - 1] as number),
    firstError,
  };
}
