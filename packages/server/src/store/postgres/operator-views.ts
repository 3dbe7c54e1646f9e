// What the operator sees on PostgreSQL: the attempt tail and charts, endpoint health's last failures, the queue's
// depth and lag (metrics), and the operational events. Each is read through an index sized by what it shows, not
// by the history, so a scrape or a dashboard refresh stays cheap however long the history grows.

import type { OperatorViewsStore, QueueDepth, RecentAttemptsQuery } from '../operator-views.js';
import { type AttemptRow, type OperationalEventRow, toOperationalEvent, toRecentAttempts } from '../rows.js';
import type { AttemptWithEventType, Delivery, OperationalEvent } from '../types.js';
import type { PostgresParts } from './postgres-parts.js';

/** Each count is answered by its status's partial index: the cost is that status's size, not the history's. */
const QUEUE_DEPTH = `
SELECT (SELECT count(*) FROM deliveries WHERE status = 'pending')::int AS pending,
       (SELECT count(*) FROM deliveries WHERE status = 'sending')::int AS sending,
       (SELECT count(*) FROM deliveries WHERE status = 'paused')::int AS paused,
       (SELECT count(*) FROM deliveries WHERE status = 'dead')::int AS dead`;

/** The head of deliveries_due: one index step, however long the queue. */
const OLDEST_DUE = `
SELECT next_attempt_at AS at FROM deliveries
WHERE status = 'pending' AND next_attempt_at <= $1
ORDER BY next_attempt_at LIMIT 1`;

/**
 * An endpoint's last failures (its health view) read attempts_failed_endpoint, a partial index: the literal
 * condition lets the planner prove the query may use it, where the nullable $4 alone would not.
 */
function failedOfEndpoint(query: RecentAttemptsQuery): string {
  return query.endpointId != null && query.outcome === 'failed'
    ? "AND attempts.endpoint_id = $3 AND attempts.outcome = 'failed'"
    : '';
}

export class PostgresOperatorViews implements OperatorViewsStore {
  constructor(private readonly parts: PostgresParts) {}

  async listRecentAttempts(appId: string, query: RecentAttemptsQuery): Promise<AttemptWithEventType[]> {
    const tail = query.afterId !== undefined && query.afterId !== null;
    const { rows } = await this.parts.query<AttemptRow & { event_type: string }>(
      `SELECT attempts.*, messages.event_type FROM attempts JOIN messages ON messages.id = attempts.message_id
        WHERE attempts.app_id = $1 AND ($2::text IS NULL OR attempts.id > $2)
          AND ($3::text IS NULL OR attempts.endpoint_id = $3) AND ($4::text IS NULL OR attempts.outcome = $4)
          ${failedOfEndpoint(query)}
          AND ($5::text IS NULL OR messages.event_type = $5) AND ($6::bigint IS NULL OR attempts.created_at >= $6)
        ORDER BY attempts.id ${tail ? 'ASC' : 'DESC'} LIMIT $7`,
      [
        appId,
        query.afterId ?? null,
        query.endpointId ?? null,
        query.outcome ?? null,
        query.eventType ?? null,
        query.since ?? null,
        query.limit,
      ],
    );
    return toRecentAttempts(rows, tail);
  }

  async countQueuedDeliveries(): Promise<QueueDepth> {
    const { rows } = await this.parts.query<QueueDepth>(QUEUE_DEPTH);
    const depth = rows[0];
    if (depth === undefined) throw new Error('the queue depth query returned no row');
    return depth;
  }

  async oldestDueDeliveryAt(now: number): Promise<number | null> {
    const { rows } = await this.parts.query<{ at: number | null }>(OLDEST_DUE, [now]);
    return rows[0]?.at ?? null;
  }

  async countDeliveries(filter: { status?: Delivery['status']; appId?: string }): Promise<number> {
    const { rows } = await this.parts.query<{ n: number }>(
      'SELECT count(*) AS n FROM deliveries WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR app_id = $2)',
      [filter.status ?? null, filter.appId ?? null],
    );
    return rows[0]?.n ?? 0;
  }

  async listOperationalEvents(limit: number): Promise<OperationalEvent[]> {
    const { rows } = await this.parts.query<OperationalEventRow>(
      'SELECT * FROM operational_events ORDER BY id DESC LIMIT $1',
      [limit],
    );
    return rows.map(toOperationalEvent);
  }
}
