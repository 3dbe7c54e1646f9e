// bench/ingest: provider webhooks into a gateway. Hookline's public ingest URL (`/in/{source}`: GitHub's signature
// verified, the raw request committed to SQLite with synchronous=FULL before the 200, then relayed to an endpoint
// by the engine) against the relay ceiling (`bench/peers/relay`: HTTP in, answered from memory, HTTP out, nothing
// kept), each in its own process, delivering to the same receiver process, in the same run, rounds alternating.
//   saturated: autocannon, BENCH_CONNECTIONS (64) in flight, BENCH_SECONDS per contender and round: acks/s
//   fixed rate: open loop at BENCH_RATE (1,000) req/s for BENCH_RATE_SECONDS: ack p50/p99 from each request's
//               scheduled time (no coordinated omission)
// Every request is unique (its own GitHub delivery id and signature), so none is deduplicated away. Goal (issue 13):
// ack p99 < 10 ms at 1,000/s.
// Run: npm run bench:ingest   (env BENCH_ROUNDS, BENCH_SECONDS, BENCH_RATE, BENCH_RATE_SECONDS, BENCH_CONNECTIONS)
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { sign } from '@octokit/webhooks-methods';
import autocannon from 'autocannon';
import { Pool } from 'undici';
import { type Child, startChild } from '../delivery/child-process.js';
import { type LatencySummary, runAtFixedRate } from '../delivery/fixed-rate.js';
import { startReceiver } from '../delivery/receiver-process.js';
import { goal } from '../lib/goal-line.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rate = Number(process.env.BENCH_RATE ?? 1000);
const rateSeconds = Number(process.env.BENCH_RATE_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);
const GITHUB_SECRET = 'bench-github-secret';
const RELAY_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

type Name = 'relay' | 'hookline';
interface Request {
  path: string;
  headers: Record<string, string>;
  body: string;
}
interface Contender {
  name: Name;
  label: string;
  url: string;
  child: Child;
  /** The request numbered `n`: unique, and for Hookline signed as GitHub signs it. */
  request(n: number): Request;
}

/** A GitHub `issues` event of ~600 B. */
function githubBody(n: number): string {
  return JSON.stringify({
    action: 'opened',
    issue: { number: n, title: `Bench issue ${n}`, state: 'open', labels: [{ name: 'bench' }], body: 'x'.repeat(200) },
    repository: { id: 1296269, full_name: 'octocat/Hello-World', private: false },
    sender: { login: 'octocat', id: 1 },
  });
}

/** Pre-signed requests, so the load generator spends no HMAC per request on Hookline's side only. */
async function signedRequests(count: number): Promise<Request[]> {
  const requests: Request[] = [];
  for (let n = 0; n < count; n++) {
    const body = githubBody(n);
    requests.push({
      path: '/in/github',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'issues',
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': await sign(GITHUB_SECRET, body),
      },
      body,
    });
  }
  return requests;
}

const receiver = await startReceiver();
const relayChild = await startChild(
  fileURLToPath(new URL('../peers/relay/server.ts', import.meta.url)),
  ['--receiver', receiver.url, '--concurrency', String(connections), '--secret', RELAY_SECRET],
  { readyTimeoutMs: 30_000 },
);
const hooklineChild = await startChild(
  fileURLToPath(new URL('./server.ts', import.meta.url)),
  ['--receiver', receiver.url, '--secret', GITHUB_SECRET],
  // Its ready line, not the first JSON line (the server's own log lines are JSON too).
  { readyTimeoutMs: 60_000, readyLine: (line) => (line.startsWith('{"ready":true') ? JSON.parse(line) : undefined) },
);
const relayUrl = relayChild.ready.url as string;
await fetch(`${relayUrl}/run/ingest`, { method: 'POST', body: JSON.stringify(['/relay']) });

// A unique request for every one sent: each round's saturated phase (sized for 15,000/s, three times Hookline's
// quiet-machine rate) and its fixed-rate phase. A repeated delivery id would be answered from the dedupe check,
// cheaper than a real ingest, and flatter the figures: the run fails if one is sent.
const pool = await signedRequests(rounds * (seconds * 15_000 + rate * rateSeconds * 2));
let nextHookline = 0;
let nextRelay = 0;
const contenders: Contender[] = [
  {
    name: 'relay',
    label: 'relay ceiling (memory)',
    url: relayUrl,
    child: relayChild,
    request: () => {
      const n = nextRelay++;
      return {
        path: '/run/ingest/msg',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ eventType: 'issues.opened', eventId: `r${n}`, payload: JSON.parse(githubBody(n)) }),
      };
    },
  },
  {
    name: 'hookline',
    label: 'hookline /in (durable)',
    url: hooklineChild.ready.url as string,
    child: hooklineChild,
    request: () => {
      const next = pool[nextHookline++ % pool.length] as Request;
      return next;
    },
  },
];

async function saturated(contender: Contender, durationSeconds: number): Promise<number> {
  const result = await autocannon({
    url: contender.url,
    connections,
    duration: durationSeconds,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const next = contender.request(0);
          return { ...request, path: next.path, headers: next.headers, body: next.body };
        },
      },
    ],
  });
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(
      `${contender.name}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`,
    );
  }
  return result.requests.total / result.duration;
}

async function fixedRate(contender: Contender): Promise<LatencySummary> {
  const client = new Pool(contender.url, { connections });
  try {
    const summary = await runAtFixedRate(
      async () => {
        const next = contender.request(0);
        const response = await client.request({
          method: 'POST',
          path: next.path,
          headers: next.headers,
          body: next.body,
        });
        await response.body.dump();
        if (response.statusCode >= 300) throw new Error(`HTTP ${response.statusCode}`);
      },
      { ratePerSecond: rate, durationMs: rateSeconds * 1000, maxInFlight: 1000, drainTimeoutMs: 10_000 },
    );
    if (summary.failed > 0 || summary.skipped > 0 || summary.timedOut > 0) {
      throw new Error(
        `${contender.name} at ${rate}/s: ${summary.failed} failed (${summary.firstError}), ${summary.skipped} skipped`,
      );
    }
    return summary;
  } finally {
    await client.close();
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
  acksPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}
const load = loadavg()[0] as number;
const results = new Map<Name, Round[]>([
  ['relay', []],
  ['hookline', []],
]);
try {
  for (const contender of contenders) await saturated(contender, 1); // warm-up
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? contenders : [...contenders].reverse();
    for (const contender of order) {
      const acksPerSecond = await saturated(contender, seconds);
      const latency = await fixedRate(contender);
      results.get(contender.name)?.push({ acksPerSecond, p50Ms: latency.p50Ms, p99Ms: latency.p99Ms });
    }
    process.stderr.write(`round ${round + 1}/${rounds} done\n`);
  }
  // Every acknowledged request reaches the endpoint (unique webhook-ids at the receiver), however long the relay
  // and the engine take after the load stops.
  const acknowledged = nextHookline;
  const allDelivered = await receiver.waitForUnique('/hookline', Math.min(acknowledged, pool.length), 600_000).then(
    () => 'all delivered',
    (error: Error) => `NOT all delivered: ${error.message}`,
  );
  const perRound = (name: Name) => results.get(name) as Round[];
  const ratio = median(
    perRound('hookline').map((r, i) => r.acksPerSecond / (perRound('relay')[i] as Round).acksPerSecond),
  );
  const fmt = (n: number, width: number, digits = 0) =>
    n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }).padStart(width);
  const lines = [
    `bench/ingest: node ${process.version}, ${rounds} rounds; saturated ${seconds} s at ${connections} in flight; fixed ${rate} req/s for ${rateSeconds} s; load average at start ${load.toFixed(2)}`,
    `${'contender'.padEnd(26)} ${'acks/s'.padStart(8)} ${'vs relay'.padStart(9)}  ${`p50 @${rate}/s`.padStart(11)} ${`p99 @${rate}/s`.padStart(11)}`,
  ];
  for (const contender of contenders) {
    const rs = perRound(contender.name);
    lines.push(
      `${contender.label.padEnd(26)} ${fmt(median(rs.map((r) => r.acksPerSecond)), 8)} ${`${contender.name === 'relay' ? '1.00' : ratio.toFixed(2)}x`.padStart(9)}  ${fmt(median(rs.map((r) => r.p50Ms)), 8, 2)} ms ${fmt(median(rs.map((r) => r.p99Ms)), 8, 2)} ms`,
    );
  }
  const p99 = median(perRound('hookline').map((r) => r.p99Ms));
  if (acknowledged > pool.length) {
    lines.push(
      `FAILED: ${acknowledged - pool.length} hookline requests repeated a delivery id (deduplicated, cheaper): the figures above flatter Hookline; raise the pool`,
    );
    process.exitCode = 1;
  }
  lines.push(
    `(medians over rounds; "vs relay" = median of per-round ratios; hookline requests sent in all: ${acknowledged}, ${allDelivered})`,
    goal('issue 13 ingest ack p99 at 1,000/s', p99, 10, 'ms', 'below'),
  );
  console.log(lines.join('\n'));
} finally {
  await hooklineChild.stop();
  await relayChild.stop();
  await receiver.stop();
}
