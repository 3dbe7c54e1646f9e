// Dedupe in Redis through the caller's ioredis client (typed structurally: no runtime dependency). The claim is
// `SET key in-progress NX EX lease`; each operation is one Lua script, so check-and-act is atomic on the server.
import type { ClaimResult, DedupeStore } from './dedupe-store.js';

/** What this store (and the Redis rate limiter) needs of an ioredis client: `eval`. */
export interface RedisEvalLike {
  eval(script: string, numberOfKeys: number, ...args: Array<string | number>): Promise<unknown>;
}

export interface RedisDedupeOptions {
  /** Prefix of every key. Default `hookline:dedupe:`. */
  keyPrefix?: string;
}

const CLAIM = `
if redis.call('SET', KEYS[1], 'in-progress', 'NX', 'EX', ARGV[1]) then return 'claimed' end
return redis.call('GET', KEYS[1])`;
const COMPLETE = `redis.call('SET', KEYS[1], 'done', 'EX', ARGV[1]) return 1`;
const RELEASE = `
if redis.call('GET', KEYS[1]) == 'in-progress' then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Redis EX takes whole seconds, at least 1. */
const seconds = (value: number) => Math.max(1, Math.ceil(value));

export class RedisDedupeStore implements DedupeStore {
  readonly #redis: RedisEvalLike;
  readonly #prefix: string;

  constructor(redis: RedisEvalLike, options: RedisDedupeOptions = {}) {
    this.#redis = redis;
    this.#prefix = options.keyPrefix ?? 'hookline:dedupe:';
  }

  async claim(id: string, leaseSeconds: number): Promise<ClaimResult> {
    const result = await this.#redis.eval(CLAIM, 1, this.#prefix + id, seconds(leaseSeconds));
    if (result === 'claimed') return 'claimed';
    // A key that vanished between the SET and the GET cannot happen inside one script; 'done' or 'in-progress'.
    return result === 'done' ? 'done' : 'in-progress';
  }

  async complete(id: string, ttlSeconds: number): Promise<void> {
    await this.#redis.eval(COMPLETE, 1, this.#prefix + id, seconds(ttlSeconds));
  }

  async release(id: string): Promise<void> {
    await this.#redis.eval(RELEASE, 1, this.#prefix + id);
  }
}
