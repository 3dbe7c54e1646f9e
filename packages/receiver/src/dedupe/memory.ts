// In-process dedupe, bounded in entries so a flood of distinct ids costs bounded memory (the ids written longest
// ago are forgotten first). One process only; use Redis, SQLite or PostgreSQL for more.
import { BoundedMap } from '../bounded-map.js';
import type { ClaimResult, DedupeStore } from './dedupe-store.js';

export interface MemoryDedupeOptions {
  /** Most ids remembered; those written longest ago are forgotten first. Default 100,000. */
  maxEntries?: number;
  /** ms since the epoch; inject in tests. */
  now?: () => number;
}

// Each id maps to one number, not an object: its expiry in ms, positive once done, negative while in progress.
// Counted from the store's own epoch (its first clock reading, less a day), the number stays a small integer V8
// keeps unboxed, so a full store of 100,000 ids holds no object per id for the garbage collector to copy and mark.
const EPOCH_MARGIN_MS = 24 * 60 * 60 * 1000;

export class MemoryDedupeStore implements DedupeStore {
  readonly #entries: BoundedMap<string, number>;
  readonly #now: () => number;
  #epoch: number | undefined;

  constructor(options: MemoryDedupeOptions = {}) {
    this.#entries = new BoundedMap(options.maxEntries ?? 100_000);
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** ms since the store's epoch: above zero for any clock that does not run back more than a day. */
  #elapsed(): number {
    const now = this.#now();
    this.#epoch ??= now - EPOCH_MARGIN_MS;
    return now - this.#epoch;
  }

  claim(id: string, leaseSeconds: number): Promise<ClaimResult> {
    return Promise.resolve(this.claimNow(id, leaseSeconds));
  }

  claimNow(id: string, leaseSeconds: number): ClaimResult {
    const now = this.#elapsed();
    const entry = this.#entries.get(id);
    if (entry !== undefined && Math.abs(entry) > now) return entry > 0 ? 'done' : 'in-progress';
    const inProgress = -(now + leaseSeconds * 1000);
    if (entry === undefined) this.#entries.setAbsent(id, inProgress);
    else this.#entries.set(id, inProgress);
    return 'claimed';
  }

  complete(id: string, ttlSeconds: number): Promise<void> {
    this.completeNow(id, ttlSeconds);
    return Promise.resolve();
  }

  completeNow(id: string, ttlSeconds: number): void {
    // The usual case is a claim made moments ago, still in the current generation: replaced where it is.
    this.#entries.setRecent(id, this.#elapsed() + ttlSeconds * 1000);
  }

  release(id: string): Promise<void> {
    const entry = this.#entries.get(id);
    if (entry !== undefined && entry < 0) this.#entries.delete(id);
    return Promise.resolve();
  }
}
