// CPU time of processes from /proc/<pid>/stat (utime + stime, every thread of the process), the figure that holds
// on a busy machine: what a process spent on a core, not how long it waited for one. Linux only; the benches that
// use it print "-" where /proc is not there.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** A process the bench charges CPU to, by what it does in the run: `serve`, `worker`, `redis`, `receiver`. */
export interface NamedProcess {
  role: string;
  pid: number;
}

/** CPU microseconds spent by each role between two readings (roles whose process was gone are left out). */
export type CpuSpent = ReadonlyMap<string, number>;

let ticksPerSecond: number | undefined;

/** USER_HZ, the unit of /proc's utime and stime: 100 on every Linux we run on, asked once all the same. */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    if (!Number.isInteger(value) || value <= 0) throw new Error(`getconf CLK_TCK gave "${value}"`);
    ticksPerSecond = value;
  }
  return ticksPerSecond;
}

/** utime and stime of `pid` so far, in microseconds; undefined when the process is gone or /proc is missing. */
export function processTimes(pid: number): { userMicros: number; systemMicros: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Field 2 (the command name) is in parentheses and may hold spaces, so count fields after its closing one:
  // there, index 0 is field 3 (state), so utime (field 14) is index 11 and stime (field 15) index 12.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const user = Number(fields[11]);
  const system = Number(fields[12]);
  if (!Number.isFinite(user) || !Number.isFinite(system)) return undefined;
  const micros = 1e6 / clockTicksPerSecond();
  return { userMicros: user * micros, systemMicros: system * micros };
}

/** utime + stime of `pid` so far, in microseconds; undefined when the process is gone or /proc is missing. */
export function processCpuMicros(pid: number): number | undefined {
  const times = processTimes(pid);
  return times === undefined ? undefined : times.userMicros + times.systemMicros;
}

/**
 * Reads every process now with `read`; `spent()` reads them again and gives each role's figures in between, from
 * `between(sum of the role so far, before, now)`. Several processes may share a role (their figures add up);
 * processes gone, or never read, are left out.
 */
export function startProcessReading<T>(
  processes: readonly NamedProcess[],
  read: (pid: number) => T | undefined,
  between: (sum: T | undefined, before: T, now: T) => T,
): { spent(): Map<string, T> } {
  const before = processes.map((process) => ({ ...process, figures: read(process.pid) }));
  return {
    spent() {
      const spent = new Map<string, T>();
      for (const { role, pid, figures } of before) {
        const now = read(pid);
        if (figures === undefined || now === undefined) continue;
        spent.set(role, between(spent.get(role), figures, now));
      }
      return spent;
    },
  };
}

/**
 * Reads every process now; `spent()` reads them again and gives each role's CPU in between. Several processes
 * may share a role (their CPU adds up).
 */
export function startCpuReading(processes: readonly NamedProcess[]): { spent(): CpuSpent } {
  return startProcessReading(processes, processCpuMicros, (sum, before, now) => (sum ?? 0) + now - before);
}
