// One run of ordered delivery through a real `hookline serve` child (issue 14 section 1): events published per key
// in order to a 'fifo' endpoint, a receiver that answers some with 500 and lets some time out, and a kill -9 of the
// child mid-run. The receiver checks, as each request arrives, that no event of a key arrives before the one before
// it was acknowledged (a 200 it answered); repeats are allowed (at least once). Used by test/ordered-delivery.test.ts
// and, at the full size, by bench/ordering.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { apiOk, callApi, type HooklineProcess, type HooklineProcesses, writeConfig } from './hookline-process.js';
import { waitFor } from './receiver.js';

export interface OrderedRunOptions {
  processes: HooklineProcesses;
  /** A SQLite file path or a PostgreSQL URL. */
  database: string;
  dir: string;
  events: number;
  keys: number;
  /** Share of requests answered 500. */
  failRate: number;
  /** Share of requests never answered (the connection is dropped after the send timeout). */
  timeoutRate: number;
  /** The child is killed with SIGKILL once this share of the events is acknowledged, then started again. */
  killAt: number;
  timeoutMs: number;
  /** A deterministic generator, so a failing run can be told apart from luck (mulberry32 of a seed). */
  seed: number;
  /** Bound on the whole run. */
  deadlineMs: number;
}

export interface OrderedRunResult {
  accepted: number;
  /** Events acknowledged (a 200 reached the child's connection) when the kill came. */
  ackedAtKill: number;
  /** Requests that arrived before the previous event of their key was acknowledged: must be empty. */
  violations: string[];
  /** Per key, the order of first arrivals (repeats removed): must be 0, 1, 2 … */
  firstArrivals: Map<string, number[]>;
  requests: number;
  repeats: number;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The receiver: answers as scripted and checks the ordering rule at each arrival. */
class OrderingReceiver {
  readonly acked = new Map<string, number>();
  readonly firstArrivals = new Map<string, number[]>();
  readonly violations: string[] = [];
  ackedCount = 0;
  requests = 0;
  repeats = 0;
  private server: Server | null = null;
  url = '';

  constructor(
    private readonly decide: () => 'ok' | 'fail' | 'timeout',
    private readonly dropAfterMs: number,
  ) {}

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        this.requests++;
        const { key, seq } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { key: string; seq: number };
        const acked = this.acked.get(key) ?? -1;
        if (seq > acked + 1) this.violations.push(`${key}#${seq} arrived while only #${acked} was acknowledged`);
        const seen = this.firstArrivals.get(key) ?? [];
        if (seen.includes(seq)) this.repeats++;
        else seen.push(seq);
        this.firstArrivals.set(key, seen);
        const decision = this.decide();
        if (decision === 'timeout') {
          // Never answered: the child's send times out; the connection is dropped after, never with a 200.
          setTimeout(() => res.destroy(), this.dropAfterMs);
          return;
        }
        if (decision === 'fail') {
          res.writeHead(500).end('scripted failure');
          return;
        }
        if (seq > acked) {
          this.acked.set(key, seq);
          this.ackedCount++;
        }
        res.writeHead(200).end('ok');
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

export async function runOrderedDelivery(options: OrderedRunOptions): Promise<OrderedRunResult> {
  const random = mulberry32(options.seed);
  const receiver = new OrderingReceiver(() => {
    const draw = random();
    if (draw < options.timeoutRate) return 'timeout';
    return draw < options.timeoutRate + options.failRate ? 'fail' : 'ok';
  }, options.timeoutMs + 500);
  await receiver.start();
  const config = writeConfig(options.dir, {
    timeoutMs: options.timeoutMs,
    leaseMarginMs: 500,
    pollIntervalMs: 200,
    // Enough quick retries that no event goes dead (0.12^15): every one must arrive, in order.
    retrySchedule: Array.from({ length: 15 }, (_, i) => Math.min(0.05 * 2 ** i, 0.5)),
    concurrency: 256,
    concurrencyPerEndpoint: 64,
  });
  const start = () => options.processes.start({ role: 'all', database: options.database, config });
  let child: HooklineProcess = await start();
  let base = child.url;
  const deadline = Date.now() + options.deadlineMs;
  try {
    await apiOk(base, 'POST', '/api/v1/app', { name: 'ordered', uid: 'ordered' });
    await apiOk(base, 'POST', '/api/v1/app/ordered/endpoint', {
      url: `${receiver.url}/sink`,
      ordering: 'fifo',
    });

    // Each key's events are published one after another (publish order is defined per key); a try cut off by the
    // kill is repeated with the same eventId, and a 409 says the first one was committed.
    let accepted = 0;
    const perKey = Math.ceil(options.events / options.keys);
    const publishKey = async (k: number) => {
      const key = `key-${k}`;
      for (let seq = 0; seq < perKey && k + seq * options.keys < options.events; seq++) {
        for (;;) {
          if (Date.now() > deadline) throw new Error('publishing did not finish in time');
          try {
            const response = await callApi(base, 'POST', '/api/v1/app/ordered/msg', {
              eventType: 'order.updated',
              eventId: `${key}-${seq}`,
              orderingKey: key,
              payload: { key, seq },
            });
            await response.text();
            if (response.status === 202 || response.status === 409) break;
          } catch {
            // The child is down or starting again: the same event once more.
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        accepted++;
      }
    };
    const publishing = Promise.all(Array.from({ length: options.keys }, (_, k) => publishKey(k)));

    const killAfter = Math.floor(options.events * options.killAt);
    await waitFor(() => receiver.ackedCount >= killAfter, `${killAfter} events acknowledged`, options.deadlineMs);
    const ackedAtKill = receiver.ackedCount;
    child.child.kill('SIGKILL');
    await child.exited;
    child = await start();
    base = child.url;

    await publishing;
    await waitFor(
      () => receiver.ackedCount >= accepted,
      `all ${options.events} events acknowledged`,
      Math.max(1, deadline - Date.now()),
    );
    return {
      accepted,
      ackedAtKill,
      violations: receiver.violations,
      firstArrivals: receiver.firstArrivals,
      requests: receiver.requests,
      repeats: receiver.repeats,
    };
  } finally {
    await options.processes.stopAll();
    await receiver.stop();
  }
}

/** The keys whose first arrivals are not 0, 1, 2 … in that order. */
export function keysOutOfOrder(firstArrivals: ReadonlyMap<string, number[]>): string[] {
  return [...firstArrivals.entries()]
    .filter(([, seqs]) => seqs.some((seq, index) => seq !== index))
    .map(([key, seqs]) => `${key}: ${seqs.join(',')}`);
}
