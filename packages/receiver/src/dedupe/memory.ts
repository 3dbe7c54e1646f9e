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

interface Entry {
  state: 'in-progress' | 'done';
  expiresAt: number;
}

export class MemoryDedupeStore implements DedupeStore {
  readonly #entries: BoundedMap<string, Entry>;
  readonly #now: () => number;

  constructor(options: MemoryDedupeOptions = {}) {
    this.#entries = new BoundedMap(options.maxEntries ?? 100_000);
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  claim(id: string, leaseSeconds: number): Promise<ClaimResult> {
    const now = this.#now();
    const entry = this.#entries.get(id);
    if (entry !== undefined && entry.expiresAt > now) return Promise.resolve(entry.state);
    this.#entries.set(id, { state: 'in-progress', expiresAt: now + leaseSeconds * 1000 });
    return Promise.resolve('claimed');
  }

  complete(id: string, ttlSeconds: number): Promise<void> {
    this.#entries.set(id, { state: 'done', expiresAt: this.#now() + ttlSeconds * 1000 });
    return Promise.resolve();
  }

  release(id: string): Promise<void> {
    if (this.#entries.get(id)?.state === 'in-progress') this.#entries.delete(id);
    return Promise.resolve();
  }
}
