// Where each application's run of due deliveries that no claim can take ends, so the next claim's head read starts
// behind it instead of reading the same rows again. Such a run forms when an endpoint has no allowance (its sends in
// flight at its limit, its circuit open, its rate tokens spent) while its backlog sits at the front of the due queue.

/** A place in an application's due queue: deliveries_due_app's order, next_attempt_at then rowid. */
export interface QueuePlace {
  dueAt: number;
  rowid: number;
}

/** A row of a claim's head read, in queue order. */
export interface HeadRow extends QueuePlace {
  id: string;
  endpointId: string;
}

export interface SkippedRun {
  /** The run's last row; the head read starts after it. */
  end: QueuePlace;
  /** Endpoints with deliveries in the run: when one has allowance again, its rows are read from its own index. */
  endpoints: ReadonlySet<string>;
}

interface Run {
  end: QueuePlace;
  endpoints: Set<string>;
  since: number;
  generation: number;
}

/**
 * A run only covers rows due this long before the claim that passed them: a publish that took its time before a
 * claim's and committed after it (its write waited in the group commit) lands behind the run, not inside it.
 */
export const RECENT_MS = 100;
/**
 * A run is read again from its start this long after it was first passed: a row that came back into it by a way
 * not told here (another writer's clock) waits no longer than this. Lease expiry, an ordered line moving on, a
 * rollback and another connection's commit forget the runs at once.
 */
export const MAX_RUN_AGE_MS = 2_000;

/** Applications with a run remembered; past it the memory starts over (a run forgotten is only read again). */
export const MAX_RUNS = 10_000;

export function isAfter(a: QueuePlace, b: QueuePlace): boolean {
  return a.dueAt > b.dueAt || (a.dueAt === b.dueAt && a.rowid > b.rowid);
}

export class SkippedRuns {
  private readonly runs = new Map<string, Run>();

  /**
   * The application's run, if it still holds at `now`; `generation` is the read caches' (it moves on a rollback and
   * on another connection's commit, either of which may have put rows back inside a run).
   */
  of(appId: string, now: number, generation: number): SkippedRun | undefined {
    const run = this.runs.get(appId);
    if (run === undefined) return undefined;
    if (run.generation !== generation || now < run.since || now - run.since >= MAX_RUN_AGE_MS) {
      this.runs.delete(appId);
      return undefined;
    }
    return run;
  }

  /**
   * After a claim: moves the application's run over the rows its head read (in queue order, starting right after the
   * run) that the claim took or whose endpoint has no allowance, up to the first other row or a recent one.
   */
  pass(
    appId: string,
    rows: readonly HeadRow[],
    passed: (row: HeadRow) => 'taken' | 'blocked' | 'open',
    now: number,
    generation: number,
  ): void {
    let run = this.runs.get(appId);
    // Read after a run that no longer holds (never within one transaction): the rows do not start at the front.
    if (run !== undefined && run.generation !== generation) {
      this.runs.delete(appId);
      return;
    }
    for (const row of rows) {
      if (row.dueAt > now - RECENT_MS) break;
      const how = passed(row);
      if (how === 'open') break;
      if (run === undefined) {
        if (this.runs.size >= MAX_RUNS) this.runs.clear();
        run = { end: row, endpoints: new Set(), since: now, generation };
        this.runs.set(appId, run);
      }
      run.end = { dueAt: row.dueAt, rowid: row.rowid };
      if (how === 'blocked') run.endpoints.add(row.endpointId);
    }
  }

  /** The application's head is read from its front again. */
  drop(appId: string): void {
    this.runs.delete(appId);
  }

  forget(): void {
    this.runs.clear();
  }
}
