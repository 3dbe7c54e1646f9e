// Where buckets live. Memory for one process; Redis (redis-rate-limit.ts) when several processes share a limit.
import { BoundedMap } from '../bounded-map.js';
import { type Bucket, type RateLimit, type RateLimitDecision, takeToken } from './token-bucket.js';

export interface RateLimitStore {
  take(key: string, limit: RateLimit): Promise<RateLimitDecision>;
}

export interface MemoryRateLimitOptions {
  /** Most sources tracked; those seen longest ago are dropped first (they come back with a full bucket). Default 10,000. */
  maxKeys?: number;
  now?: () => number;
}

export class MemoryRateLimitStore implements RateLimitStore {
  readonly #buckets: BoundedMap<string, Bucket>;
  readonly #now: () => number;

  constructor(options: MemoryRateLimitOptions = {}) {
    this.#buckets = new BoundedMap(options.maxKeys ?? 10_000);
    this.#now = options.now ?? Date.now;
  }

  take(key: string, limit: RateLimit): Promise<RateLimitDecision> {
    const { bucket, decision } = takeToken(this.#buckets.get(key), this.#now(), limit);
    this.#buckets.set(key, bucket);
    return Promise.resolve(decision);
  }
}
