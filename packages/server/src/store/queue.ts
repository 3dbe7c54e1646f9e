// The queue part of the Store: the delivery row is the queue item. Claim leases due deliveries, record ends a
// lease with an attempt, release and extend move leases, resend and recover make deliveries due again.
import type { AttemptOutcome, AttemptTrigger, ClaimedDelivery } from './types.js';

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
  /** The attempt's id when the caller names it (to announce it); absent: the store makes one. */
  attemptId?: string;
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
  /**
   * Set for a delivery of an ordered endpoint (its orderingKey is not null): its end moves its line on, in the same
   * transaction as the result.
   */
  ordered?: boolean;
}

/** An endpoint a record batch disabled (it was enabled until then), to be announced once. */
export interface DisabledEndpoint {
  endpointId: string;
  appId: string;
  reason: string;
  at: number;
  /** The delivery whose result disabled it. */
  deliveryId: string;
}

/** What a record batch changed: the engine announces these and nothing else. */
export interface RecordedAttempts {
  /** Results dropped because their lease was lost (expired and claimed again, given back, the delivery deleted). */
  staleDeliveryIds: string[];
  /** Endpoints disabled now by these results; one already disabled (by the API, another process) is not listed. */
  disabledEndpoints: DisabledEndpoint[];
}

export interface QueueStore {
  claimDueDeliveries(options: ClaimOptions): Promise<ClaimedDelivery[]>;
  /**
   * Writes each result with its delivery's next state, in one transaction per batch; a result whose lease was lost
   * is dropped. Answers what actually changed.
   */
  recordAttempts(results: readonly AttemptResult[]): Promise<RecordedAttempts>;
  /** Gives back leases without an attempt (shutdown): the deliveries are due again at once. */
  releaseLeases(deliveryIds: readonly string[], now: number): Promise<void>;
  /**
   * Moves leases still held at `leaseUntil` to `extendedUntil` (a claim that returned late) and returns the ids of
   * those moved; a lease already taken back or claimed again is not, and its delivery is not this caller's to send.
   */
  extendLeases(deliveryIds: readonly string[], leaseUntil: number, extendedUntil: number): Promise<string[]>;
  /** When the next delivery is due (pending, enabled endpoint), to sleep exactly that long; null if none. */
  nextDueAt(): Promise<number | null>;
  /** Queues a manual attempt of one message to one endpoint (any state but sending). False if no such delivery. */
  resend(appId: string, messageId: string, endpointId: string, now: number): Promise<boolean>;
  /** Queues manual attempts of every dead delivery of the endpoint created in [since, until). Returns how many. */
  recoverEndpoint(appId: string, endpointId: string, since: number, until: number, now: number): Promise<number>;
}
