// Group commit for attempt results: while one batch is being written, results from other sends wait and go
// together in the next one. Many sends finishing at once thus cost one statement, not one each.
import { isStoreUnavailable } from '../errors.js';

export type WriteBatch<T, R> = (items: readonly T[]) => Promise<R>;
/** The part of a batch's answer that concerns one caller's items. */
export type ShareOf<T, R> = (answer: R, items: readonly T[]) => R;
/** Until when a batch's items are worth writing (ms since the epoch): past it, their leases are gone anyway. */
export type WorthUntil<T> = (items: readonly T[]) => number;

/**
 * Errors worth another try: a deadlock or serialization conflict, or the database not answering (a connection
 * lost mid-statement, a restart, the pool failing fast while it is away).
 */
function isTransient(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  if (code === '40P01' || code === '40001') return true;
  return isStoreUnavailable(error);
}

/** Waits between tries of a batch: doubling from 200 ms, at most a second apart. */
const backoffMs = (attempt: number): number => Math.min(1000, 100 * 2 ** attempt);

interface Waiting<T, R> {
  items: readonly T[];
  resolve: (answer: R) => void;
  reject: (error: unknown) => void;
}

export class RecordBatcher<T, R> {
  private waiting: Array<Waiting<T, R>> = [];
  private writing: Promise<void> | null = null;

  constructor(
    private readonly write: WriteBatch<T, R>,
    private readonly shareOf: ShareOf<T, R>,
    /**
     * A transient failure is tried again until this time (and at least `maxTries` times): a result recorded late is
     * still right (its lease is checked when it is written), while one given up makes its delivery be sent again
     * once its lease runs out. So a result made while the database restarts is written when it is back, if its
     * lease outlasted the outage; past the lease there is no point, another worker may have it.
     */
    private readonly worthUntil: WorthUntil<T> = () => 0,
    private readonly maxTries = 4,
    private readonly maxBatch = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  add(items: readonly T[]): Promise<R> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ items, resolve, reject });
      if (this.writing === null) this.writing = this.flush();
    });
  }

  /** Resolves when everything added so far is written (or failed). */
  async drain(): Promise<void> {
    while (this.writing !== null) await this.writing;
  }

  /** The answer when written; else the last error (a transient one is tried again, see `worthUntil`). */
  private async writeWithRetries(items: readonly T[]): Promise<{ answer: R } | { failure: unknown }> {
    const until = this.worthUntil(items);
    for (let attempt = 1; ; attempt++) {
      try {
        return { answer: await this.write(items) };
      } catch (error) {
        const wait = backoffMs(attempt);
        const again = isTransient(error) && (attempt < this.maxTries || this.now() + wait < until);
        if (!again) return { failure: error };
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  private async flush(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch: Array<Waiting<T, R>> = [];
      let size = 0;
      while (this.waiting.length > 0 && size < this.maxBatch) {
        const next = this.waiting.shift() as Waiting<T, R>;
        batch.push(next);
        size += next.items.length;
      }
      const items = batch.flatMap((entry) => entry.items);
      const written = await this.writeWithRetries(items);
      if ('failure' in written && !isTransient(written.failure) && batch.length > 1) {
        // One result the database refuses must not fail the others written with it: each alone, then.
        for (const entry of batch) {
          const own = await this.writeWithRetries(entry.items);
          if ('answer' in own) entry.resolve(own.answer);
          else entry.reject(own.failure);
        }
        continue;
      }
      for (const entry of batch) {
        if ('answer' in written) entry.resolve(this.shareOf(written.answer, entry.items));
        else entry.reject(written.failure);
      }
    }
    this.writing = null;
  }
}
