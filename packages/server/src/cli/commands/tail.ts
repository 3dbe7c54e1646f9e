// `hookline tail <app>`: delivery attempts as they happen, by polling the attempt feed from the newest one seen.
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import type { HooklineClient } from '../client.js';
import type { Output } from '../output.js';
import { connect, path } from './shared.js';

export interface FeedAttempt {
  id: string;
  msgId: string;
  endpointId: string;
  eventType: string;
  status: number;
  triggerType: number;
  responseStatusCode: number;
  responseDurationMs: number;
  error: string | null;
  timestamp: string;
}

interface Feed {
  data: FeedAttempt[];
  iterator: string | null;
}

interface TailOptions {
  endpoint?: string;
  eventType?: string;
  status?: string;
  interval: string;
  count?: string;
}

/** Sorts before every attempt id: "from the beginning". */
export const BEFORE_FIRST_ATTEMPT = 'atmpt_0';

export function feedPath(app: string, filters: { endpoint?: string; eventType?: string; status?: string }): string {
  const query = new URLSearchParams();
  if (filters.endpoint !== undefined) query.set('endpointId', filters.endpoint);
  if (filters.eventType !== undefined) query.set('eventType', filters.eventType);
  if (filters.status !== undefined) query.set('status', filters.status);
  return `${path.app(app)}/attempt/feed?${query.toString()}`;
}

export function attemptLine(attempt: FeedAttempt): string {
  const outcome = attempt.status === 0 ? 'ok  ' : 'FAIL';
  const code = attempt.responseStatusCode === 0 ? '---' : String(attempt.responseStatusCode);
  const manual = attempt.triggerType === 1 ? ' [replay]' : '';
  const error = attempt.error === null ? '' : `  ${attempt.error}`;
  return `${attempt.timestamp}  ${outcome} ${code}  ${String(attempt.responseDurationMs).padStart(5)}ms  ${attempt.eventType}  ${attempt.msgId} -> ${attempt.endpointId}${manual}${error}`;
}

function positive(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new CliError('bad_flag', `${flag} must be a positive integer`, null, 2);
  return n;
}

async function follow(client: HooklineClient, out: Output, base: string, intervalMs: number, count: number | null) {
  // Start at the newest attempt: tail shows what happens from now on.
  const start = await client.request<Feed>('GET', `${base}&limit=1`);
  let cursor = start.iterator ?? BEFORE_FIRST_ATTEMPT;
  // On stderr, so stdout stays the attempts alone (a pipe into jq sees only JSON lines).
  process.stderr.write(`tailing ${base.split('?')[0]} (Ctrl-C to stop)\n`);
  let printed = 0;
  let stopped = false;
  const stop = () => {
    stopped = true;
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    while (!stopped) {
      const feed = await client.request<Feed>('GET', `${base}&after=${encodeURIComponent(cursor)}&limit=1000`);
      for (const attempt of feed.data) {
        out.write(out.json ? `${JSON.stringify(attempt)}\n` : `${attemptLine(attempt)}\n`);
        printed++;
        if (count !== null && printed >= count) return;
      }
      cursor = feed.iterator ?? cursor;
      if (feed.data.length < 1000) await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

export function tailCommand(program: Command): void {
  program
    .command('tail <app>')
    .description('print delivery attempts as they happen (Ctrl-C to stop); --json prints one JSON object a line')
    .option('--endpoint <endpoint>', 'only this endpoint (id or uid)')
    .option('--event-type <type>', 'only this event type')
    .option('--status <status>', 'only succeeded or failed attempts')
    .option('--interval <ms>', 'how often to poll', '1000')
    .option('--count <n>', 'exit after printing this many attempts')
    .action(async (app: string, options: TailOptions, command: Command) => {
      const { client, out } = connect(command);
      if (options.status !== undefined && options.status !== 'succeeded' && options.status !== 'failed') {
        throw new CliError('bad_flag', '--status must be succeeded or failed', null, 2);
      }
      const intervalMs = positive(options.interval, '--interval');
      const count = options.count === undefined ? null : positive(options.count, '--count');
      await follow(client, out, feedPath(app, options), intervalMs, count);
    });
}
