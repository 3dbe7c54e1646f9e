// One contender's server (servers.ts) in its own process, and the CPU and handled count it reports over IPC: the
// same for every receiver bench (run.ts with autocannon, wrk.ts, cpu-cost.ts).
import { type ChildProcess, type ForkOptions, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ContenderName } from './servers.js';

export interface Contender {
  name: ContenderName;
  child: ChildProcess;
  port: number;
}

export interface Stats {
  cpuMicros: number;
  handled: number;
}

/** Resolves once the server listens; `options` adds to the fork (execArgv, execPath for callgrind). */
export function start(name: ContenderName, options: ForkOptions = {}): Promise<Contender> {
  const child = fork(fileURLToPath(new URL('./servers.ts', import.meta.url)), [name], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    ...options,
  });
  return new Promise((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve({ name, child, port: message.port }));
    child.once('exit', (code) => reject(new Error(`${name} server exited with ${code}`)));
  });
}

export function stats(contender: Contender): Promise<Stats> {
  return new Promise((resolve) => {
    contender.child.once('message', (message: Stats) => resolve(message));
    contender.child.send({ ask: 'stats' });
  });
}
