// In-process dedupe: a Map used as an LRU (insertion order, re-inserted on write), bounded in entries so a flood
// of distinct ids costs bounded memory. One process only; use Redis, SQLite or PostgreSQL for more.
import type { ClaimResult, DedupeStore } from './dedupe-store.js';

export interface MemoryDedupeOptions {
  /** Most ids remembered; the least recently written is forgotten first. Default 100,000. */
  maxEntries?: number;
  /** ms since the epoch; inject in tests. */
  now?: () => number;
}

interface Entry {
  state: 'in-progress' | 'done';
  expiresAt: number;
}

export class MemoryDedupeStore implements DedupeStore {
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(options: MemoryDedupeOptions = {}) {
    this.#maxEntries = Math.max(1, options.maxEntries ?? 100_000);
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  #write(id: string, entry: Entry): void {
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    if (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
  }

  claim(id: string, leaseSeconds: number): Promise<ClaimResult> {
    const now = this.#now();
    const entry = this.#entries.get(id);
    if (entry !== undefined && entry.expiresAt > now) return Promise.resolve(entry.state);
    this.#write(id, { state: 'in-progress', expiresAt: now + leaseSeconds * 1000 });
    return Promise.resolve('claimed');
  }

  complete(id: string, ttlSeconds: number): Promise<void> {
    this.#write(id, { state: 'done', expiresAt: this.#now() + ttlSeconds * 1000 });
    return Promise.resolve();
  }

  release(id: string): Promise<void> {
    if (this.#entries.get(id)?.state === 'in-progress') this.#entries.delete(id);
    return Promise.resolve();
  }
}
