// The deliveries a SQLite claim chooses among, found in steps bounded by the batch and not by the queue, as the
// PostgreSQL claim function finds them (postgres/migrations/0012-claim-function-bounded-and-fair.sql): the
// applications with due work in turn (a loose scan of deliveries_due_app), each one's earliest due deliveries, and,
// behind a full head, up to `limit` other endpoints with due work (a loose scan of deliveries_due_endpoint), so a
// busy endpoint's backlog never starves a quiet one. Both scans go on where the last claim's stopped. Endpoints the
// gates allow nothing now are passed over: behind the head unread, and at the head's front by starting the next
// head read after the run of rows that claims passed (skipped-runs.ts), so a claim's cost does not grow with the
// backlog of an endpoint that cannot take any (issue 12 goal 6: one hanging endpoint among ten). The PostgreSQL
// function does not do this yet: it learns allowances only after its candidates are found.
import type { Statement } from 'better-sqlite3';
import type { ClaimCandidate } from '../claim-order.js';
import { type HeadRow, isAfter, type SkippedRun, SkippedRuns } from './skipped-runs.js';

/** Applications one claim serves, and index descents spent finding them (some have only later work). */
const MAX_APPS = 16;
const APP_PROBES = 64;

/** How many more of an endpoint's deliveries this claim may take (its gates'; 0 for none). */
export type Allowance = (endpointId: string) => number;

interface CandidateRow {
  rowid: number;
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

const toHeadRow = (row: CandidateRow): HeadRow => ({
  id: row.id,
  endpointId: row.endpoint_id,
  dueAt: row.next_attempt_at,
  rowid: row.rowid,
});

const COLUMNS = 'rowid, id, endpoint_id, app_id, next_attempt_at';
/** A row of COLUMNS read as an array (raw mode: cheaper than better-sqlite3's row objects, see queue.ts). */
const candidateRowOf = (values: unknown): CandidateRow => {
  const v = values as unknown[];
  return {
    rowid: v[0] as number,
    id: v[1] as string,
    endpoint_id: v[2] as string,
    app_id: v[3] as string,
    next_attempt_at: v[4] as number,
  };
};
const ENABLED = 'endpoint_id NOT IN (SELECT id FROM endpoints WHERE disabled = 1)';
// Built once: the statement cache is keyed by the text, and a template string built per call would be hashed again
// at every lookup (see queue.ts).
const HEAD_FROM_FRONT = `SELECT ${COLUMNS} FROM deliveries
  WHERE status = 'pending' AND app_id = ? AND next_attempt_at <= ? AND ${ENABLED}
  ORDER BY next_attempt_at, rowid LIMIT ?`;
const HEAD_AFTER_RUN = `SELECT ${COLUMNS} FROM deliveries
  WHERE status = 'pending' AND app_id = ? AND next_attempt_at <= ? AND (next_attempt_at, rowid) > (?, ?) AND ${ENABLED}
  ORDER BY next_attempt_at, rowid LIMIT ?`;
const EARLIEST_OF_ENDPOINT = `SELECT ${COLUMNS} FROM deliveries
  WHERE status = 'pending' AND endpoint_id = ? AND next_attempt_at <= ? AND ${ENABLED}
  ORDER BY next_attempt_at, rowid LIMIT ?`;

/** Candidates by id: an endpoint's rows may be read both in a head and from its own index. */
class Found {
  readonly list: ClaimCandidate[] = [];
  readonly endpoints = new Set<string>();
  private readonly ids = new Set<string>();

  add(row: CandidateRow): void {
    if (this.ids.has(row.id)) return;
    this.ids.add(row.id);
    this.endpoints.add(row.endpoint_id);
    this.list.push(toCandidate(row));
  }
}

export class SqliteClaimCandidates {
  private afterApp = '';
  private afterEndpoint = '';
  /** Each application's run of due rows that claims passed without taking (skipped-runs.ts). */
  private readonly skipped = new SkippedRuns();
  /** The last find's head reads, in queue order, for `passed`. */
  private heads: Array<{ appId: string; rows: HeadRow[] }> = [];

  constructor(
    private readonly sql: (text: string) => Statement,
    /** The read caches' generation: it moves on a rollback and on another connection's commit. */
    private readonly generation: () => number,
  ) {}

  /**
   * Runs inside the claim's write transaction. `scan` bounds the rows read (4x the batch; at most the batch at one
   * application's head). An application's head is read after its skipped run; endpoints that may have rows inside
   * that run (an endpoint of the run with allowance again, or one whose earliest due row lies before its first row
   * in the head) are read from their own index, so each endpoint's earliest deliveries are always among the
   * candidates and it is claimed in order.
   */
  find(now: number, limit: number, perEndpointLimit: number, allowance: Allowance): ClaimCandidate[] {
    const scan = limit * 4;
    this.heads = [];
    const apps = this.appsInTurn(now);
    if (apps.length === 0) return [];
    this.afterApp = apps[apps.length - 1] as string;
    // Each application's head reads at most `limit` rows: what one claim can take. Four in turn or more share the
    // scan, as before; one to three read 4x to 1.3x the batch each, rows this claim could not take and the next
    // claims read again (each row a JavaScript object built by better-sqlite3, ~17,000 instructions).
    const share = Math.ceil(Math.min(scan, limit * apps.length) / apps.length);
    const generation = this.generation();
    const found = new Found();
    let full = false;
    for (const app of apps) {
      let run = this.skipped.of(app, now, generation);
      let rows = this.head(app, now, share, run);
      let inRun = run === undefined ? [] : this.withRowsInRun(run, rows, allowance);
      if (inRun.length > limit) {
        // Too many to read one by one: this claim reads the queue from its front, and the run starts again.
        this.skipped.drop(app);
        run = undefined;
        rows = this.head(app, now, share, undefined);
        inRun = [];
      }
      this.heads.push({ appId: app, rows: rows.map(toHeadRow) });
      if (rows.length === share) full = true;
      for (const row of rows) found.add(row);
      for (const endpointId of inRun) {
        for (const row of this.earliestOf(endpointId, now, Math.min(perEndpointLimit, allowance(endpointId)))) {
          found.add(row);
        }
      }
    }
    if (full) {
      for (const row of this.behind(now, limit, perEndpointLimit, scan, found.endpoints, allowance)) found.add(row);
    }
    return found.list;
  }

  /**
   * After the claim took `taken` from the last find's candidates: each application's run moves over the rows its
   * head read that were taken or whose endpoint has no allowance, so the next claim does not read them again.
   */
  passed(now: number, taken: readonly string[], allowance: Allowance): void {
    const takenIds = new Set(taken);
    const generation = this.generation();
    for (const { appId, rows } of this.heads) {
      this.skipped.pass(
        appId,
        rows,
        (row) => (takenIds.has(row.id) ? 'taken' : allowance(row.endpointId) <= 0 ? 'blocked' : 'open'),
        now,
        generation,
      );
    }
    this.heads = [];
  }

  /** Rows may have come back inside a run (a lease ran out, an ordered line moved on): read from the front again. */
  forgetSkippedRuns(): void {
    this.skipped.forget();
  }

  /** An application's earliest due rows, after its skipped run when it has one. */
  private head(app: string, now: number, share: number, run: SkippedRun | undefined): CandidateRow[] {
    if (run === undefined) {
      return this.sql(HEAD_FROM_FRONT).raw(true).all(app, now, share).map(candidateRowOf);
    }
    return this.sql(HEAD_AFTER_RUN).raw(true).all(app, now, run.end.dueAt, run.end.rowid, share).map(candidateRowOf);
  }

  /**
   * Endpoints with allowance whose earliest due rows may lie inside the run: the run's own, and any whose earliest
   * due row comes before its first row in the head (it came back into the run: a publish whose clock was behind).
   * One index descent per endpoint of the head.
   */
  private withRowsInRun(run: SkippedRun, rows: readonly CandidateRow[], allowance: Allowance): string[] {
    const inRun = new Set<string>();
    for (const endpointId of run.endpoints) if (allowance(endpointId) > 0) inRun.add(endpointId);
    const firstInHead = new Map<string, CandidateRow>();
    for (const row of rows) if (!firstInHead.has(row.endpoint_id)) firstInHead.set(row.endpoint_id, row);
    const earliest = this.sql(
      `SELECT next_attempt_at AS dueAt, rowid FROM deliveries WHERE status = 'pending' AND endpoint_id = ?
        ORDER BY next_attempt_at, rowid LIMIT 1`,
    );
    for (const [endpointId, first] of firstInHead) {
      if (inRun.has(endpointId) || allowance(endpointId) <= 0) continue;
      const place = earliest.get(endpointId) as { dueAt: number; rowid: number } | undefined;
      if (place !== undefined && isAfter({ dueAt: first.next_attempt_at, rowid: first.rowid }, place)) {
        inRun.add(endpointId);
      }
    }
    return [...inRun];
  }

  /** An endpoint's earliest due rows, from its own index. */
  private earliestOf(endpointId: string, now: number, most: number): CandidateRow[] {
    if (most <= 0) return [];
    return this.sql(EARLIEST_OF_ENDPOINT).raw(true).all(endpointId, now, most).map(candidateRowOf);
  }

  /** Up to MAX_APPS applications with due work, after the last claim's, wrapping round once. */
  private appsInTurn(now: number): string[] {
    const next = this.sql(
      `SELECT app_id AS key, next_attempt_at AS due_at FROM deliveries WHERE status = 'pending' AND app_id > ?
        ORDER BY app_id, next_attempt_at LIMIT 1`,
    );
    return loosely(next, this.afterApp, APP_PROBES, now, MAX_APPS, () => true).found;
  }

  /**
   * Behind full heads: up to `limit` other endpoints with due work and allowance, each with its earliest rows, as
   * many as it may take (an endpoint without allowance is passed over unread).
   */
  private behind(
    now: number,
    limit: number,
    perEndpointLimit: number,
    scan: number,
    inHeads: ReadonlySet<string>,
    allowance: Allowance,
  ): CandidateRow[] {
    const next = this.sql(
      `SELECT endpoint_id AS key, next_attempt_at AS due_at FROM deliveries WHERE status = 'pending' AND endpoint_id > ?
        ORDER BY endpoint_id, next_attempt_at LIMIT 1`,
    );
    const { found, reached } = loosely(
      next,
      this.afterEndpoint,
      limit,
      now,
      limit,
      (id) => !inHeads.has(id) && allowance(id) > 0,
    );
    this.afterEndpoint = reached;
    const candidates: CandidateRow[] = [];
    for (const endpointId of found) {
      for (const row of this.earliestOf(endpointId, now, Math.min(perEndpointLimit, allowance(endpointId)))) {
        if (candidates.length >= scan) return candidates;
        candidates.push(row);
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
