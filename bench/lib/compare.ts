// Same-run comparison for a noisy, shared machine: the baseline and the candidate run in alternating short rounds,
// so drift hits both alike, and the figure reported is the median of the per-round ratios.

export type Task = () => unknown;

export interface Comparison {
  name: string;
  baselineOpsPerSecond: number;
  candidateOpsPerSecond: number;
  /** candidate / baseline; above 1 means the candidate is faster. */
  ratio: number;
  rounds: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Runs `task` in batches until `durationMs` has passed; returns operations per second. Awaits only promises. */
async function opsPerSecond(task: Task, durationMs: number): Promise<number> {
  const batch = 64;
  let operations = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < durationMs) {
    for (let i = 0; i < batch; i++) {
      const result = task();
      if (result instanceof Promise) await result;
    }
    operations += batch;
    elapsed = performance.now() - start;
  }
  return (operations / elapsed) * 1000;
}

export async function compare(
  name: string,
  baseline: Task,
  candidate: Task,
  options: { rounds?: number; roundMs?: number; warmupMs?: number } = {},
): Promise<Comparison> {
  const rounds = options.rounds ?? 10;
  const roundMs = options.roundMs ?? 200;
  await opsPerSecond(baseline, options.warmupMs ?? 300);
  await opsPerSecond(candidate, options.warmupMs ?? 300);
  const baselineRates: number[] = [];
  const candidateRates: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    // Alternate which goes first, so neither always runs on a warmer (or more throttled) machine.
    const first = round % 2 === 0;
    const a = first ? await opsPerSecond(baseline, roundMs) : 0;
    const b = await opsPerSecond(candidate, roundMs);
    const c = first ? a : await opsPerSecond(baseline, roundMs);
    baselineRates.push(c);
    candidateRates.push(b);
    ratios.push(b / c);
  }
  return {
    name,
    baselineOpsPerSecond: median(baselineRates),
    candidateOpsPerSecond: median(candidateRates),
    ratio: median(ratios),
    rounds,
  };
}

export function formatComparisons(title: string, baselineName: string, rows: readonly Comparison[]): string {
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US').padStart(12);
  const width = Math.max(...rows.map((row) => row.name.length), 10);
  const lines = [
    title,
    `${'case'.padEnd(width)}  ${baselineName.padStart(12)}  ${'hookline'.padStart(12)}  ratio`,
    ...rows.map(
      (row) =>
        `${row.name.padEnd(width)}  ${fmt(row.baselineOpsPerSecond)}  ${fmt(row.candidateOpsPerSecond)}  ${row.ratio.toFixed(2)}x`,
    ),
    '(ops/s are medians over alternating rounds; ratio = median of per-round hookline/baseline)',
  ];
  return lines.join('\n');
}
