// bench/api: publish through the HTTP API. One event per request (~300 B JSON), durable (SQLite synchronous=FULL:
// answered only once on disk), auth on (an admin API key), 64 in flight, load from this process and each server in
// its own. Against a bare Fastify route answering 202 to the same body, in the same run, rounds alternating.
//   saturated: autocannon, 64 connections, BENCH_SECONDS per contender and round: req/s
//   fixed rate: open loop at BENCH_RATE req/s (1,000) for BENCH_RATE_SECONDS: p50/p99 from each request's
//               scheduled time (no coordinated omission)
// Also "hookline + Idempotency-Key": the same server, every request with a unique key, as the Svix SDK sends.
// Server CPU µs per request of the saturated phase, from /proc/<pid>/stat (holds on a busy machine).
// Goal 3 of issue 12: saturated req/s >= 0.5x the bare Fastify route's, same round; p99 < 5 ms at 1,000 req/s.
// Run: npm run bench:api   (env BENCH_ROUNDS, BENCH_SECONDS, BENCH_RATE, BENCH_RATE_SECONDS, BENCH_CONNECTIONS)
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Pool } from 'undici';
import { type LatencySummary, runAtFixedRate } from '../delivery/fixed-rate.js';
import { goal } from '../lib/goal-line.js';
import { startCpuReading } from '../lib/proc-cpu.js';
import type { ServerName, ServerQuestion, ServerReady } from './servers.js';
import { type PublishOutcomes, storedCheckProblems } from './stored-check.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rate = Number(process.env.BENCH_RATE ?? 1000);
const rateSeconds = Number(process.env.BENCH_RATE_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);

type ContenderName = 'baseline' | 'hookline' | 'hookline-idem';
const contenders: ContenderName[] = ['baseline', 'hookline', 'hookline-idem'];
const serverOf: Record<ContenderName, ServerName> = {
  baseline: 'baseline',
  hookline: 'hookline',
  'hookline-idem': 'hookline',
};
const labels: Record<ContenderName, string> = {
  baseline: 'bare fastify 202 (baseline)',
  hookline: 'hookline publish',
  'hookline-idem': 'hookline + Idempotency-Key',
};

interface Server extends ServerReady {
  child: ChildProcess;
}

// Each request's payload carries a tag of its own (metadata.request), so the check after each phase is per request
// (stored-check.ts): every 202 stored, nothing refused stored, whatever happened to the requests given up on.
const TAG = '@TAG@';
const [bodyHead, bodyTail] = JSON.stringify({
  eventType: 'invoice.paid',
  payload: {
    id: 'in_1MtHbELkdIwHu7ixl4OzzPMv',
    customer: 'cus_NffrFeUfNV2Hib',
    amount_due: 4200,
    currency: 'eur',
    lines: [{ description: 'Pro plan, monthly', amount: 4200, quantity: 1 }],
    metadata: { order: 'ord_8812', region: 'eu-west', request: TAG },
  },
}).split(TAG) as [string, string];
const bodyWith = (tag: string) => `${bodyHead}${tag}${bodyTail}`;

/** One tracked phase: the tags sent, answered 202 and refused; `phase` prefixes its tags. */
class PhaseOutcomes implements PublishOutcomes {
  readonly accepted = new Set<string>();
  readonly refused = new Set<string>();
  readonly sent = new Set<string>();
  private next = 0;
  constructor(readonly phase: string) {}
  nextTag(): string {
    const tag = `${this.phase}-${this.next++}`;
    this.sent.add(tag);
    return tag;
  }
  answered(tag: string, status: number): void {
    if (status === 202) this.accepted.add(tag);
    else this.refused.add(tag);
  }
}

let phases = 0;

function start(name: ServerName): Promise<Server> {
  const child = fork(fileURLToPath(new URL('./servers.ts', import.meta.url)), [name], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (ready: ServerReady) => resolve({ ...ready, child }));
    child.once('exit', (code) => reject(new Error(`${name} server exited with ${code}`)));
  });
}

function ask<T>(server: Server, question: ServerQuestion): Promise<T> {
  return new Promise((resolve, reject) => {
    // A server that dies instead of answering fails the bench rather than leaving it waiting.
    const died = (code: number | null) => reject(new Error(`the server exited with ${code} before answering`));
    server.child.once('exit', died);
    server.child.once('message', (answer: T) => {
      server.child.off('exit', died);
      resolve(answer);
    });
    server.child.send(question);
  });
}

/** Hookline's side of the check: the tags of this phase among the messages stored since `mark`. */
async function checkStored(name: ContenderName, server: Server, mark: number, outcomes: PhaseOutcomes): Promise<void> {
  if (serverOf[name] !== 'hookline') return; // the bare route stores nothing
  const { tags } = await ask<{ tags: string[] }>(server, { ask: 'stored', after: mark });
  const ofPhase = tags.filter((tag) => tag.startsWith(`${outcomes.phase}-`));
  const problems = storedCheckProblems(outcomes, ofPhase);
  if (problems.length > 0) throw new Error(`${name} (${outcomes.phase}): ${problems.join('; ')}`);
}

/** Where Hookline's messages end before a phase; the bare route stores nothing and is not asked. */
const markOf = async (name: ContenderName, server: Server) =>
  serverOf[name] === 'hookline' ? (await ask<{ mark: number }>(server, { ask: 'mark' })).mark : 0;

function headersFor(server: Server, idempotent: boolean): Record<string, string> {
  return {
    'content-type': 'application/json',
    authorization: `Bearer ${server.apiKey}`,
    ...(idempotent ? { 'idempotency-key': randomUUID() } : {}),
  };
}

async function saturated(
  name: ContenderName,
  server: Server,
  durationSeconds: number,
): Promise<{ requestsPerSecond: number; cpuMicrosPerRequest: number; timeouts: number }> {
  const mark = await markOf(name, server);
  const outcomes = new PhaseOutcomes(`s${phases++}`);
  const pid = server.child.pid;
  const cpu = startCpuReading(pid === undefined ? [] : [{ role: 'server', pid }]);
  const idempotent = name === 'hookline-idem';
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}/api/v1/app/${server.appId}/msg`,
    connections,
    duration: durationSeconds,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        setupRequest: (request, context) => {
          const tag = outcomes.nextTag();
          (context as { tag?: string }).tag = tag;
          return { ...request, headers: headersFor(server, idempotent), body: bodyWith(tag) };
        },
        // autocannon resets the context before each request (one request in the list), and calls this before it
        // builds the next: the context holds the tag of the request this answers.
        onResponse: (status, _body, context) => outcomes.answered((context as { tag: string }).tag, status),
      },
    ],
  });
  // A timeout is a request the client gave up on (10 s): counted and printed, not a fault of the server's promise.
  // Any other error or a refusal is one to look at.
  if (result.non2xx > 0 || result.errors > result.timeouts) {
    throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors - result.timeouts} errors besides timeouts`);
  }
  const serverMicros = cpu.spent().get('server') ?? Number.NaN;
  await checkStored(name, server, mark, outcomes);
  const answered = result.requests.total;
  return {
    requestsPerSecond: answered / result.duration,
    cpuMicrosPerRequest: serverMicros / answered,
    timeouts: result.timeouts,
  };
}

/** p50/p99 at the fixed rate, and how many sends the run could not make or did not see answered. */
interface FixedRateFigure extends LatencySummary {
  /** Skipped (the generator's bound on sends in flight reached) or unanswered at the end of the drain. */
  lost: number;
}

async function fixedRate(name: ContenderName, server: Server): Promise<FixedRateFigure> {
  const pool = new Pool(`http://127.0.0.1:${server.port}`, { connections });
  const path = `/api/v1/app/${server.appId}/msg`;
  const idempotent = name === 'hookline-idem';
  const mark = await markOf(name, server);
  const outcomes = new PhaseOutcomes(`f${phases++}`);
  try {
    const summary = await runAtFixedRate(
      async () => {
        const tag = outcomes.nextTag();
        const response = await pool.request({
          method: 'POST',
          path,
          headers: headersFor(server, idempotent),
          body: bodyWith(tag),
        });
        await response.body.dump();
        outcomes.answered(tag, response.statusCode);
        if (response.statusCode !== 202) throw new Error(`HTTP ${response.statusCode}`);
      },
      { ratePerSecond: rate, durationMs: rateSeconds * 1000, maxInFlight: 1000, drainTimeoutMs: 10_000 },
    );
    // An answer other than 202 is a fault to look at; sends skipped or unanswered because the machine could not
    // keep the rate are reported beside the latency (and fail the p99 goal), not a reason to stop the bench.
    if (summary.failed > 0) throw new Error(`${name} at ${rate}/s: ${summary.failed} failed (${summary.firstError})`);
    await checkStored(name, server, mark, outcomes);
    return { ...summary, lost: summary.skipped + summary.timedOut };
  } finally {
    await pool.close();
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

interface Round {
  requestsPerSecond: number;
  cpuMicrosPerRequest: number;
  p50Ms: number;
  p99Ms: number;
  /** Fixed-rate sends skipped or unanswered (the rate was not kept). */
  lost: number;
  /** Saturated requests the client gave up on after 10 s. */
  timeouts: number;
}

const load = loadavg()[0] as number;
const servers = new Map<ServerName, Server>();
servers.set('baseline', await start('baseline'));
servers.set('hookline', await start('hookline'));
const results = new Map<ContenderName, Round[]>(contenders.map((name) => [name, []]));
try {
  for (const name of contenders) await saturated(name, servers.get(serverOf[name]) as Server, 1); // warm-up
  for (let round = 0; round < rounds; round++) {
    const order = contenders.map((_, i) => contenders[(i + round) % contenders.length] as ContenderName);
    if (round % 2 === 1) order.reverse();
    for (const name of order) {
      const server = servers.get(serverOf[name]) as Server;
      const { requestsPerSecond, cpuMicrosPerRequest, timeouts } = await saturated(name, server, seconds);
      const latency = await fixedRate(name, server);
      (results.get(name) as Round[]).push({
        requestsPerSecond,
        cpuMicrosPerRequest,
        p50Ms: latency.p50Ms,
        p99Ms: latency.p99Ms,
        lost: latency.lost,
        timeouts,
      });
    }
    process.stderr.write(`round ${round + 1}/${rounds} done\n`);
  }
} finally {
  for (const server of servers.values()) server.child.kill();
}

const perRound = (name: ContenderName) => results.get(name) as Round[];
const ratioToBaseline = (name: ContenderName) =>
  median(perRound(name).map((r, i) => r.requestsPerSecond / (perRound('baseline')[i] as Round).requestsPerSecond));
const fmt = (n: number, width: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }).padStart(width);

const lines = [
  `bench/api: node ${process.version}, ${rounds} rounds; saturated ${seconds} s at ${connections} in flight; fixed ${rate} req/s for ${rateSeconds} s; load average at start ${load.toFixed(2)}`,
  `${'contender'.padEnd(28)} ${'req/s'.padStart(8)} ${'vs base'.padStart(8)} ${'cpu µs/req'.padStart(11)}  ${`p50 @${rate}/s`.padStart(11)} ${`p99 @${rate}/s`.padStart(11)} ${'lost'.padStart(6)}`,
];
for (const name of contenders) {
  const rs = perRound(name);
  lines.push(
    `${labels[name].padEnd(28)} ${fmt(median(rs.map((r) => r.requestsPerSecond)), 8)} ${`${ratioToBaseline(name).toFixed(2)}x`.padStart(8)} ${fmt(median(rs.map((r) => r.cpuMicrosPerRequest)), 11, 1)}  ${fmt(median(rs.map((r) => r.p50Ms)), 8, 2)} ms ${fmt(median(rs.map((r) => r.p99Ms)), 8, 2)} ms ${fmt(
      rs.reduce((sum, r) => sum + r.lost, 0),
      6,
    )}`,
  );
}
const hooklineP99 = median(perRound('hookline').map((r) => r.p99Ms));
// A p99 over the answers alone would flatter a run that skipped sends: any send lost fails the goal.
const hooklineLost = perRound('hookline').reduce((sum, r) => sum + r.lost, 0);
lines.push(
  '(medians over rounds; "vs base" = median of per-round ratios to the bare Fastify route; cpu µs/req: the server',
  ' process over the saturated phase, from /proc/<pid>/stat utime + stime; lost: fixed-rate sends skipped or never',
  ' answered over all rounds, the rate not kept)',
  `per round, hookline req/s: ${perRound('hookline')
    .map((r) => Math.round(r.requestsPerSecond))
    .join(', ')}; baseline: ${perRound('baseline')
    .map((r) => Math.round(r.requestsPerSecond))
    .join(', ')}`,
  `saturated requests given up on (10 s): ${contenders
    .map((name) => `${name} ${perRound(name).reduce((sum, r) => sum + r.timeouts, 0)}`)
    .join(', ')}`,
  goal('3 hookline publish vs a bare Fastify route answering 202, saturated', ratioToBaseline('hookline'), 0.5, 'x'),
  goal(
    `3 hookline publish p99 at ${rate.toLocaleString('en-US')}/s`,
    hooklineLost > 0 ? Number.POSITIVE_INFINITY : hooklineP99,
    5,
    'ms',
    'below',
    hooklineLost > 0 ? `${hooklineLost} sends skipped or unanswered, p99 of the rest ${hooklineP99.toFixed(2)} ms` : '',
  ),
);
console.log(lines.join('\n'));
