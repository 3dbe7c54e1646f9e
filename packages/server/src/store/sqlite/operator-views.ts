// What the operator sees on SQLite: the attempt tail and charts, endpoint health's last failures, the queue's
// depth and lag (metrics), and the operational events. Each is read through an index sized by what it shows, not
// by the history, so a scrape or a dashboard refresh stays cheap however long the history grows.

import type { OperatorViewsStore, QueueDepth, RecentAttemptsQuery } from '../operator-views.js';
import { type AttemptRow, type OperationalEventRow, toOperationalEvent, toRecentAttempts } from '../rows.js';
import type { AttemptWithEventType, Delivery, OperationalEvent } from '../types.js';
import { earliestPendingAt } from './earliest-pending.js';
import type { SqliteReadThread } from './read-thread.js';
import type { SqliteParts } from './sqlite-parts.js';

/**
 * Each count is answered by its status's partial index: the cost is that status's size, not the history's. Still
 * 0.1-0.7 s over a million queued deliveries, so on a file it runs on the read thread, off the event loop.
 */
const QUEUE_DEPTH = `
SELECT (SELECT COUNT(*) FROM deliveries WHERE status = 'pending') AS pending,
       (SELECT COUNT(*) FROM deliveries WHERE status = 'sending') AS sending,
       (SELECT COUNT(*) FROM deliveries WHERE status = 'paused') AS paused,
       (SELECT COUNT(*) FROM deliveries WHERE status = 'dead') AS dead`;

/**
 * Where listRecentAttempts starts, so that it reads an index made for the question. One text with nullable filters
 * let the planner walk all of an application's attempts to find an endpoint's last failures (290 ms over 500,000
 * attempts for an endpoint that never failed, on every health view). `+` keeps the planner off attempts_app.
 */
function recentAttemptsScope(query: RecentAttemptsQuery): string {
  if (query.endpointId === undefined || query.endpointId === null) return 'attempts.app_id = @appId';
  // attempts_failed_endpoint is partial: the literal outcome lets the planner prove a failed-only query may use it.
  const failed = query.outcome === 'failed' ? " AND attempts.outcome = 'failed'" : '';
  return `+attempts.app_id = @appId AND attempts.endpoint_id = @endpointId${failed}`;
}

export class SqliteOperatorViews implements OperatorViewsStore {
  /** `readThread`: null for an in-memory database, which no other connection can open (tests only). */
  constructor(
    private readonly parts: SqliteParts,
    private readonly readThread: SqliteReadThread | null,
  ) {}

  async listRecentAttempts(appId: string, query: RecentAttemptsQuery): Promise<AttemptWithEventType[]> {
    const tail = query.afterId !== undefined && query.afterId !== null;
    const rows = this.parts
      .sql(
        `SELECT attempts.*, messages.event_type FROM attempts JOIN messages ON messages.id = attempts.message_id
         WHERE ${recentAttemptsScope(query)} AND (@afterId IS NULL OR attempts.id > @afterId)
           AND (@endpointId IS NULL OR attempts.endpoint_id = @endpointId) AND (@outcome IS NULL OR attempts.outcome = @outcome)
           AND (@eventType IS NULL OR messages.event_type = @eventType) AND (@since IS NULL OR attempts.created_at >= @since)
         ORDER BY attempts.id ${tail ? 'ASC' : 'DESC'} LIMIT @limit`,
      )
      .all({
        appId,
        afterId: query.afterId ?? null,
        endpointId: query.endpointId ?? null,
        outcome: query.outcome ?? null,
        eventType: query.eventType ?? null,
        since: query.since ?? null,
        limit: query.limit,
      }) as Array<AttemptRow & { event_type: string }>;
    return toRecentAttempts(rows, tail);
  }

  async countQueuedDeliveries(): Promise<QueueDepth> {
    if (this.readThread === null) return this.parts.sql(QUEUE_DEPTH).get() as QueueDepth;
    return (await this.readThread.get(QUEUE_DEPTH)) as QueueDepth;
  }

  /** The earliest pending delivery is the longest-waiting one when it is due by now; none is late otherwise. */
  async oldestDueDeliveryAt(now: number): Promise<number | null> {
    const at = earliestPendingAt((text) => this.parts.sql(text));
    return at !== null && at <= now ? at : null;
  }

  async countDeliveries(filter: { status?: Delivery['status']; appId?: string }): Promise<number> {
    const row = this.parts
      .sql(
        'SELECT COUNT(*) AS n FROM deliveries WHERE (@status IS NULL OR status = @status) AND (@appId IS NULL OR app_id = @appId)',
      )
      .get({ status: filter.status ?? null, appId: filter.appId ?? null }) as { n: number };
    return row.n;
  }

  async listOperationalEvents(limit: number): Promise<OperationalEvent[]> {
    const rows = this.parts
      .sql('SELECT * FROM operational_events ORDER BY id DESC LIMIT ?')
      .all(limit) as OperationalEventRow[];
    return rows.map(toOperationalEvent);
  }
}
