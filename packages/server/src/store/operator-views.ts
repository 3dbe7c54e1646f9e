// The operator's part of the Store: the attempt tail and charts, the queue's depth and lag (metrics), delivery
// counts and the operational events.
import type { AttemptOutcome, AttemptWithEventType, Delivery, DeliveryStatus, OperationalEvent } from './types.js';

/** Deliveries not yet delivered, by status. */
export type QueueDepth = Record<Exclude<DeliveryStatus, 'succeeded'>, number>;

/** Recent attempts of one application, for the operator's views (tail, charts, endpoint health). */
export interface RecentAttemptsQuery {
  /** Only attempts recorded after this attempt id, oldest first (a tail's cursor). Without it: the newest ones. */
  afterId?: string | null;
  endpointId?: string | null;
  outcome?: AttemptOutcome | null;
  eventType?: string | null;
  /** Only attempts at or after this time (epoch ms). */
  since?: number | null;
  limit: number;
}

export interface OperatorViewsStore {
  /** Attempts matching the query, always oldest first; at most `limit`. */
  listRecentAttempts(appId: string, query: RecentAttemptsQuery): Promise<AttemptWithEventType[]>;
  /**
   * Deliveries not delivered, by status, across all applications: the queue depth. Delivered ones are left out on
   * purpose: they are the history, which grows without bound, and counting them scans it (1.4 s per metrics scrape
   * over a million deliveries). Each status here is read through its own partial index.
   */
  countQueuedDeliveries(): Promise<QueueDepth>;
  /**
   * When the longest-waiting due delivery became due (its next attempt time, at or before `now`): the queue's lag,
   * as job queues report it (a retry waiting for its time is not late). Null when nothing is due.
   */
  oldestDueDeliveryAt(now: number): Promise<number | null>;
  countDeliveries(filter: { status?: Delivery['status']; appId?: string }): Promise<number>;
  listOperationalEvents(limit: number): Promise<OperationalEvent[]>;
}
