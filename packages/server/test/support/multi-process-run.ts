// One end-to-end run of Hookline as separate processes on one PostgreSQL: an API process and N workers, 20
// endpoints on a loopback receiver that logs every webhook-id with the time it arrived, events published through
// the API (each to exactly one endpoint, by event type). Tests add a disturbance mid-run (kill -9 a worker,
// restart PostgreSQL) and check what arrived.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { apiOk, callApi, type HooklineProcess, HooklineProcesses, writeConfig } from './hookline-process.js';
import { type ReceivedRequest, TestReceiver, waitFor } from './receiver.js';

export const ENDPOINTS = 20;

export interface RunOptions {
  /** postgres://… with ?schema=… */
  database: string;
  /** The same database for the test's own checks: a client config that reaches the run's schema. */
  inspect: pg.ClientConfig;
  events: number;
  workers: number;
  delivery: Record<string, unknown>;
  /** How long each receiver takes to answer, so sends are in flight when something is disturbed. */
  receiverDelayMs?: number;
  /** Called once, when this many webhooks have arrived. */
  disturbAt?: number;
  disturb?: (run: Disturbance) => Promise<void>;
  timeoutMs?: number;
}

export interface Disturbance {
  workers: HooklineProcess[];
  api: HooklineProcess;
  /**
   * From now until `release`, the receiver answers nothing it gets: those sends stay in flight at their senders, so
   * none of them can be recorded. `held` lists them (with the sender's port) in arrival order.
   */
  holdAnswers(): { held: () => ReceivedRequest[]; release: () => void };
}

export interface RunResult {
  /** Arrival times per webhook-id, in arrival order. */
  arrivals: Map<string, number[]>;
  accepted: number;
  statuses: Record<string, number>;
  /** Processes (API and workers) still running at the end: none may have died of a database outage. */
  running: number;
  /** The recorded attempts of every webhook that arrived more than once, by webhook-id (the message id). */
  attemptsOfRepeats: Map<string, RecordedAttempt[]>;
}

export interface RecordedAttempt {
  outcome: string;
  statusCode: number | null;
  error: string | null;
  at: number;
  durationMs: number;
}

export async function runAcrossProcesses(options: RunOptions): Promise<RunResult> {
  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  const dir = mkdtempSync(join(tmpdir(), 'hookline-processes-'));
  const processes = new HooklineProcesses();
  const receiver = new TestReceiver();
  const inspect = new pg.Client(options.inspect);
  let holding: Promise<void> | undefined;
  for (let i = 0; i < ENDPOINTS; i++) {
    receiver.script(`/ep/${i}`, () => ({
      status: 200,
      body: 'ok',
      ...(options.receiverDelayMs ? { delayMs: options.receiverDelayMs } : {}),
      ...(holding !== undefined ? { until: holding } : {}),
    }));
  }
  const holdAnswers = () => {
    const from = receiver.requests.length;
    let release = () => {};
    holding = new Promise<void>((resolve) => {
      release = () => {
        holding = undefined;
        resolve();
      };
    });
    return { held: () => receiver.requests.slice(from), release };
  };
  await receiver.start();
  try {
    const config = writeConfig(dir, options.delivery);
    // The API process migrates first; the workers then start together (their migrations find nothing to do).
    const api = await processes.start({ role: 'api', database: options.database, config });
    const workers = await Promise.all(
      Array.from({ length: options.workers }, () =>
        processes.start({ role: 'worker', database: options.database, config }),
      ),
    );
    const app = await apiOk<{ id: string }>(api.url, 'POST', '/api/v1/app', { name: 'many processes' });
    for (let i = 0; i < ENDPOINTS; i++) {
      await apiOk(api.url, 'POST', `/api/v1/app/${app.id}/endpoint`, {
        url: `${receiver.url}/ep/${i}`,
        filterTypes: [`type.${i}`],
      });
    }

    // Each event is sent until the API says it has it (202) or had it already (409: the first try committed but its
    // answer was lost), so a restart of the database mid-publish loses nothing the test counts as accepted.
    let next = 0;
    let accepted = 0;
    const publisher = async () => {
      while (next < options.events) {
        const seq = next++;
        for (;;) {
          if (Date.now() > deadline) throw new Error('publishing did not finish in time');
          try {
            const response = await callApi(api.url, 'POST', `/api/v1/app/${app.id}/msg`, {
              eventType: `type.${seq % ENDPOINTS}`,
              eventId: `evt-${seq}`,
              payload: { seq },
            });
            await response.text();
            if (response.status === 202 || response.status === 409) {
              accepted++;
              break;
            }
          } catch {
            // The API process could not answer (the database is restarting): the same event again.
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    };
    const publishing = Promise.all(Array.from({ length: 16 }, publisher));
    if (options.disturb !== undefined) {
      const at = options.disturbAt ?? Math.floor(options.events / 3);
      await waitFor(
        () => receiver.requests.length >= at,
        `${at} webhooks before the disturbance`,
        deadline - Date.now(),
      );
      await options.disturb({ workers, api, holdAnswers });
    }
    await publishing;

    const arrivals = () => {
      const byId = new Map<string, number[]>();
      for (const request of receiver.requests) {
        const id = String(request.headers['webhook-id']);
        const times = byId.get(id);
        if (times === undefined) byId.set(id, [request.at]);
        else times.push(request.at);
      }
      return byId;
    };
    await waitFor(
      () => arrivals().size >= options.events,
      `${options.events} distinct webhook-ids`,
      Math.max(1, deadline - Date.now()),
    );
    await inspect.connect();
    const unfinished = async () =>
      (await inspect.query<{ n: string }>("SELECT count(*) AS n FROM deliveries WHERE status <> 'succeeded'")).rows[0]
        ?.n;
    try {
      await waitFor(
        async () => (await unfinished()) === '0',
        'every delivery to be recorded as succeeded',
        Math.max(1, deadline - Date.now()),
      );
    } catch (error) {
      // What the unfinished deliveries look like, so a failure says where they stopped, not only that they did.
      throw new Error(`${(error as Error).message}\n${await describeUnfinished(inspect)}`);
    }
    const statuses: Record<string, number> = {};
    for (const row of (
      await inspect.query<{ status: string; n: string }>('SELECT status, count(*) AS n FROM deliveries GROUP BY status')
    ).rows) {
      statuses[row.status] = Number(row.n);
    }
    const running = [api, ...workers].filter(
      (process) => process.child.exitCode === null && process.child.signalCode === null,
    ).length;
    const arrived = arrivals();
    const repeated = duplicates(arrived).map(({ id }) => id);
    const attemptsOfRepeats = new Map<string, RecordedAttempt[]>();
    const { rows } = await inspect.query<{
      message_id: string;
      outcome: string;
      status_code: number | null;
      error: string | null;
      created_at: string;
      duration_ms: number;
    }>(
      `SELECT message_id, outcome, status_code, error, created_at, duration_ms FROM attempts
        WHERE message_id = ANY($1) ORDER BY created_at`,
      [repeated],
    );
    for (const row of rows) {
      const list = attemptsOfRepeats.get(row.message_id) ?? [];
      list.push({
        outcome: row.outcome,
        statusCode: row.status_code,
        error: row.error,
        at: Number(row.created_at),
        durationMs: row.duration_ms,
      });
      attemptsOfRepeats.set(row.message_id, list);
    }
    return { arrivals: arrived, accepted, statuses, running, attemptsOfRepeats };
  } finally {
    await inspect.end().catch(() => undefined);
    await processes.stopAll();
    await receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The deliveries not yet succeeded (a sample, with their endpoint's gate) and the status counts, for a failure. */
async function describeUnfinished(inspect: pg.Client): Promise<string> {
  const counts = await inspect.query('SELECT status, count(*)::int AS n FROM deliveries GROUP BY status');
  const sample = await inspect.query(
    `SELECT d.id, d.endpoint_id, d.status, d.attempts, d.next_attempt_at, d.lease_until, d.leased_by,
            d.last_error, d.last_status_code, d.ordering_key, g.open_until, g.consecutive_failures, g.tokens,
            (extract(epoch from clock_timestamp()) * 1000)::bigint AS now
       FROM deliveries d LEFT JOIN endpoint_gates g ON g.endpoint_id = d.endpoint_id
      WHERE d.status <> 'succeeded' ORDER BY d.id LIMIT 10`,
  );
  return `statuses: ${JSON.stringify(counts.rows)}\nunfinished (first 10): ${JSON.stringify(sample.rows, null, 1)}`;
}

/** Webhook-ids that arrived more than once, with the gap between their first two arrivals. */
export function duplicates(arrivals: Map<string, number[]>): Array<{ id: string; gapMs: number }> {
  const result: Array<{ id: string; gapMs: number }> = [];
  for (const [id, times] of arrivals) {
    if (times.length > 1) result.push({ id, gapMs: (times[1] as number) - (times[0] as number) });
  }
  return result;
}

/** The repeats of a run with what the database recorded of them, times relative to `zeroAt`: a failure's evidence. */
export interface Repeat {
  id: string;
  arrivals: number[];
  attempts: RecordedAttempt[];
}

function describeRepeats(result: RunResult, zeroAt: number): Repeat[] {
  return duplicates(result.arrivals).map(({ id }) => ({
    id,
    arrivals: (result.arrivals.get(id) ?? []).map((at) => at - zeroAt),
    attempts: (result.attemptsOfRepeats.get(id) ?? []).map((attempt) => ({ ...attempt, at: attempt.at - zeroAt })),
  }));
}

/**
 * Repeats a retry does not explain: on a busy machine a send can time out at the worker while the receiver (in the
 * test's own process) is slow to answer, and the retry schedule then sends it again, as it should. What is left is
 * a repeat with no failed attempt recorded, which only a disturbance (a worker killed, a database down) or a
 * delivery held by two workers at once can make.
 */
export function repeatsWithoutAFailure(result: RunResult, zeroAt: number): Repeat[] {
  return describeRepeats(result, zeroAt).filter(
    (repeat) => !repeat.attempts.some((attempt) => attempt.outcome === 'failed'),
  );
}
