// The deliveries a SQLite claim chooses among, found in steps bounded by the batch and not by the queue, as the
// PostgreSQL claim function finds them (postgres/migrations/0012-claim-function-bounded-and-fair.sql): the
// applications with due work in turn (a loose scan of deliveries_due_app), each one's earliest due deliveries, and,
// behind a full head, up to `limit` other endpoints with due work (a loose scan of deliveries_due_endpoint), so a
// busy endpoint's backlog never starves a quiet one. Both scans go on where the last claim's stopped.
import type { Statement } from 'better-sqlite3';
import type { ClaimCandidate } from '../claim-order.js';

/** Applications one claim serves, and index descents spent finding them (some have only later work). */
const MAX_APPS = 16;
const APP_PROBES = 64;

interface CandidateRow {
  id: string;
  endpoint_id: string;
  app_id: string;
  next_attempt_at: number;
}

const toCandidate = (row: CandidateRow): ClaimCandidate => ({
  id: row.id,
  endpointId: row.endpoint_id,
  appId: row.app_id,
  nextAttemptAt: row.next_attempt_at,
});

export class SqliteClaimCandidates {
  private afterApp = '';
  private afterEndpoint = '';

  constructor(private readonly sql: (text: string) => Statement) {}

  /** Runs inside the claim's write transaction. `scan` bounds the rows read (4x the batch). */
  find(now: number, limit: number, perEndpointLimit: number): ClaimCandidate[] {
    const scan = limit * 4;
    const apps = this.appsInTurn(now);
    if (apps.length === 0) return [];
    this.afterApp = apps[apps.length - 1] as string;
    const share = Math.ceil(scan / apps.length);
    const head = this.sql(
      `SELECT id, endpoint_id, app_id, next_attempt_at FROM deliveries
        WHERE status = 'pending' AND app_id = ? AND next_attempt_at <= ?
          AND endpoint_id NOT IN (SELECT id FROM endpoints WHERE disabled = 1)
        ORDER BY next_attempt_at LIMIT ?`,
    );
    const candidates: ClaimCandidate[] = [];
    let full = false;
    for (const app of apps) {
      const rows = head.all(app, now, share) as CandidateRow[];
      if (rows.length === share) full = true;
      for (const row of rows) candidates.push(toCandidate(row));
    }
    if (full) candidates.push(...this.behind(now, limit, perEndpointLimit, scan, candidates));
    return candidates;
  }

  /** Up to MAX_APPS applications with due work, after the last claim's, wrapping round once. */
  private appsInTurn(now: number): string[] {
    const next = this.sql(
      `SELECT app_id AS key, next_attempt_at AS due_at FROM deliveries WHERE status = 'pending' AND app_id > ?
        ORDER BY app_id, next_attempt_at LIMIT 1`,
    );
    return loosely(next, this.afterApp, APP_PROBES, now, MAX_APPS, () => true).found;
  }

  /** Behind full heads: up to `limit` other endpoints with due work, each with its earliest rows. */
  private behind(
    now: number,
    limit: number,
    perEndpointLimit: number,
    scan: number,
    heads: readonly ClaimCandidate[],
  ): ClaimCandidate[] {
    const inHeads = new Set(heads.map((candidate) => candidate.endpointId));
    const next = this.sql(
      `SELECT endpoint_id AS key, next_attempt_at AS due_at FROM deliveries WHERE status = 'pending' AND endpoint_id > ?
        ORDER BY endpoint_id, next_attempt_at LIMIT 1`,
    );
    const { found, reached } = loosely(next, this.afterEndpoint, limit, now, limit, (id) => !inHeads.has(id));
    this.afterEndpoint = reached;
    const rows = this.sql(
      `SELECT id, endpoint_id, app_id, next_attempt_at FROM deliveries
        WHERE status = 'pending' AND endpoint_id = ? AND next_attempt_at <= ?
          AND endpoint_id NOT IN (SELECT id FROM endpoints WHERE disabled = 1)
        ORDER BY next_attempt_at LIMIT ?`,
    );
    const candidates: ClaimCandidate[] = [];
    for (const endpointId of found) {
      for (const row of rows.all(endpointId, now, perEndpointLimit) as CandidateRow[]) {
        if (candidates.length >= scan) return candidates;
        candidates.push(toCandidate(row));
      }
    }
    return candidates;
  }
}

/**
 * A loose index scan: `next` finds the first key after the one given, with its earliest due time. Keys are taken
 * in order after `after`, wrapping round to the start once and stopping there, at `probes` descents or at `most`
 * keys found that are due and `wanted`. `reached` is the last key looked at, where the next scan goes on.
 */
function loosely(
  next: Statement,
  after: string,
  probes: number,
  now: number,
  most: number,
  wanted: (key: string) => boolean,
): { found: string[]; reached: string } {
  const found: string[] = [];
  let from = after;
  let wrapped = false;
  for (let probe = 0; probe < probes; probe++) {
    const row = next.get(from) as { key: string; due_at: number } | undefined;
    if (row === undefined) {
      if (wrapped || after === '') break;
      wrapped = true;
      from = '';
      continue;
    }
    const { key, due_at: dueAt } = row;
    if (wrapped && key > after) break;
    from = key;
    if (dueAt <= now && wanted(key)) {
      found.push(key);
      if (found.length >= most) break;
    }
  }
  return { found, reached: from };
}
