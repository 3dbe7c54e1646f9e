// What the kernel did for a process, from /proc: its system time (/proc/<pid>/stat's stime, every thread) and its
// write-family system calls (/proc/<pid>/io's syscw: write, pwrite, writev, sendmsg…). Neither shows in a V8 profile
// nor in callgrind, which count user space only; on 2026-12-07 a quarter of `hookline serve`'s CPU was stime, most of
// it SQLite's statement journal written page by page to a temporary file (bench/README.md). Linux only; a figure
// /proc does not give (another user's io, no /proc) is undefined and printed as "-".
import { readFileSync } from 'node:fs';
import { type NamedProcess, processTimes, startProcessReading } from './proc-cpu.js';

export interface KernelFigures {
  /** stime, microseconds. */
  systemMicros: number;
  /** syscw: write-family system calls. */
  writeCalls: number | undefined;
}

/** stime and syscw of `pid` so far; undefined when the process is gone or /proc is missing. */
export function processKernelFigures(pid: number): KernelFigures | undefined {
  const times = processTimes(pid);
  if (times === undefined) return undefined;
  let writeCalls: number | undefined;
  try {
    const match = /^syscw: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
    writeCalls = match === null ? undefined : Number(match[1]);
  } catch {
    writeCalls = undefined;
  }
  return { systemMicros: times.systemMicros, writeCalls };
}

/** Reads every process now; `spent()` gives each role's figures since (several processes of a role add up). */
export function startKernelReading(processes: readonly NamedProcess[]): { spent(): Map<string, KernelFigures> } {
  return startProcessReading(
    processes,
    processKernelFigures,
    (sum = { systemMicros: 0, writeCalls: 0 }, before, now) => ({
      systemMicros: sum.systemMicros + now.systemMicros - before.systemMicros,
      // One process whose syscw /proc does not give makes its role's count unknown.
      writeCalls:
        sum.writeCalls === undefined || now.writeCalls === undefined || before.writeCalls === undefined
          ? undefined
          : sum.writeCalls + now.writeCalls - before.writeCalls,
    }),
  );
}
