// One measured run of one contender: the harness starts the clock, the receiver stops it (its clock, at the moment
// the last expected unique delivery arrived), so the figure is delivery to the receiver, never self-reported.
import type { Contender, DeliveryRun } from './contender.js';
import type { ReceiverProcess } from './receiver-process.js';
import { sampleRss } from './rss.js';

export type Mode = 'drain' | 'end-to-end';

export interface Measurement {
  contender: string;
  mode: Mode;
  /** Unique deliveries expected and seen on the healthy endpoints. */
  deliveries: number;
  ms: number;
  perSecond: number;
  /** End-to-end only: when `publish` resolved (all accepted), ms after the start. */
  publishedMs: number | undefined;
  duplicates: number;
  rejected: number;
  peakRssBytes: number | undefined;
}

const nowMs = () => performance.timeOrigin + performance.now();

export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result in ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A run whose endpoints live under `/<id>/` on the receiver, plus optional endpoints that hang. */
export function deliveryRun(
  receiverUrl: string,
  id: string,
  events: number,
  endpoints: { healthy: number; hanging?: number },
): { run: DeliveryRun; prefix: string; expected: number } {
  const prefix = `/${id}/`;
  const healthy = Array.from({ length: endpoints.healthy }, (_, k) => `${receiverUrl}${prefix}ep-${k}`);
  const hanging = Array.from({ length: endpoints.hanging ?? 0 }, (_, k) => `${receiverUrl}/hang/${id}/ep-${k}`);
  return { run: { id, endpointUrls: [...healthy, ...hanging], events }, prefix, expected: events * healthy.length };
}

export function supports(contender: Contender, mode: Mode): boolean {
  return mode === 'drain'
    ? contender.fill !== undefined && contender.release !== undefined
    : contender.publish !== undefined;
}

export async function measure(
  contender: Contender,
  receiver: ReceiverProcess,
  mode: Mode,
  planned: { run: DeliveryRun; prefix: string; expected: number },
  timeoutMs: number,
): Promise<Measurement> {
  const { run, prefix, expected } = planned;
  const label = `${contender.name} ${mode} ${run.id}`;
  await receiver.reset();
  await withTimeout(contender.prepare?.(run) ?? Promise.resolve(), timeoutMs, `${label} prepare`);
  if (mode === 'drain') {
    if (contender.fill === undefined) throw new Error(`${contender.name} has no fill()`);
    await withTimeout(contender.fill(run), timeoutMs, `${label} fill`);
  }

  const rss = sampleRss(contender.pids());
  // The wait is registered before the clock starts; the receiver counts whatever arrived before it anyway.
  const delivered = receiver.waitForUnique(prefix, expected, timeoutMs);
  delivered.catch(() => {}); // Observed below; never an unhandled rejection if the start step throws first.
  const start = nowMs();
  let publishedMs: number | undefined;
  try {
    if (mode === 'drain') {
      if (contender.release === undefined) throw new Error(`${contender.name} has no release()`);
      await withTimeout(contender.release(run), timeoutMs, `${label} release`);
    } else {
      if (contender.publish === undefined) throw new Error(`${contender.name} has no publish()`);
      await withTimeout(contender.publish(run), timeoutMs, `${label} publish`);
      publishedMs = nowMs() - start;
    }
    const reachedAt = await delivered;
    const ms = reachedAt - start;
    const stats = await receiver.stats();
    let duplicates = 0;
    let rejected = 0;
    for (const [path, counts] of Object.entries(stats.paths)) {
      if (!path.startsWith(prefix)) continue;
      duplicates += counts.duplicates;
      rejected += counts.rejected;
    }
    return {
      contender: contender.name,
      mode,
      deliveries: expected,
      ms,
      perSecond: (expected / ms) * 1000,
      publishedMs,
      duplicates,
      rejected,
      peakRssBytes: rss.stop(),
    };
  } finally {
    rss.stop();
  }
}
