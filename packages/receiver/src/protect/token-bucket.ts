// The token bucket, pure: a bucket holds up to `capacity` tokens and refills at `refillPerSecond`; a request takes
// one. The clock is an argument, so tests move time instead of sleeping.

export interface RateLimit {
  /** Burst size: requests allowed at once from a full bucket. */
  capacity: number;
  /** Sustained rate, tokens per second. */
  refillPerSecond: number;
}

export interface Bucket {
  tokens: number;
  updatedAt: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** Whole seconds until a token is available; 0 when allowed. */
  retryAfterSeconds: number;
}

export function takeToken(
  bucket: Bucket | undefined,
  nowMs: number,
  limit: RateLimit,
): { bucket: Bucket; decision: RateLimitDecision } {
  const elapsedSeconds = bucket === undefined ? 0 : Math.max(0, nowMs - bucket.updatedAt) / 1000;
  const tokens =
    bucket === undefined
      ? limit.capacity
      : Math.min(limit.capacity, bucket.tokens + elapsedSeconds * limit.refillPerSecond);
  if (tokens >= 1) {
    return { bucket: { tokens: tokens - 1, updatedAt: nowMs }, decision: { allowed: true, retryAfterSeconds: 0 } };
  }
  const retryAfterSeconds =
    limit.refillPerSecond > 0 ? Math.max(1, Math.ceil((1 - tokens) / limit.refillPerSecond)) : 60;
  return { bucket: { tokens, updatedAt: nowMs }, decision: { allowed: false, retryAfterSeconds } };
}
