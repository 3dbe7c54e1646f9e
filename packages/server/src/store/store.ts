// The one seam between Hookline and its database. SQLite (embedded default) and PostgreSQL (many processes)
// implement it; one conformance suite runs against both. Every method is async so either fits.
import type { ApiKeyStore } from './api-keys.js';
import type { EndpointGates } from './gates.js';
import type { IdempotencyStore } from './idempotency.js';
import type {
  Application,
  Attempt,
  AttemptOutcome,
  AttemptTrigger,
  AttemptWithEventType,
  ClaimedDelivery,
  Delivery,
  DeliveryStatus,
  Endpoint,
  EndpointSecret,
  EndpointStats,
  EventType,
  Message,
  OperationalEvent,
} from './types.js';

export interface NewApplication {
  uid?: string | null;
  name: string;
  rateLimit?: number | null;
  metadata?: Record<string, string>;
}

export type ApplicationPatch = Partial<NewApplication>;

export interface NewEventType {
  name: string;
  description?: string;
  schemas?: Record<string, unknown> | null;
  archived?: boolean;
  deprecated?: boolean;
  featureFlag?: string | null;
  groupName?: string | null;
}

export type EventTypePatch = Partial<Omit<NewEventType, 'name'>>;

export interface EventTypeListOptions {
  limit: number;
  /** Event types are listed by name, ascending: the iterator is the last name seen. */
  iterator?: string | null;
  /** The page before the iterator (names before it), as in ListOptions. */
  backward?: boolean;
  /** Archived types are left out unless this is true. */
  includeArchived?: boolean;
}

export interface NewEndpoint {
  uid?: string | null;
  url: string;
  description?: string;
  eventTypes?: string[] | null;
  channels?: string[] | null;
  disabled?: boolean;
  throttleRate?: number | null;
  headerPrefix?: 'webhook' | 'svix';
  retrySchedule?: number[] | null;
  nonRetryableStatuses?: string | null;
  metadata?: Record<string, string>;
  /** Custom headers sent with each delivery; a patch replaces the whole map. */
  headers?: Record<string, string>;
  secret: string;
}

export type EndpointPatch = Partial<Omit<NewEndpoint, 'secret'>>;

export interface NewMessage {
  eventType: string;
  eventId?: string | null;
  payload: string;
  channels?: string[] | null;
  /** Deliver no earlier than this (ms); null, absent or already past: at once. */
  deliverAt?: number | null;
  tags?: string[] | null;
  /**
   * To this endpoint alone (a test event from the dashboard or the API's send-example), whatever its filters; none
   * when it is disabled. Absent or null: every matching enabled endpoint.
   */
  onlyEndpointId?: string | null;
}

export interface PublishResult {
  message: Message;
  deliveries: number;
}

export interface ClaimOptions {
  now: number;
  /** The lease each claimed delivery gets: longer than the HTTP timeout, so a slow request is not sent twice. */
  leaseUntil: number;
  limit: number;
  /** Endpoints not to claim for now (at their concurrency limit, rate limited, circuit open). */
  excludeEndpointIds: readonly string[];
  /** At most this many per endpoint in this claim (the endpoint's concurrency limit). */
  perEndpointLimit: number;
  /** Lower limits for endpoints that already have sends in flight. */
  endpointCaps: Readonly<Record<string, number>>;
}

/** What happened on one HTTP try, and what the delivery becomes. Recorded in one transaction. */
export interface AttemptResult {
  deliveryId: string;
  /** The lease the delivery was claimed with: a result for a lease that was lost (expired, re-claimed) is dropped. */
  leaseUntil: number;
  outcome: AttemptOutcome;
  trigger: AttemptTrigger;
  url: string;
  statusCode: number | null;
  responseBody: string;
  durationMs: number;
  error: string | null;
  /** The headers sent, for the attempt log; absent when the attempt sent nothing (or was not recorded so). */
  requestHeaders?: Record<string, string>;
  at: number;
  /** The delivery's next state: retry at a time, or dead. Ignored on success. */
  next: { status: 'pending'; nextAttemptAt: number } | { status: 'dead' };
  /** Set when this failure should disable the endpoint (410 Gone, failing too long). */
  disableEndpoint: string | null;
  /**
   * What the endpoint's circuit breaker hears from this attempt, for a store that keeps circuits for every process
   * (PostgreSQL). Absent = neutral: it neither counts a failure nor closes the circuit.
   */
  circuit?: 'success' | 'failure' | 'neutral';
}

/** Deliveries not yet delivered, by status. */
export type QueueDepth = Record<Exclude<DeliveryStatus, 'succeeded'>, number>;

export interface Page<T> {
  data: T[];
  iterator: string | null;
  done: boolean;
}

export interface ListOptions {
  limit: number;
  /** Return items older than this id (newest first). */
  iterator?: string | null;
  /**
   * The page before the iterator instead (items newer than it), still in list order; the result's iterator is then
   * its first item, to keep paging backward, and `done` says nothing comes before it. Ignored without an iterator.
   */
  backward?: boolean;
}

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

export interface Store extends ApiKeyStore, IdempotencyStore {
  /**
   * The endpoint gates (concurrency, rate tokens, circuit) when the store keeps them for every process
   * (PostgreSQL: its claims already respect them). A store without it leaves the engine to keep them in process.
   */
  endpointGates?(): EndpointGates;
  /** Calls `onWork` when any process publishes or replays (across processes); returns how to stop listening. */
  watchForWork?(onWork: () => void): () => Promise<void>;

  migrate(): Promise<void>;
  close(): Promise<void>;

  createApplication(input: NewApplication, now: number): Promise<Application>;
  getApplication(idOrUid: string): Promise<Application | null>;
  listApplications(options: ListOptions): Promise<Page<Application>>;
  /** Changes only the fields the patch has; null when there is no such application. */
  updateApplication(id: string, patch: ApplicationPatch, now: number): Promise<Application | null>;
  deleteApplication(id: string): Promise<boolean>;

  /** Rejects with DuplicateNameError when the name exists (archived ones too). */
  createEventType(input: NewEventType, now: number): Promise<EventType>;
  getEventType(name: string): Promise<EventType | null>;
  listEventTypes(options: EventTypeListOptions): Promise<Page<EventType>>;
  updateEventType(name: string, patch: EventTypePatch, now: number): Promise<EventType | null>;
  /** Archives the event type, or with `expunge` removes it. False when there is no such event type. */
  deleteEventType(name: string, options: { expunge: boolean }, now: number): Promise<boolean>;

  createEndpoint(appId: string, input: NewEndpoint, now: number): Promise<Endpoint>;
  getEndpoint(appId: string, idOrUid: string): Promise<Endpoint | null>;
  listEndpoints(appId: string, options: ListOptions): Promise<Page<Endpoint>>;
  updateEndpoint(appId: string, id: string, patch: EndpointPatch, now: number): Promise<Endpoint | null>;
  deleteEndpoint(appId: string, id: string): Promise<boolean>;
  /** Secrets that sign now: the current one and rotated-out ones whose grace has not ended. */
  activeSecrets(endpointId: string, now: number): Promise<EndpointSecret[]>;
  /**
   * Makes `secret` current; the previous one keeps signing until `now + graceMs`. At most MAX_SECRETS (16, what the
   * signer takes) are kept: a rotation beyond that retires the oldest rotated-out secret at once. A rotation is
   * never refused: it is how a leaked secret is replaced, and refusing it would keep the leaked one current.
   */
  rotateSecret(endpointId: string, secret: string, graceMs: number, now: number): Promise<void>;
  setEndpointDisabled(endpointId: string, disabled: boolean, reason: string | null, now: number): Promise<void>;

  /**
   * Inserts the message and one delivery per matching, enabled endpoint in ONE transaction, durable on disk when
   * the promise resolves. Rejects with DuplicateEventIdError when the application already has this eventId.
   */
  publish(appId: string, input: NewMessage, now: number): Promise<PublishResult>;
  getMessage(appId: string, idOrEventId: string): Promise<Message | null>;
  /** Newest first; the iterator is a message id. */
  listMessages(appId: string, options: MessageListOptions): Promise<Page<Message>>;

  claimDueDeliveries(options: ClaimOptions): Promise<ClaimedDelivery[]>;
  recordAttempts(results: readonly AttemptResult[]): Promise<void>;
  /** Gives back leases without an attempt (shutdown): the deliveries are due again at once. */
  releaseLeases(deliveryIds: readonly string[], now: number): Promise<void>;
  /**
   * Moves leases still held at `leaseUntil` to `extendedUntil` (a claim that returned late) and returns the ids of
   * those moved; a lease already taken back or claimed again is not, and its delivery is not this caller's to send.
   */
  extendLeases(deliveryIds: readonly string[], leaseUntil: number, extendedUntil: number): Promise<string[]>;
  /** When the next delivery is due (pending, enabled endpoint), to sleep exactly that long; null if none. */
  nextDueAt(): Promise<number | null>;

  listAttemptsForMessage(appId: string, messageId: string, options: AttemptListOptions): Promise<Page<Attempt>>;
  listAttemptsForEndpoint(appId: string, endpointId: string, options: AttemptListOptions): Promise<Page<Attempt>>;
  getAttempt(appId: string, attemptId: string): Promise<Attempt | null>;
  /** The message's deliveries, one per endpoint it was sent to, newest first. */
  listDeliveriesForMessage(appId: string, messageId: string, options: ListOptions): Promise<Page<Delivery>>;
  /** The endpoint's deliveries counted by state, for those created in the range (all when it is empty). */
  endpointStats(appId: string, endpointId: string, range: TimeRange): Promise<EndpointStats>;
  listDeadDeliveries(appId: string, endpointId: string | null, options: ListOptions): Promise<Page<Delivery>>;
  /** Queues a manual attempt of one message to one endpoint (any state but sending). False if no such delivery. */
  resend(appId: string, messageId: string, endpointId: string, now: number): Promise<boolean>;
  /** Queues manual attempts of every dead delivery of the endpoint created in [since, until). Returns how many. */
  recoverEndpoint(appId: string, endpointId: string, since: number, until: number, now: number): Promise<number>;
  countDeliveries(filter: { status?: Delivery['status']; appId?: string }): Promise<number>;

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

  listOperationalEvents(limit: number): Promise<OperationalEvent[]>;

  getSetting(key: string): Promise<string | null>;
  setSettingIfAbsent(key: string, value: string): Promise<boolean>;
}
