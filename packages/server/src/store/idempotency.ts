// Idempotency records: the first 2xx answer to a POST with an Idempotency-Key, kept for a while and replayed for
// the same key, caller and path. Store-backed, so processes sharing a database (PostgreSQL) share the records.

export interface IdempotencyScope {
  /** Who asked: the API key's id (the admin token has its own fixed id). */
  callerId: string;
  /** The Idempotency-Key header. */
  key: string;
  /** The request path (no query string). */
  path: string;
}

export interface IdempotencyBegin extends IdempotencyScope {
  /** SHA-256 of what was asked (method, query, body): the same key with another request is refused. */
  requestSha256: string;
  now: number;
  /** A record still in progress past this time was left by a caller that died: the next caller takes it over. */
  lockedUntil: number;
  /** When the record (in progress or completed) stops counting and may be purged. */
  expiresAt: number;
}

export type IdempotencyState =
  /** No live record existed: this caller now holds it, and must complete or release it. */
  | { state: 'acquired' }
  /** Another caller holds it and has not answered yet. */
  | { state: 'in_progress'; requestSha256: string }
  /** Answered before: replay this. */
  | { state: 'completed'; requestSha256: string; statusCode: number; body: string };

/** A record that counts: completed and not expired, or in progress with its lock not run out. */
export type LiveIdempotencyRecord = Exclude<IdempotencyState, { state: 'acquired' }>;

/** What a write that answers a request stores with itself: the record it takes when none is live for the scope. */
export interface IdempotencyRecordInput extends IdempotencyScope {
  /** SHA-256 of what was asked (method, query, body): a later request with the key and another fingerprint is refused. */
  requestSha256: string;
  now: number;
  /** When the record stops counting and may be purged. */
  expiresAt: number;
}

/**
 * An answer written in the same transaction as the write it answers (a publish, a batch publish), so the two commit
 * together: no record without its write, no write without its record, and no record in progress to write first and
 * complete after. `answer` runs inside the transaction with what the write made; when a live record for the scope
 * exists by then (a request with the same key committed first), the whole write is undone and rejects with
 * IdempotencyKeyTakenError carrying that record.
 */
export interface AnswerWithWrite<Made> {
  record: IdempotencyRecordInput;
  answer(made: Made): { statusCode: number; body: string };
}

/**
 * The values of a record stored with its write, in the order both stores' upserts bind them: caller, key, path,
 * fingerprint, status, body, the time (locked_until and created_at: a completed record holds no lock), expiry.
 */
export function answeredRecordValues(
  record: IdempotencyRecordInput,
  answer: { statusCode: number; body: string },
): unknown[] {
  return [
    record.callerId,
    record.key,
    record.path,
    record.requestSha256,
    answer.statusCode,
    answer.body,
    record.now,
    record.expiresAt,
  ];
}

export interface IdempotencyStore {
  /**
   * The live record for the scope, or null when there is none (absent, expired, or in progress with its lock run
   * out): the look a route whose write stores its own answer (AnswerWithWrite) makes before it runs.
   */
  lookupIdempotent(scope: IdempotencyScope, now: number): Promise<LiveIdempotencyRecord | null>;
  /**
   * Atomically: if no live record exists for the scope (none, or expired, or in progress with its lock run out),
   * records one in progress for this caller and answers acquired; otherwise answers what is there.
   */
  beginIdempotent(input: IdempotencyBegin): Promise<IdempotencyState>;
  /** Stores the answer of the record this caller acquired; from now on it is replayed. */
  completeIdempotent(scope: IdempotencyScope, answer: { statusCode: number; body: string }): Promise<void>;
  /** Drops a record in progress (the request failed: a retry must run again). A completed record is kept. */
  releaseIdempotent(scope: IdempotencyScope): Promise<void>;
  /** Deletes records whose expiresAt is at or before `now`; returns how many. */
  purgeExpiredIdempotency(now: number): Promise<number>;
}
