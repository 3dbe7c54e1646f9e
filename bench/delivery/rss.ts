// Resident memory of the contender's processes, read from /proc (Linux): the figure the OS charges them.
import { readFileSync } from 'node:fs';

/** VmRSS of `pid` in bytes, or undefined when the process is gone or /proc is not there. */
export function rssBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
}

/** Sum over `pids`; undefined when there are no pids to read (a contender inside the harness). */
export function totalRssBytes(pids: readonly number[]): number | undefined {
  let total: number | undefined;
  for (const pid of pids) {
    const rss = rssBytes(pid);
    if (rss !== undefined) total = (total ?? 0) + rss;
  }
  return total;
}

/** Samples the total every `intervalMs` until stopped; returns the peak. */
export function sampleRss(pids: readonly number[], intervalMs = 250): { stop(): number | undefined } {
  let peak = totalRssBytes(pids);
  const timer = setInterval(() => {
    const now = totalRssBytes(pids);
    if (now !== undefined && (peak === undefined || now > peak)) peak = now;
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      const now = totalRssBytes(pids);
      if (now !== undefined && (peak === undefined || now > peak)) peak = now;
      return peak;
    },
  };
}
