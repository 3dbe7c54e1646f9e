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
    const claimed: Entry = { state: 'in-progress', expiresAt: now + leaseSeconds * 1000 };
    if (entry === undefined) this.#entries.setAbsent(id, claimed);
    else this.#entries.set(id, claimed);
    return Promise.resolve('claimed');
  }

  complete(id: string, ttlSeconds: number): Promise<void> {
    const expiresAt = this.#now() + ttlSeconds * 1000;
    // The usual case is a claim made moments ago, still in the current generation: finish it where it is.
    const recent = this.#entries.getRecent(id);
    if (recent === undefined) this.#entries.set(id, { state: 'done', expiresAt });
    else {
      recent.state = 'done';
      recent.expiresAt = expiresAt;
    }
    return Promise.resolve();
  }

  release(id: string): Promise<void> {
    if (this.#entries.get(id)?.state === 'in-progress') this.#entries.delete(id);
    return Promise.resolve();
  }
}
