// The saturated comparison again with wrk (C, one thread on one connection pool) as the load generator instead of
// autocannon: wrk costs far less per request than any of the servers, so the servers, not the load, set the rate.
// Same contenders and pre-signed unique requests as run.ts; rounds alternate the order; ratios are medians of
// per-round ratios. Needs wrk on the PATH (Debian: apt-get install wrk). Loopback only.
// Run: npx tsx bench/receiver/wrk.ts   (env BENCH_ROUNDS, BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_CONTENDERS)
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { prepareRequests } from './requests.js';
import { type Contender, start, stats } from './server-process.js';
import type { ContenderName } from './servers.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
// More than any contender answers in a round here (bare: ~25k/s on a quiet 2-core machine).
const preparedPerRound = Number(process.env.BENCH_PREPARED ?? seconds * 40_000);
const names = (process.env.BENCH_CONTENDERS ?? 'bare,hookline,octokit,express-svix').split(',') as ContenderName[];
const run = promisify(execFile);

interface WrkSummary {
  requests: number;
  duration_us: number;
  non2xx: number;
  errors: number;
  p99_us: number;
}

interface Round {
  requestsPerSecond: number;
  p99Ms: number;
  cpuMicrosPerRequest: number;
}

async function writeRequests(name: ContenderName, count: number, path: string): Promise<void> {
  const lines = (await prepareRequests(name, count)).map(({ headers, body }) =>
    [...Object.entries(headers).map(([key, value]) => `${key}: ${value}`), body].join('\t'),
  );
  writeFileSync(path, `${lines.join('\n')}\n`);
}

async function load(contender: Contender, requestsFile: string, durationSeconds: number): Promise<Round> {
  const before = await stats(contender);
  const { stdout } = await run(
    'wrk',
    [
      '-t1',
      `-c${connections}`,
      `-d${durationSeconds}s`,
      '-s',
      fileURLToPath(new URL('./wrk.lua', import.meta.url)),
      `http://127.0.0.1:${contender.port}/webhooks`,
    ],
    { env: { ...process.env, WRK_REQUESTS: requestsFile }, timeout: (durationSeconds + 60) * 1000 },
  );
  const after = await stats(contender);
  const line = stdout.split('\n').find((l) => l.startsWith('{"requests"'));
  if (line === undefined) throw new Error(`${contender.name}: no summary from wrk:\n${stdout}`);
  const summary = JSON.parse(line) as WrkSummary;
  if (summary.non2xx > 0 || summary.errors > 0) {
    throw new Error(`${contender.name}: ${summary.non2xx} non-2xx, ${summary.errors} socket errors`);
  }
  // Every 2xx must be a handled event, none answered as a duplicate (which would mean wrk ran out of requests);
  // requests in flight when wrk stopped may be handled without being counted, at most one per connection.
  const handled = after.handled - before.handled;
  if (handled < summary.requests || handled > summary.requests + connections) {
    throw new Error(`${contender.name}: ${summary.requests} answered 2xx but ${handled} handled`);
  }
  return {
    requestsPerSecond: summary.requests / (summary.duration_us / 1e6),
    p99Ms: summary.p99_us / 1000,
    cpuMicrosPerRequest: (after.cpuMicros - before.cpuMicros) / summary.requests,
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const dir = mkdtempSync(join(tmpdir(), 'bench-receiver-wrk-'));
const contenders = await Promise.all(names.map((name) => start(name)));
const results = new Map<ContenderName, Round[]>(names.map((n) => [n, []]));
try {
  const file = join(dir, 'requests.txt');
  for (const c of contenders) {
    await writeRequests(c.name, 30_000, file);
    await load(c, file, 1);
  }
  for (let round = 0; round < rounds; round++) {
    const order = names.map((_, i) => contenders[(i + round) % contenders.length] as Contender);
    if (round % 2 === 1) order.reverse();
    for (const c of order) {
      await writeRequests(c.name, preparedPerRound, file);
      (results.get(c.name) as Round[]).push(await load(c, file, seconds));
    }
    process.stderr.write(`round ${round + 1}/${rounds} done\n`);
  }
} finally {
  for (const c of contenders) c.child.kill();
  rmSync(dir, { recursive: true, force: true });
}

const perRound = (name: ContenderName) => results.get(name) as Round[];
const ratio = (a: ContenderName, b: ContenderName, pick: (r: Round) => number) =>
  median(perRound(a).map((r, i) => pick(r) / pick(perRound(b)[i] as Round)));
const lines = [
  `bench/receiver with wrk: node ${process.version}, ${rounds} rounds x ${seconds} s, ${connections} connections, wrk -t1, loopback`,
  `${'contender'.padEnd(16)} ${'req/s'.padStart(8)} ${'p99 ms'.padStart(7)} ${'vs bare'.padStart(8)} ${'cpu µs/req'.padStart(11)}`,
];
for (const name of names) {
  const rs = perRound(name);
  const vsBare = names.includes('bare') ? `${ratio(name, 'bare', (r) => r.requestsPerSecond).toFixed(2)}x` : '-';
  lines.push(
    `${name.padEnd(16)} ${Math.round(median(rs.map((r) => r.requestsPerSecond)))
      .toLocaleString('en-US')
      .padStart(8)} ${median(rs.map((r) => r.p99Ms))
      .toFixed(2)
      .padStart(7)} ${vsBare.padStart(8)} ${median(rs.map((r) => r.cpuMicrosPerRequest))
      .toFixed(1)
      .padStart(11)}`,
  );
}
if (names.includes('hookline') && names.includes('octokit')) {
  lines.push(`hookline vs octokit, req/s: ${ratio('hookline', 'octokit', (r) => r.requestsPerSecond).toFixed(2)}x`);
}
console.log(lines.join('\n'));
