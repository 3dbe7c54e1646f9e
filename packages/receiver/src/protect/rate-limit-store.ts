// Where buckets live. Memory for one process; Redis (redis-rate-limit.ts) when several processes share a limit.
import { type Bucket, type RateLimit, type RateLimitDecision, takeToken } from './token-bucket.js';

export interface RateLimitStore {
  take(key: string, limit: RateLimit): Promise<RateLimitDecision>;
}

export interface MemoryRateLimitOptions {
  /** Most sources tracked; the least recently seen is dropped first (it comes back with a full bucket). Default 10,000. */
  maxKeys?: number;
  now?: () => number;
}

export class MemoryRateLimitStore implements RateLimitStore {
  readonly #buckets = new Map<string, Bucket>();
  readonly #maxKeys: number;
  readonly #now: () => number;

  constructor(options: MemoryRateLimitOptions = {}) {
    this.#maxKeys = Math.max(1, options.maxKeys ?? 10_000);
    this.#now = options.now ?? Date.now;
  }

  take(key: string, limit: RateLimit): Promise<RateLimitDecision> {
    const { bucket, decision } = takeToken(this.#buckets.get(key), this.#now(), limit);
    this.#buckets.delete(key);
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > this.#maxKeys) {
      const oldest = this.#buckets.keys().next();
      if (oldest.done !== true) this.#buckets.delete(oldest.value);
    }
    return Promise.resolve(decision);
  }
}
