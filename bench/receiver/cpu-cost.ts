// Server CPU per request, a figure that holds on a busy machine: each contender answers a fixed count of requests
// from a deliberately light load generator (pre-built request bytes on raw keep-alive sockets, no HTTP client
// library), and its process's CPU time is read before and after over IPC. Contenders alternate in rounds; the
// figures are medians. Run: npx tsx bench/receiver/cpu-cost.ts   (env BENCH_ROUNDS, BENCH_REQUESTS,
// BENCH_CONNECTIONS, BENCH_CONTENDERS=bare,hookline,..., BENCH_SERVER_FLAGS)
import { type ChildProcess, fork } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { prepareRequests } from './requests.js';
import type { ContenderName } from './servers.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const perRound = Number(process.env.BENCH_REQUESTS ?? 20_000);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const names = (process.env.BENCH_CONTENDERS ?? 'bare,hookline,octokit').split(',') as ContenderName[];
const ROUND_TIMEOUT_MS = 120_000;

interface Contender {
  name: ContenderName;
  child: ChildProcess;
  port: number;
}

interface Stats {
  cpuMicros: number;
  handled: number;
}

function start(name: ContenderName): Promise<Contender> {
  const child = fork(fileURLToPath(new URL('./servers.ts', import.meta.url)), [name], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // e.g. BENCH_SERVER_FLAGS=--cpu-prof to see where a contender's time goes.
    execArgv: [...process.execArgv, ...(process.env.BENCH_SERVER_FLAGS?.split(' ').filter(Boolean) ?? [])],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve({ name, child, port: message.port }));
    child.once('exit', (code) => reject(new Error(`${name} server exited with ${code}`)));
  });
}

function stats(contender: Contender): Promise<Stats> {
  return new Promise((resolve) => {
    contender.child.once('message', (message: Stats) => resolve(message));
    contender.child.send({ ask: 'stats' });
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

const contenders = await Promise.all(names.map(start));
const costs = new Map<ContenderName, number[]>(names.map((n) => [n, []]));
try {
  for (const c of contenders) await drive(c.port, await requestBytes(c.name, 5000));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? contenders : [...contenders].reverse();
    for (const c of order) {
      const requests = await requestBytes(c.name, perRound);
      const before = await stats(c);
      const ok = await drive(c.port, requests);
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
}
