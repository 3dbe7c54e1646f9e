// The durable inbox seam (ack-then-process). An event is stored before the 2xx; a worker then runs its handlers,
// retrying failures on a schedule until it is done or dead. The store's primary key on the event id is also the
// dedupe: a redelivery of a stored id is acknowledged and not stored twice.

export type InboxStatus = 'pending' | 'done' | 'dead' | 'rejected';

export interface NewInboxRecord {
  id: string;
  type: string;
  /** Broader routing names (GitHub's `issues` for `issues.opened`). */
  alsoRoutesAs: readonly string[];
  payload: unknown;
  headers: Readonly<Record<string, string>>;
  scheme: string;
  receivedAt: number;
}

export interface InboxRecord extends NewInboxRecord {
  /** Handler runs started so far, this one included. */
  attempts: number;
}

export interface InboxSummary {
  id: string;
  type: string;
  status: InboxStatus;
  attempts: number;
  receivedAt: number;
  nextAttemptAt: number | undefined;
  lastError: string | undefined;
}

export interface InboxStore {
  /** Stores a new event as pending, due now. Resolves false when the id is already there (a duplicate). */
  add(record: NewInboxRecord): Promise<boolean>;
  /**
   * Takes up to `limit` pending events that are due (never leased, or their lease ran out: a worker died), leases
   * them for `leaseSeconds` and counts the attempt.
   */
  claimDue(limit: number, leaseSeconds: number): Promise<InboxRecord[]>;
  markDone(id: string): Promise<void>;
  /** Back to pending, due at `nextAttemptAt`. */
  markRetry(id: string, error: string, nextAttemptAt: number): Promise<void>;
  /** Final: `dead` (out of attempts) or `rejected` (the check said no). */
  markFinal(id: string, status: 'dead' | 'rejected', error: string): Promise<void>;
  /** Newest first. */
  list(options: { status?: InboxStatus; limit: number }): Promise<InboxSummary[]>;
  /** A dead or rejected event back to pending, due now, attempts reset. Resolves false when there is none. */
  requeue(id: string): Promise<boolean>;
  /** Deletes done, dead and rejected events received before `receivedBefore` (ms). */
  prune(receivedBefore: number): Promise<void>;
}

/** Handler retries after a failure, in seconds: 6 attempts over about an hour, then dead. */
export const DEFAULT_RETRY_DELAYS_SECONDS: readonly number[] = [5, 30, 120, 600, 1800];

/** When the next attempt is due after `attempts` failed runs; undefined when the event is out of attempts. */
export function nextAttemptAt(
  attempts: number,
  nowMs: number,
  delaysSeconds: readonly number[] = DEFAULT_RETRY_DELAYS_SECONDS,
): number | undefined {
  const delay = delaysSeconds[attempts - 1];
  return delay === undefined ? undefined : nowMs + delay * 1000;
}
