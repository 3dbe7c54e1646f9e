// Turns the measurements into the printed report: throughput table with same-round ratios, latency, startup and
// the extras, then one line per goal saying met or not.
import { clockTicksPerSecond } from '../lib/proc-cpu.js';
import type { BacklogFigure, IsolationFigure } from './extras.js';
import type { LatencySummary } from './fixed-rate.js';
import { BATCH_SIZE, LOAD_GENERATOR_ROLE, type Measurement, type Mode, RECEIVER_ROLE } from './measure.js';
import type { ScrapeSummary } from './metrics-scrape.js';

export interface StartupFigure {
  contender: string;
  setupMs: number;
  /** CPU the contender's processes spent from their start to ready (/proc), NaN when unknown. */
  setupCpuMs: number;
  idleRssBytes: number | undefined;
}

export interface ContenderExtras {
  contender: string;
  latency?: LatencySummary;
  isolation?: IsolationFigure;
  backlog?: BacklogFigure;
}

/** Measurements of one round, by `${contender}/${mode}`. */
export type Round = Map<string, Measurement>;

export const roundKey = (contender: string, mode: Mode) => `${contender}/${mode}`;

/** `role a -> b` for every role measured on both sides, e.g. `serve 410 -> 436, receiver 38 -> 39`. */
function cpuChange(before: Measurement, after: Measurement): string {
  const parts: string[] = [];
  for (const [role, micros] of before.cpuMicrosPerDelivery) {
    const later = after.cpuMicrosPerDelivery.get(role);
    if (later !== undefined) parts.push(`${role} ${micros.toFixed(0)} -> ${later.toFixed(0)}`);
  }
  return parts.length === 0 ? 'not measured' : parts.join(', ');
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const count = (n: number) => Math.round(n).toLocaleString('en-US');
const mib = (bytes: number | undefined) => (bytes === undefined ? '-' : `${(bytes / 2 ** 20).toFixed(0)} MiB`);
const times = (ratio: number) => (Number.isNaN(ratio) ? '-' : `${ratio.toFixed(2)}x`);
const ms = (value: number) => (Number.isNaN(value) ? '-' : `${value.toFixed(2)} ms`);

/** Median over rounds of `measured / reference` where both ran in the same round. */
export function sameRoundRatio(rounds: readonly Round[], measured: string, reference: string): number {
  const ratios: number[] = [];
  for (const round of rounds) {
    const a = round.get(measured);
    const b = round.get(reference);
    if (a !== undefined && b !== undefined) ratios.push(a.perSecond / b.perSecond);
  }
  return median(ratios);
}

export interface Row {
  key: string;
  contender: string;
  mode: Mode;
}

/** Which reference each row is compared with: the raw limit, and BullMQ in the same mode. */
export const RAW_KEY = roundKey('raw', 'end-to-end');
export const bullmqKeyFor = (mode: Mode) => roundKey('bullmq', mode);

const modeLabel = (row: Row) =>
  row.contender === 'raw' ? 'direct' : row.mode === 'batch' ? `batch of ${BATCH_SIZE}` : row.mode;

/** Left-aligns the columns `leftAligned` and right-aligns the rest, each as wide as its widest cell. */
function table(rows: readonly (readonly string[])[], leftAligned: readonly number[] = [0, 1]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [k, cell] of row.entries()) widths[k] = Math.max(widths[k] ?? 0, cell.length);
  }
  return rows.map((row) =>
    row
      .map((cell, k) => (leftAligned.includes(k) ? cell.padEnd(widths[k] ?? 0) : cell.padStart(widths[k] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

export function formatThroughput(rows: readonly Row[], rounds: readonly Round[]): string {
  const cells: string[][] = [
    ['contender', 'mode', 'deliveries/s', 'min-max', 'vs raw', 'vs bullmq', 'published', 'peak RSS', 'dup'],
  ];
  for (const row of rows) {
    const taken = rounds.map((round) => round.get(row.key)).filter((m): m is Measurement => m !== undefined);
    if (taken.length === 0) continue;
    const rates = taken.map((m) => m.perSecond);
    const published = taken.map((m) => m.publishedMs).filter((v): v is number => v !== undefined);
    const peak = taken.map((m) => m.peakRssBytes).filter((v): v is number => v !== undefined);
    cells.push([
      row.contender,
      modeLabel(row),
      count(median(rates)),
      `${count(Math.min(...rates))}-${count(Math.max(...rates))}`,
      times(sameRoundRatio(rounds, row.key, RAW_KEY)),
      times(sameRoundRatio(rounds, row.key, bullmqKeyFor(row.mode))),
      published.length === 0 ? '-' : `${count(median(published))} ms`,
      mib(peak.length === 0 ? undefined : Math.max(...peak)),
      String(taken.reduce((sum, m) => sum + m.duplicates, 0)),
    ]);
  }
  return [
    ...table(cells),
    '(deliveries/s: median over rounds, timed from publish/release to the last unique delivery at the receiver;',
    ' min-max: over rounds; ratios: median of per-round ratios; published: when the last event was accepted;',
    " peak RSS: the contender's processes; dup: duplicate deliveries)",
  ].join('\n');
}

const OTHER_ROLES = new Set([RECEIVER_ROLE, LOAD_GENERATOR_ROLE]);

/** CPU µs per delivery of the contender's own processes (all roles but the receiver and the load generator). */
export function serviceCpuMicros(measurement: Measurement): number {
  let sum = 0;
  let any = false;
  for (const [role, micros] of measurement.cpuMicrosPerDelivery) {
    if (OTHER_ROLES.has(role)) continue;
    sum += micros;
    any = true;
  }
  return any ? sum : Number.NaN;
}

/** Median over rounds of `of`'s service CPU per delivery over `to`'s, where both ran in the same round. */
export function sameRoundCpuRatio(rounds: readonly Round[], of: string, to: string): number {
  const ratios: number[] = [];
  for (const round of rounds) {
    const a = round.get(of);
    const b = round.get(to);
    if (a !== undefined && b !== undefined) ratios.push(serviceCpuMicros(a) / serviceCpuMicros(b));
  }
  return median(ratios.filter((ratio) => !Number.isNaN(ratio)));
}

export function formatCpu(rows: readonly Row[], rounds: readonly Round[]): string {
  const micros = (value: number) => (Number.isNaN(value) ? '-' : value.toFixed(1));
  const cells: string[][] = [['contender', 'mode', 'service', 'receiver', 'load gen', 'all', 'service processes']];
  for (const row of rows) {
    const taken = rounds.map((round) => round.get(row.key)).filter((m): m is Measurement => m !== undefined);
    if (taken.length === 0) continue;
    const of = (role: string) => median(taken.map((m) => m.cpuMicrosPerDelivery.get(role) ?? Number.NaN));
    const roles = [...new Set(taken.flatMap((m) => [...m.cpuMicrosPerDelivery.keys()]))].filter(
      (role) => !OTHER_ROLES.has(role),
    );
    const all = median(taken.map((m) => [...m.cpuMicrosPerDelivery.values()].reduce((sum, v) => sum + v, 0)));
    cells.push([
      row.contender,
      modeLabel(row),
      micros(median(taken.map(serviceCpuMicros))),
      micros(of(RECEIVER_ROLE)),
      micros(of(LOAD_GENERATOR_ROLE)),
      micros(all),
      roles.length === 0 ? '(none: the load generator sends)' : roles.map((r) => `${r} ${micros(of(r))}`).join(', '),
    ]);
  }
  return [
    `CPU µs per delivered event, from /proc/<pid>/stat (utime + stime, all threads, CLK_TCK ${clockTicksPerSecond()}), over the timed part, median over rounds:`,
    ...table(cells, [0, 1, 6]),
    "(service: the contender's own processes; load gen: this harness, which publishes (and for raw, sends);",
    ' drain rows leave the publishing out, it happened before the clock started)',
  ].join('\n');
}

/**
 * Of each contender's own CPU per event, the kernel's part (stime) and its write-family system calls (socket writes,
 * WAL pages, journals): what neither a V8 profile nor callgrind shows.
 */
export function formatKernel(rows: readonly Row[], rounds: readonly Round[]): string {
  const cells: string[][] = [['contender', 'mode', 'service CPU', 'of it system', 'share', 'write calls']];
  for (const row of rows) {
    const taken = rounds.map((round) => round.get(row.key)).filter((m): m is Measurement => m !== undefined);
    const service = (m: Measurement, figure: 'systemMicros' | 'writeCalls') => {
      let sum = 0;
      for (const [role, figures] of m.kernelPerDelivery ?? []) {
        if (OTHER_ROLES.has(role)) continue;
        const value = figures[figure];
        if (value === undefined) return Number.NaN;
        sum += value;
      }
      return m.kernelPerDelivery === undefined ? Number.NaN : sum;
    };
    // A row with no process of its own (raw: the load generator sends) has nothing to show.
    const ownRoles = (m: Measurement) => [...(m.kernelPerDelivery?.keys() ?? [])].filter((r) => !OTHER_ROLES.has(r));
    if (taken.length === 0 || taken.every((m) => ownRoles(m).length === 0)) continue;
    const cpu = median(taken.map(serviceCpuMicros));
    const system = median(taken.map((m) => service(m, 'systemMicros')));
    const calls = median(taken.map((m) => service(m, 'writeCalls')));
    const shown = (value: number, digits: number) => (Number.isNaN(value) ? '-' : value.toFixed(digits));
    cells.push([
      row.contender,
      modeLabel(row),
      shown(cpu, 1),
      shown(system, 1),
      Number.isNaN(cpu) || Number.isNaN(system) || cpu === 0 ? '-' : `${Math.round((system / cpu) * 100)} %`,
      shown(calls, 1),
    ]);
  }
  return [
    "The kernel's part of the service's CPU µs per delivered event (/proc/<pid>/stat stime) and its write-family system calls per event (/proc/<pid>/io syscw), median over rounds:",
    ...table(cells, [0, 1]),
  ].join('\n');
}

export function formatLatency(label: string, summary: LatencySummary): string {
  const problems = [
    summary.failed > 0 ? `${count(summary.failed)} failed (${summary.firstError})` : '',
    summary.skipped > 0 ? `${count(summary.skipped)} skipped (in-flight cap)` : '',
    summary.timedOut > 0 ? `${count(summary.timedOut)} unanswered` : '',
  ].filter((text) => text !== '');
  return `${label}: p50 ${ms(summary.p50Ms)}  p90 ${ms(summary.p90Ms)}  p99 ${ms(summary.p99Ms)}  max ${ms(summary.maxMs)}  (${count(summary.completed)}/${count(summary.scheduled)} answered, ${count(summary.achievedPerSecond)}/s${problems.length > 0 ? `; ${problems.join(', ')}` : ''})`;
}

export function formatStartup(figures: readonly StartupFigure[]): string {
  // The names' column as wide as the longest (durable-relay is 13): a fixed 10 pushed its row out of line.
  const width = Math.max(10, ...figures.map((figure) => figure.contender.length));
  return [
    "start to ready (wall; CPU of the processes), idle RSS (1 s after ready; all the contender's processes, Redis included for bullmq):",
    ...figures.map(
      (figure) =>
        `  ${figure.contender.padEnd(width)} ${count(figure.setupMs).padStart(7)} ms  (CPU ${Number.isNaN(figure.setupCpuMs) ? '-' : count(figure.setupCpuMs)} ms)  ${mib(figure.idleRssBytes)}`,
    ),
  ].join('\n');
}

export function formatScrapes(summary: ScrapeSummary): string {
  const problems = [
    summary.failed > 0 ? `${count(summary.failed)} failed (${summary.firstError})` : '',
    summary.skipped > 0 ? `${count(summary.skipped)} skipped (the previous scrape still running)` : '',
  ].filter((text) => text !== '');
  return `${count(summary.scrapes)} scrapes, p50 ${ms(summary.p50Ms)}  p99 ${ms(summary.p99Ms)}  max ${ms(summary.maxMs)}${problems.length > 0 ? ` (${problems.join(', ')})` : ''}`;
}

export function formatExtras(extras: ContenderExtras, rate: number): string {
  const lines = [`${extras.contender} extras:`];
  if (extras.latency !== undefined) lines.push(formatLatency(`  publish latency at ${count(rate)}/s`, extras.latency));
  if (extras.isolation !== undefined) {
    const { alone, withHanging, ratio, hangingOutstanding } = extras.isolation;
    lines.push(
      `  isolation: 9 healthy endpoints ${count(alone.perSecond)}/s alone, ${count(withHanging.perSecond)}/s beside a hanging 10th: ${(ratio * 100).toFixed(0)} % (median of per-pair ratios)`,
      `  CPU µs per healthy delivery (medians), alone -> beside the hanging one: ${cpuChange(alone, withHanging)}`,
    );
    if (hangingOutstanding > 0) {
      lines.push(
        `  (${count(hangingOutstanding)} deliveries to the hanging endpoint were still pending 20 s after it recovered; their retries may weigh on the backlog figure)`,
      );
    }
  }
  if (extras.backlog !== undefined) {
    const b = extras.backlog;
    lines.push(
      `  backlog: ${count(b.empty.perSecond)}/s empty, ${count(b.backlog.perSecond)}/s over ${count(b.backlogDeliveries)} pending (filled in ${count(b.fillMs)} ms): ${(b.ratio * 100).toFixed(0)} %`,
      `  CPU µs per delivery (medians), empty -> over the backlog: ${cpuChange(b.empty, b.backlog)}`,
      `  RSS idle ${mib(b.idleRssEmptyBytes)} empty -> ${mib(b.idleRssBacklogBytes)} with the backlog; peak ${mib(b.empty.peakRssBytes)} -> ${mib(b.backlog.peakRssBytes)} during the runs`,
    );
    if (b.scrapes !== undefined) {
      lines.push(
        `  /metrics scraped every 1 s during the runs: empty ${formatScrapes(b.scrapes.empty)}; over the backlog ${formatScrapes(b.scrapes.backlog)}`,
      );
    }
  }
  return lines.join('\n');
}
