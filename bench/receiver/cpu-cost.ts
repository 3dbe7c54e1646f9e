// Server CPU per request, a figure that holds on a busy machine: each contender answers a fixed count of requests
// from a deliberately light load generator (pre-built request bytes on raw keep-alive sockets, no HTTP client
// library), and its process's CPU time is read before and after over IPC. Contenders alternate in rounds; the
// figures are medians. Run: npx tsx bench/receiver/cpu-cost.ts   (env BENCH_ROUNDS, BENCH_REQUESTS, BENCH_WARMUP,
// BENCH_CONNECTIONS, BENCH_CONTENDERS=bare,hookline,..., BENCH_SERVER_FLAGS)
// BENCH_CALLGRIND=<dir> runs each server under valgrind's callgrind and also reports instructions per request,
// which do not move with the load on a shared machine (counters are zeroed before the counted requests and dumped after).
// BENCH_CALLGRIND_THREAD=main counts the main thread only: V8's compiler and GC helper threads add a few percent
// that move from run to run, more than the changes measured here.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { prepareRequests } from './requests.js';
import { type Contender, start, stats } from './server-process.js';
import type { ContenderName } from './servers.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const perRound = Number(process.env.BENCH_REQUESTS ?? 20_000);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const names = (process.env.BENCH_CONTENDERS ?? 'bare,hookline,octokit').split(',') as ContenderName[];
const warmup = Number(process.env.BENCH_WARMUP ?? 5000);
const callgrindDir = process.env.BENCH_CALLGRIND;
const mainThreadOnly = process.env.BENCH_CALLGRIND_THREAD === 'main';
const ROUND_TIMEOUT_MS = callgrindDir === undefined ? 120_000 : 1_200_000;

/** A node that runs under callgrind, for fork's execPath (the IPC channel's descriptor passes through). */
function callgrindNode(dir: string): string {
  const path = join(dir, 'callgrind-node.sh');
  writeFileSync(
    path,
    `#!/bin/sh\nexec valgrind --tool=callgrind --smc-check=all-non-file -q${mainThreadOnly ? ' --separate-threads=yes' : ''} --callgrind-out-file=${dir}/callgrind.out.%p ${process.execPath} "$@"\n`,
    { mode: 0o755 },
  );
  return path;
}

/** Instructions the server ran while `work` ran: counters zeroed, work, dump; read from the newest dump. */
async function instructionsDuring(pid: number, work: () => Promise<void>): Promise<number> {
  const dir = callgrindDir as string;
  execFileSync('callgrind_control', ['-z', String(pid)], { stdio: 'ignore' });
  await work();
  execFileSync('callgrind_control', ['-d', String(pid)], { stdio: 'ignore' });
  const dumps = readdirSync(dir)
    .filter((f) => f.startsWith(`callgrind.out.${pid}`) && (!mainThreadOnly || f.endsWith('-01')))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  const totals = /^(?:totals|summary): (\d+)/m.exec(readFileSync(dumps[0] as string, 'utf8'));
  if (totals === null) throw new Error(`no totals in ${dumps[0]}`);
  return Number(totals[1]);
}

// Written once, before any server starts: rewritten per contender, a server could exec the script while the next
// one truncated it, and exit at once with 0 (how three contenders under callgrind failed to start).
const callgrindExecPath = callgrindDir === undefined ? undefined : callgrindNode(callgrindDir);

function startServer(name: ContenderName): Promise<Contender> {
  return start(name, {
    // e.g. BENCH_SERVER_FLAGS=--cpu-prof to see where a contender's time goes.
    execArgv: [...process.execArgv, ...(process.env.BENCH_SERVER_FLAGS?.split(' ').filter(Boolean) ?? [])],
    ...(callgrindExecPath === undefined ? {} : { execPath: callgrindExecPath }),
  });
}

async function requestBytes(name: ContenderName, count: number): Promise<Buffer[]> {
  const prepared = await prepareRequests(name, count);
  return prepared.map(({ headers, body }) => {
    const lines = [`POST /webhooks HTTP/1.1`, 'host: 127.0.0.1', `content-length: ${Buffer.byteLength(body)}`];
    for (const [key, value] of Object.entries(headers)) lines.push(`${key}: ${value}`);
    return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`);
  });
}

/** Sends every request, one in flight per connection; resolves how many answers were 2xx. */
function drive(port: number, requests: Buffer[]): Promise<number> {
  let next = 0;
  let ok = 0;
  let answered = 0;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('round timed out')), ROUND_TIMEOUT_MS);
    const sockets: Socket[] = [];
    const finish = () => {
      clearTimeout(timer);
      for (const s of sockets) s.destroy();
      resolve(ok);
    };
    for (let c = 0; c < connections; c++) {
      const socket = connect(port, '127.0.0.1');
      socket.setNoDelay(true);
      sockets.push(socket);
      let pending: Buffer = Buffer.alloc(0);
      const sendNext = () => {
        if (next < requests.length) socket.write(requests[next++] as Buffer);
      };
      socket.on('connect', sendNext);
      socket.on('error', reject);
      socket.on('data', (chunk: Buffer) => {
        pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
        // One answer per request; each ends with its declared body.
        for (;;) {
          const headerEnd = pending.indexOf('\r\n\r\n');
          if (headerEnd < 0) return;
          const head = pending.subarray(0, headerEnd).toString('latin1');
          const match = /content-length: *(\d+)/i.exec(head);
          let total: number;
          if (match !== null) total = headerEnd + 4 + Number(match[1]);
          else {
            // Chunked (what bare node:http sends after writeHead + end): ends with the zero-length chunk.
            const last = pending.indexOf('\r\n0\r\n\r\n', headerEnd);
            if (last < 0) return;
            total = last + 7;
          }
          if (pending.length < total) return;
          if (head.startsWith('HTTP/1.1 2')) ok++;
          pending = pending.subarray(total);
          answered++;
          if (answered === requests.length) return finish();
          sendNext();
        }
      });
    }
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const contenders = await Promise.all(names.map((name) => startServer(name)));
const costs = new Map<ContenderName, number[]>(names.map((n) => [n, []]));
const instructions = new Map<ContenderName, number[]>(names.map((n) => [n, []]));
const rates = new Map<ContenderName, number[]>(names.map((n) => [n, []]));
try {
  for (const c of contenders) await drive(c.port, await requestBytes(c.name, warmup));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? contenders : [...contenders].reverse();
    for (const c of order) {
      const requests = await requestBytes(c.name, perRound);
      const before = await stats(c);
      let ok = 0;
      const run = async () => {
        const started = performance.now();
        ok = await drive(c.port, requests);
        (rates.get(c.name) as number[]).push((perRound * 1000) / (performance.now() - started));
      };
      if (callgrindDir === undefined) await run();
      else
        (instructions.get(c.name) as number[]).push((await instructionsDuring(c.child.pid as number, run)) / perRound);
      const after = await stats(c);
      if (ok !== perRound) throw new Error(`${c.name}: ${ok} of ${perRound} answered 2xx`);
      if (after.handled - before.handled !== perRound) throw new Error(`${c.name}: not every request was handled`);
      (costs.get(c.name) as number[]).push((after.cpuMicros - before.cpuMicros) / perRound);
    }
  }
} finally {
  // A disconnect, not a kill: the server exits on its own, so a --cpu-prof profile gets written.
  await Promise.all(
    contenders.map(
      (c) =>
        new Promise((resolve) => {
          c.child.once('exit', resolve);
          c.child.disconnect();
        }),
    ),
  );
}
const bare = costs.get('bare');
console.log(`server CPU per request, ${rounds} rounds x ${perRound} requests, ${connections} connections, loopback`);
for (const name of names) {
  const values = costs.get(name) as number[];
  const vsBare =
    bare === undefined ? '' : `  ${median(values.map((v, i) => v / (bare[i] as number))).toFixed(2)}x bare`;
  console.log(
    `${name.padEnd(14)} ${median(values).toFixed(1).padStart(7)} µs/req  (${values.map((v) => v.toFixed(1)).join(' ')})${vsBare}`,
  );
  const rate = rates.get(name) as number[];
  const bareRate = rates.get('bare');
  const rateVsBare =
    bareRate === undefined ? '' : `  ${median(rate.map((v, i) => v / (bareRate[i] as number))).toFixed(2)}x bare`;
  console.log(`${''.padEnd(14)} ${Math.round(median(rate)).toLocaleString('en-US').padStart(9)} req/s${rateVsBare}`);
  const counted = instructions.get(name) as number[];
  const bareCounted = instructions.get('bare');
  if (counted.length > 0) {
    const ratio =
      bareCounted === undefined || bareCounted.length === 0
        ? ''
        : `  ${median(counted.map((v, i) => v / (bareCounted[i] as number))).toFixed(2)}x bare`;
    console.log(
      `${''.padEnd(14)} ${Math.round(median(counted)).toLocaleString('en-US').padStart(9)} instructions/req${ratio}`,
    );
  }
}
