// The dedupe seam. An event id is claimed before its handler runs (atomically: exactly one caller gets
// 'claimed'), completed when the handler succeeds (kept for the TTL, so redeliveries are acknowledged without
// running again) and released when it fails (so the sender's retry is processed).

/**
 * - `claimed`: first time (or the previous claim's lease ran out): run the handler.
 * - `in-progress`: another request holds the id right now: answer 409 so the sender comes back later, rather
 *   than acknowledging a delivery whose handler may still fail.
 * - `done`: handled before, within the TTL: acknowledge, do not handle again.
 */
export type ClaimResult = 'claimed' | 'in-progress' | 'done';

export interface DedupeStore {
  /** `leaseSeconds` bounds how long a crashed process can hold the id before someone else may claim it. */
  claim(id: string, leaseSeconds: number): Promise<ClaimResult>;
  /** Marks the id handled, remembered for `ttlSeconds`. */
  complete(id: string, ttlSeconds: number): Promise<void>;
  /** Forgets an in-progress claim so a retry runs the handler again. A completed id is left alone. */
  release(id: string): Promise<void>;
  /**
   * Optional, for a store that keeps ids in this process: `claim` answered at once. The receiver then answers
   * without a promise turn for the store (measurable per request); the answer must be the one `claim` gives.
   */
  claimNow?(id: string, leaseSeconds: number): ClaimResult;
  /** Optional, beside `claimNow`: `complete` done at once. */
  completeNow?(id: string, ttlSeconds: number): void;
}

/** Default: remember handled ids for 24 hours, longer than any common sender's retry schedule for one event. */
export const DEFAULT_DEDUPE_TTL_SECONDS = 24 * 60 * 60;
/** Default lease for an in-progress claim; longer than a handler should ever take. */
export const DEFAULT_DEDUPE_LEASE_SECONDS = 60;

/** SQL table names are interpolated, never bound, so they are checked against this at construction. */
export function assertSqlIdentifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) throw new TypeError(`not a plain SQL identifier: ${name}`);
  return name;
}
