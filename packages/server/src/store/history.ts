// The history part of the Store: the filtered lists of messages, attempts, a message's deliveries and dead letters,
// and an endpoint's stats.
import type { ListOptions, Page } from './paging.js';
import type { Attempt, AttemptOutcome, Delivery, EndpointStats, Message } from './types.js';

/** Filters shared by message and attempt lists; times are epoch ms, both bounds exclusive as in Svix. */
export interface TimeRange {
  /** Only rows created before this time. */
  before?: number | null;
  /** Only rows created after this time. */
  after?: number | null;
}

export interface MessageListOptions extends ListOptions, TimeRange {
  /** Only messages of one of these event types (empty or absent = all). */
  eventTypes?: readonly string[] | null;
  /** Only messages that carry this channel. */
  channel?: string | null;
  /** Only messages that carry this tag. */
  tag?: string | null;
}

/** Svix's status-code classes: 0 = no HTTP status (connection error, timeout), else 100, 200 … 500. */
export type StatusCodeClass = 0 | 100 | 200 | 300 | 400 | 500;

export interface AttemptListOptions extends MessageListOptions {
  outcome?: AttemptOutcome | null;
  statusCodeClass?: StatusCodeClass | null;
  /** Only attempts to this endpoint (listing a message's attempts). */
  endpointId?: string | null;
}

export interface HistoryStore {
  /** Newest first; the iterator is a message id. */
  listMessages(appId: string, options: MessageListOptions): Promise<Page<Message>>;
  listAttemptsForMessage(appId: string, messageId: string, options: AttemptListOptions): Promise<Page<Attempt>>;
  listAttemptsForEndpoint(appId: string, endpointId: string, options: AttemptListOptions): Promise<Page<Attempt>>;
  getAttempt(appId: string, attemptId: string): Promise<Attempt | null>;
  /** The message's deliveries, one per endpoint it was sent to, newest first. */
  listDeliveriesForMessage(appId: string, messageId: string, options: ListOptions): Promise<Page<Delivery>>;
  /** The endpoint's deliveries counted by state, for those created in the range (all when it is empty). */
  endpointStats(appId: string, endpointId: string, range: TimeRange): Promise<EndpointStats>;
  listDeadDeliveries(appId: string, endpointId: string | null, options: ListOptions): Promise<Page<Delivery>>;
}
