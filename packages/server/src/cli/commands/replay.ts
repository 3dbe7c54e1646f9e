// `hookline replay <app>`: send again the dead deliveries (and with --retrying, those still failing) of an
// application or one endpoint, created since a time. Progress on stderr (a bar on a terminal, lines elsewhere), a
// summary on stdout.
import type { Command } from 'commander';
import { parseInstant } from '../../input/instant.js';
import { CliError } from '../cli-error.js';
import { type HooklineClient, listAll } from '../client.js';
import { printOne, printRows } from '../output.js';
import { Progress } from '../progress.js';
import { connect, path } from './shared.js';
import { BEFORE_FIRST_ATTEMPT, type FeedAttempt, feedPath } from './tail.js';

interface DeadDelivery {
  msgId: string;
  endpointId: string;
  createdAt: string;
  lastError?: string | null;
  lastStatusCode?: number | null;
}

interface Target {
  msgId: string;
  endpointId: string;
  /** dead, or retrying (its latest attempt failed and it waits for the next). */
  state: 'dead' | 'retrying';
  /** What the last attempt said: an error, or the HTTP status. */
  last: string;
}

interface ReplayOptions {
  endpoint?: string;
  since?: string;
  until?: string;
  retrying?: boolean;
  dryRun?: boolean;
}

export interface ReplaySummary {
  found: number;
  queued: number;
  /** Deliveries the server would not queue now (being sent at this moment). */
  skipped: number;
  failed: number;
  errors: string[];
}

function parseTime(value: string | undefined, flag: string): number | null {
  if (value === undefined) return null;
  // The server's reading of a date-time, so a flag means here what it means in the API (Date.parse took "1" as 2001).
  const ms = parseInstant(value);
  if (ms === null) {
    throw new CliError('bad_flag', `${flag} must be a date-time`, 'for example 2026-11-30T12:00:00Z', 2);
  }
  return ms;
}

async function deadTargets(client: HooklineClient, app: string, options: ReplayOptions, since: number | null) {
  const until = parseTime(options.until, '--until');
  const query = options.endpoint === undefined ? '' : `?endpointId=${encodeURIComponent(options.endpoint)}`;
  const dead = await listAll<DeadDelivery>(client, `${path.app(app)}/dead-letter${query}`);
  return dead.filter((delivery) => {
    const created = Date.parse(delivery.createdAt);
    return (since === null || created >= since) && (until === null || created < until);
  });
}

/** Deliveries whose latest attempt since `since` failed: still retrying (or dead, already counted). */
async function failingTargets(client: HooklineClient, app: string, options: ReplayOptions, since: number | null) {
  const base = `${feedPath(app, { ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }) })}${
    since === null ? '' : `&since=${new Date(since).toISOString()}`
  }`;
  const latest = new Map<string, FeedAttempt>();
  let cursor = BEFORE_FIRST_ATTEMPT;
  for (let pageNumber = 0; pageNumber < 1000; pageNumber++) {
    const feed = await client.request<{ data: FeedAttempt[]; iterator: string | null }>(
      'GET',
      `${base}&after=${encodeURIComponent(cursor)}&limit=1000`,
    );
    for (const attempt of feed.data) latest.set(`${attempt.msgId} ${attempt.endpointId}`, attempt);
    if (feed.data.length < 1000 || feed.iterator === null) break;
    cursor = feed.iterator;
  }
  return [...latest.values()].filter((attempt) => attempt.status !== 0);
}

export function replayCommand(program: Command): void {
  program
    .command('replay <app>')
    .description('send dead deliveries again (with --retrying, failing ones too); prints a summary')
    .option('--endpoint <endpoint>', 'only this endpoint (id or uid)')
    .option('--since <time>', 'only deliveries created at or after this date-time')
    .option('--until <time>', 'only deliveries created before this date-time')
    .option('--retrying', 'also deliveries whose latest attempt failed and that are still being retried')
    .option('--dry-run', 'list what would be replayed, replay nothing')
    .action(async (app: string, options: ReplayOptions, command: Command) => {
      const { client, out } = connect(command);
      const since = parseTime(options.since, '--since');
      const targets = new Map<string, Target>();
      for (const delivery of await deadTargets(client, app, options, since)) {
        targets.set(`${delivery.msgId} ${delivery.endpointId}`, {
          msgId: delivery.msgId,
          endpointId: delivery.endpointId,
          state: 'dead',
          last: delivery.lastError ?? (delivery.lastStatusCode == null ? '' : `HTTP ${delivery.lastStatusCode}`),
        });
      }
      if (options.retrying === true) {
        for (const attempt of await failingTargets(client, app, options, since)) {
          const key = `${attempt.msgId} ${attempt.endpointId}`;
          if (targets.has(key)) continue;
          targets.set(key, {
            msgId: attempt.msgId,
            endpointId: attempt.endpointId,
            state: 'retrying',
            last: attempt.error ?? (attempt.responseStatusCode === 0 ? '' : `HTTP ${attempt.responseStatusCode}`),
          });
        }
      }
      if (options.dryRun === true) {
        const rows = [...targets.values()];
        if (out.json) {
          printOne(out, { found: rows.length, dryRun: true, deliveries: rows }, '');
          return;
        }
        if (rows.length > 0) {
          printRows(out, rows, rows, [
            ['MESSAGE', (target) => target.msgId],
            ['ENDPOINT', (target) => target.endpointId],
            ['STATE', (target) => target.state],
            ['LAST', (target) => target.last],
          ]);
        }
      }
      const summary: ReplaySummary = { found: targets.size, queued: 0, skipped: 0, failed: 0, errors: [] };
      if (options.dryRun !== true) {
        const progress = new Progress(process.stderr, targets.size, 'replaying');
        for (const { msgId, endpointId } of targets.values()) {
          try {
            await client.request(
              'POST',
              `${path.app(app)}/msg/${encodeURIComponent(msgId)}/endpoint/${encodeURIComponent(endpointId)}/resend`,
            );
            summary.queued++;
          } catch (error) {
            if (!(error instanceof CliError)) throw error;
            if (error.code === 'unreachable') throw error;
            if (error.code === 'conflict') summary.skipped++;
            else {
              summary.failed++;
              if (summary.errors.length < 10) summary.errors.push(`${msgId} -> ${endpointId}: ${error.message}`);
            }
          }
          progress.tick();
        }
      }
      const verb = options.dryRun === true ? 'would replay' : 'replayed';
      const text = [
        `${verb} ${options.dryRun === true ? summary.found : summary.queued} of ${summary.found} deliveries` +
          (summary.skipped > 0 ? `, ${summary.skipped} skipped (being sent now)` : '') +
          (summary.failed > 0 ? `, ${summary.failed} failed` : ''),
        ...summary.errors.map((line) => `  ${line}`),
      ].join('\n');
      printOne(out, { ...summary, dryRun: options.dryRun === true }, text);
      if (summary.failed > 0) process.exitCode = 1;
    });
}
