// bench/receiver: verified, routed, deduped Standard Webhooks requests through @hookline/receiver against bare
// node:http, @octokit/webhooks (GitHub-signed) and Express + svix, autocannon from this process, each server in
// its own; server CPU per request from the server's own getrusage (process.cpuUsage: every thread, as /proc has it).
// Goal 7 of issue 12: hookline >= 1.2x octokit's saturated req/s in the same rounds, CPU per request beside it.
// Run: npm run bench:receiver   (env BENCH_ROUNDS, BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_FIXED_RATE)
import autocannon from 'autocannon';
import { goal } from '../lib/goal-line.js';
import { type PreparedRequest, prepareRequests } from './requests.js';
import { type Contender, start, stats } from './server-process.js';
import type { ContenderName } from './servers.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 6);
const roundSeconds = Number(process.env.BENCH_SECONDS ?? 3);
// Pre-signed requests per contender per round: more than any contender can answer in a round on this machine
// (on a quiet machine octokit passed 36,000/s under autocannon, and bare passes 40,000/s under wrk).
const requestsPerSecondCeiling = 60_000;
const preparedPerRound = Number(process.env.BENCH_PREPARED ?? roundSeconds * requestsPerSecondCeiling);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
// The fixed offered load for the CPU-cost phase: well under what the slowest contender sustains.
const fixedRate = Number(process.env.BENCH_FIXED_RATE ?? 2000);
const ROUND_TIMEOUT_S = 60;
const names: ContenderName[] = ['bare', 'hookline', 'octokit', 'express-svix'];
const labels: Record<ContenderName, string> = {
  bare: 'bare node:http (limit)',
  hookline: 'hookline node adapter',
  'hookline-before': 'hookline, before',
  octokit: '@octokit/webhooks',
  'express-svix': 'express + svix',
};

interface LoadResult {
  requestsPerSecond: number;
  p99Ms: number;
  cpuMicrosPerRequest: number;
}

interface RoundResult extends LoadResult {
  /** Server CPU per request at the same fixed offered load for every contender. */
  fixedRateCpuMicrosPerRequest: number;
  fixedRateP99Ms: number;
}

async function load(
  contender: Contender,
  prepared: PreparedRequest[],
  seconds: number,
  overallRate?: number,
): Promise<LoadResult> {
  let next = 0;
  const before = await stats(contender);
  const result = await autocannon({
    url: `http://127.0.0.1:${contender.port}/webhooks`,
    connections,
    duration: seconds,
    timeout: 10,
    ...(overallRate === undefined ? {} : { overallRate }),
    requests: [
      {
        method: 'POST',
        // Each request takes the next pre-signed one: unique ids, no signing on the load side.
        setupRequest: (request) => {
          const r = prepared[next++ % prepared.length] as PreparedRequest;
          return { ...request, headers: r.headers, body: r.body };
        },
      },
    ],
  });
  const after = await stats(contender);
  if (next > prepared.length)
    throw new Error(`${contender.name}: ran out of pre-signed requests; raise BENCH_PREPARED`);
  const total = result.requests.total;
  const okCount = total - result.non2xx;
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(
      `${contender.name}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`,
    );
  }
  // Every 2xx must be a handled event (none answered as a duplicate); requests in flight when the round stopped
  // may be handled without their answer being counted, at most one per connection.
  const handled = after.handled - before.handled;
  if (handled < okCount || handled > okCount + connections) {
    throw new Error(`${contender.name}: ${okCount} answered 2xx but ${handled} handled`);
  }
  return {
    // A fixed duration, not a fixed amount: autocannon notices the end of an amount only on its once-a-second
    // tick, which rounds every run up to whole seconds.
    requestsPerSecond: total / result.duration,
    p99Ms: result.latency.p99,
    cpuMicrosPerRequest: (after.cpuMicros - before.cpuMicros) / total,
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const contenders = await Promise.all(names.map((name) => start(name)));
const byName = new Map(contenders.map((c) => [c.name, c]));
const results = new Map<ContenderName, RoundResult[]>(names.map((n) => [n, []]));
const deadline = Date.now() + (roundSeconds + ROUND_TIMEOUT_S) * 1000 * (rounds + 1) * names.length;
try {
  // Warm-up: JIT, connection setup, dedupe map growth; not counted.
  for (const name of names) {
    await load(byName.get(name) as Contender, await prepareRequests(name, requestsPerSecondCeiling), 1);
  }
  for (let round = 0; round < rounds && Date.now() < deadline; round++) {
    // Rotate and reverse the order so no contender always runs first, or always on a warmer machine.
    const order = names.map((_, i) => names[(i + round) % names.length] as ContenderName);
    if (round % 2 === 1) order.reverse();
    for (const name of order) {
      const contender = byName.get(name) as Contender;
      const saturated = await load(contender, await prepareRequests(name, preparedPerRound), roundSeconds);
      const fixed = await load(
        contender,
        await prepareRequests(name, 2 * fixedRate * roundSeconds + 5000),
        roundSeconds,
        fixedRate,
      );
      (results.get(name) as RoundResult[]).push({
        ...saturated,
        fixedRateCpuMicrosPerRequest: fixed.cpuMicrosPerRequest,
        fixedRateP99Ms: fixed.p99Ms,
      });
    }
    process.stderr.write(`round ${round + 1}/${rounds} done\n`);
  }
} finally {
  for (const c of contenders) c.child.kill();
}

const perRound = (name: ContenderName) => results.get(name) as RoundResult[];
const ratio = (a: ContenderName, b: ContenderName, pick: (r: RoundResult) => number) =>
  median(perRound(a).map((r, i) => pick(r) / pick(perRound(b)[i] as RoundResult)));
const fmt = (n: number, width: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }).padStart(width);

const lines = [
  `bench/receiver: node ${process.version}, ${rounds} rounds x ${roundSeconds} s per contender and phase, ${connections} connections, loopback`,
  `${''.padEnd(24)} ${'--- saturated ---'.padStart(38)}  ${`--- fixed ${fixedRate} req/s ---`.padStart(28)}`,
  `${'contender'.padEnd(24)} ${'req/s'.padStart(8)} ${'p99 ms'.padStart(7)} ${'vs bare'.padStart(8)} ${'cpu µs/req'.padStart(11)}  ${'cpu µs/req'.padStart(11)} ${'p99 ms'.padStart(7)} ${'vs bare'.padStart(8)}`,
];
for (const name of names) {
  const rs = perRound(name);
  const throughput = ratio(name, 'bare', (r) => r.requestsPerSecond);
  // CPU efficiency: bare's cost over this contender's, so 1.00x is "as cheap as the limit".
  const efficiency = ratio('bare', name, (r) => r.fixedRateCpuMicrosPerRequest);
  lines.push(
    `${labels[name].padEnd(24)} ${fmt(median(rs.map((r) => r.requestsPerSecond)), 8)} ${fmt(median(rs.map((r) => r.p99Ms)), 7)} ${`${throughput.toFixed(2)}x`.padStart(8)} ${fmt(median(rs.map((r) => r.cpuMicrosPerRequest)), 11, 1)}  ${fmt(median(rs.map((r) => r.fixedRateCpuMicrosPerRequest)), 11, 1)} ${fmt(median(rs.map((r) => r.fixedRateP99Ms)), 7)} ${`${efficiency.toFixed(2)}x`.padStart(8)}`,
  );
}
const vsOctokit = ratio('hookline', 'octokit', (r) => r.requestsPerSecond);
const vsSvix = ratio('hookline', 'express-svix', (r) => r.requestsPerSecond);
const cpuOf = (name: ContenderName) => median(perRound(name).map((r) => r.cpuMicrosPerRequest));
const cpuVsOctokit = ratio('hookline', 'octokit', (r) => r.cpuMicrosPerRequest);
lines.push(
  '(medians over rounds; ratios are medians of per-round ratios; "vs bare" under fixed load = bare CPU / contender CPU;',
  ' cpu µs/req: the server process, CPU over the phase / requests answered)',
  goal(
    '7 hookline vs @octokit/webhooks, saturated req/s',
    vsOctokit,
    1.2,
    'x',
    'at least',
    `server CPU per request saturated: hookline ${cpuOf('hookline').toFixed(1)} µs, octokit ${cpuOf('octokit').toFixed(1)} µs (${cpuVsOctokit.toFixed(2)}x)`,
  ),
  `hookline vs express + svix, saturated req/s: ${vsSvix.toFixed(2)}x`,
);
console.log(lines.join('\n'));
