// One measured run of one contender: the harness starts the clock, the receiver stops it (its clock, at the moment
// the last expected unique delivery arrived), so the figure is delivery to the receiver, never self-reported.
import { type CpuSpent, startCpuReading } from '../lib/proc-cpu.js';
import { type KernelFigures, startKernelReading } from '../lib/proc-kernel.js';
import { type Contender, type DeliveryRun, pidsOf } from './contender.js';
import { forEachConcurrently } from './delivery-client.js';
import type { ReceiverProcess } from './receiver-process.js';
import { sampleRss } from './rss.js';

/** `batch`: end to end, published in batches of `BATCH_SIZE` (`publishBatch`) instead of one event per call. */
export type Mode = 'drain' | 'end-to-end' | 'batch';

/** Events per batch in the batch mode: the row, Hookline's `POST …/msg/batch` against BullMQ's `addBulk`. */
export const BATCH_SIZE = 100;

/** Role names of the processes every run reads besides the contender's own. */
export const RECEIVER_ROLE = 'receiver';
export const LOAD_GENERATOR_ROLE = 'load generator';

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
  /**
   * CPU µs per delivery over the timed part, by role: the contender's processes (`serve`, `worker`, `redis` …),
   * `receiver`, and `load generator` (this harness process: the publisher, and for the raw limit the sender).
   */
  cpuMicrosPerDelivery: ReadonlyMap<string, number>;
  /** Of that CPU, what the kernel spent (stime), and the write-family system calls, per delivery, by role. */
  kernelPerDelivery?: ReadonlyMap<string, KernelFigures>;
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
  if (mode === 'drain') return contender.fill !== undefined && contender.release !== undefined;
  return mode === 'batch' ? contender.publishBatch !== undefined : contender.publish !== undefined;
}

/** Batches of `BATCH_SIZE`, `inFlight` at a time, as a client with a burst of events to send would. */
async function publishInBatches(contender: Contender, run: DeliveryRun, inFlight: number): Promise<void> {
  const publishBatch = contender.publishBatch?.bind(contender);
  if (publishBatch === undefined) throw new Error(`${contender.name} has no publishBatch()`);
  const batches = Math.ceil(run.events / BATCH_SIZE);
  await forEachConcurrently(batches, inFlight, (k) =>
    publishBatch(run, k * BATCH_SIZE, Math.min(run.events, (k + 1) * BATCH_SIZE)),
  );
}

function perDelivery(spent: CpuSpent, deliveries: number): Map<string, number> {
  return new Map([...spent].map(([role, micros]) => [role, micros / deliveries]));
}

export async function measure(
  contender: Contender,
  receiver: ReceiverProcess,
  mode: Mode,
  planned: { run: DeliveryRun; prefix: string; expected: number },
  timeoutMs: number,
  batchInFlight = 1,
): Promise<Measurement> {
  const { run, prefix, expected } = planned;
  const label = `${contender.name} ${mode} ${run.id}`;
  await receiver.reset();
  await withTimeout(contender.prepare?.(run) ?? Promise.resolve(), timeoutMs, `${label} prepare`);
  if (mode === 'drain') {
    if (contender.fill === undefined) throw new Error(`${contender.name} has no fill()`);
    await withTimeout(contender.fill(run), timeoutMs, `${label} fill`);
  }

  const rss = sampleRss(pidsOf(contender));
  const measured = [
    ...contender.processes(),
    { role: RECEIVER_ROLE, pid: receiver.pid },
    { role: LOAD_GENERATOR_ROLE, pid: process.pid },
  ];
  const cpu = startCpuReading(measured);
  const kernel = startKernelReading(measured);
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
      const publishing =
        mode === 'batch'
          ? publishInBatches(contender, run, batchInFlight)
          : (contender.publish?.(run) ?? Promise.reject(new Error(`${contender.name} has no publish()`)));
      await withTimeout(publishing, timeoutMs, `${label} publish`);
      publishedMs = nowMs() - start;
    }
    const reachedAt = await delivered;
    const cpuSpent = cpu.spent();
    const kernelSpent = kernel.spent();
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
      cpuMicrosPerDelivery: perDelivery(cpuSpent, expected),
      kernelPerDelivery: new Map(
        [...kernelSpent].map(([role, { systemMicros, writeCalls }]) => [
          role,
          {
            systemMicros: systemMicros / expected,
            writeCalls: writeCalls === undefined ? undefined : writeCalls / expected,
          },
        ]),
      ),
    };
  } finally {
    rss.stop();
  }
}
