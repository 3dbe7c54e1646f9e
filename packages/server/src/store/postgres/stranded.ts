// Issue 14, "enable vs release" (the race is told at SET_DISABLED in endpoints.ts): a delivery parked ('paused') on an
// enabled endpoint, outside any ordered line or at its line's head, is stranded: nothing else would ever make it due.
// The repair finds such deliveries and makes them due; the engine runs it on its periodic maintenance, and the store
// after every enable, once the transactions that may have raced the enable have ended. SQLite has one writer, so a
// reader can never overlap an enable there: it has no repair.
import type { PostgresParts } from './postgres-parts.js';
import { WORK_CHANNEL } from './work-listener.js';

/** Rows moved per statement: a repair never holds many row locks at once; it repeats while a batch was full. */
const REPAIR_BATCH = 500;

/** How often the after-enable repair looks whether the transactions older than the enable's commit have ended. */
const RACERS_POLL_MS = 50;

/** A transaction open this long after an enable is not waited for (the periodic repair is the net for it). */
const RACERS_WAIT_MAX_MS = 30_000;

/**
 * $1 endpoint id or NULL (every endpoint), $2 now, $3 at most this many. Driven from the enabled endpoints, each
 * probed by index: its parked unordered deliveries (deliveries_paused_unordered, 0017: parked deliveries of disabled
 * endpoints and deliveries waiting in ordered lines are never read), and the head of each of its ordered lines (by
 * primary key). The UPDATE checks the endpoint again: if a disable commits meanwhile, a delivery this made due stays
 * 'pending' on a disabled endpoint, which the claim never takes (it joins `disabled = 0`) and which its enable
 * leaves due: the reverse race is harmless. A retry keeps its scheduled time.
 */
export const REPAIR_STRANDED = `
WITH enabled AS (
  SELECT id FROM endpoints WHERE disabled = 0 AND ($1::text IS NULL OR id = $1)
), stranded AS (
  (SELECT d.id FROM enabled e
     CROSS JOIN LATERAL (SELECT id FROM deliveries
                          WHERE endpoint_id = e.id AND status = 'paused' AND ordering_key IS NULL LIMIT $3) d)
  UNION ALL
  (SELECT d.id FROM enabled e
     JOIN ordering_lines l ON l.endpoint_id = e.id AND l.head_id IS NOT NULL
     CROSS JOIN LATERAL (SELECT id FROM deliveries WHERE id = l.head_id AND status = 'paused' LIMIT 1) d)
  LIMIT $3
), made_due AS (
  UPDATE deliveries d SET status = 'pending', next_attempt_at = COALESCE(d.next_attempt_at, $2), updated_at = $2
    FROM endpoints e
   WHERE d.id IN (SELECT id FROM stranded) AND d.status = 'paused' AND e.id = d.endpoint_id AND e.disabled = 0
  RETURNING 1
), woken AS (SELECT pg_notify('${WORK_CHANNEL}', '') FROM (SELECT 1 FROM made_due LIMIT 1) any_made_due)
SELECT (SELECT count(*) FROM made_due)::int AS n, (SELECT count(*) FROM woken)::int AS woken`;

export interface StrandedRepairLogger {
  warn(object: object, message?: string): void;
  info?(object: object, message?: string): void;
}

export class StrandedRepair {
  private readonly running = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly parts: PostgresParts,
    private readonly logger: StrandedRepairLogger,
  ) {}

  /** Makes every stranded delivery (of one endpoint, or of all) due; answers how many. */
  async repair(now: number, endpointId: string | null = null): Promise<number> {
    let total = 0;
    for (;;) {
      const { rows } = await this.parts.query<{ n: number }>(REPAIR_STRANDED, [endpointId, now, REPAIR_BATCH]);
      const moved = rows[0]?.n ?? 0;
      total += moved;
      if (moved < REPAIR_BATCH) break;
    }
    // Each one is a sign the race happened: worth a line, never more than one per repair.
    if (total > 0) {
      this.logger.info?.(
        { repaired: total, endpointId },
        'deliveries parked on an enabled endpoint made due (an enable raced a release, issue 14)',
      );
    }
    return total;
  }

  /**
   * After an enable committed: a statement that read the endpoint as disabled began before that commit, so its
   * transaction began before it too. Once every transaction of the database that began before the commit has ended
   * (or after RACERS_WAIT_MAX_MS), the endpoint is repaired. In the background: the enable is not held up.
   */
  afterEnable(endpointId: string, now: number): void {
    if (this.closed) return;
    const work = this.repairAfterRacers(endpointId, now)
      .catch((error: unknown) => {
        if (!this.closed) this.logger.warn({ err: error, endpointId }, 'repair after an enable failed');
      })
      .finally(() => this.running.delete(work));
    this.running.add(work);
  }

  private async repairAfterRacers(endpointId: string, now: number): Promise<void> {
    const { rows } = await this.parts.query<{ at: number }>('SELECT extract(epoch FROM clock_timestamp()) AS at');
    const committedBy = rows[0]?.at ?? 0;
    const giveUpAt = Date.now() + RACERS_WAIT_MAX_MS;
    while (!this.closed && Date.now() < giveUpAt) {
      const open = await this.parts.query(
        `SELECT 1 FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start < to_timestamp($1) LIMIT 1`,
        [committedBy],
      );
      if (open.rows.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, RACERS_POLL_MS));
    }
    if (!this.closed) await this.repair(now, endpointId);
  }

  /** Stops waiting; repairs under way finish (the pool is still open). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.running]);
  }
}
