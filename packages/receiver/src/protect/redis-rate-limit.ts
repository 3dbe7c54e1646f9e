// A token bucket shared by every process through Redis: the same arithmetic as token-bucket.ts, in one Lua script
// so read-refill-take is atomic. The clock is Redis's own TIME (one clock for all processes) unless `now` is given.
import type { RedisEvalLike } from '../dedupe/redis.js';
import type { RateLimitStore } from './rate-limit-store.js';
import type { RateLimit, RateLimitDecision } from './token-bucket.js';

export interface RedisRateLimitOptions {
  /** Default `hookline:ratelimit:`. */
  keyPrefix?: string;
  /** ms since the epoch; inject in tests. Default: the Redis server's clock. */
  now?: () => number;
}

// KEYS[1] bucket; ARGV: capacity, refillPerSecond, nowMs ('' = use TIME). Returns {allowed, retryAfterSeconds}.
const TAKE = `
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
if now == nil then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(state[1])
local updated = tonumber(state[2])
if tokens == nil then
  tokens = capacity
else
  local elapsed = math.max(0, now - updated) / 1000
  tokens = math.min(capacity, tokens + elapsed * rate)
end
local allowed = 0
local retry = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
elseif rate > 0 then
  retry = math.max(1, math.ceil((1 - tokens) / rate))
else
  retry = 60
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', now)
local ttl = 60
if rate > 0 then ttl = math.ceil(capacity / rate) + 1 end
redis.call('EXPIRE', KEYS[1], ttl)
return {allowed, retry}`;

export class RedisRateLimitStore implements RateLimitStore {
  readonly #redis: RedisEvalLike;
  readonly #prefix: string;
  readonly #now: (() => number) | undefined;

  constructor(redis: RedisEvalLike, options: RedisRateLimitOptions = {}) {
    this.#redis = redis;
    this.#prefix = options.keyPrefix ?? 'hookline:ratelimit:';
    this.#now = options.now;
  }

  async take(key: string, limit: RateLimit): Promise<RateLimitDecision> {
    const now = this.#now === undefined ? '' : String(this.#now());
    const result = (await this.#redis.eval(
      TAKE,
      1,
      this.#prefix + key,
      limit.capacity,
      limit.refillPerSecond,
      now,
    )) as [number, number];
    return { allowed: result[0] === 1, retryAfterSeconds: result[1] };
  }
}
