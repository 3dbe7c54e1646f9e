// Group commit for attempt results: while one batch is being written, results from other sends wait and go
// together in the next one. Many sends finishing at once thus cost one statement, not one each.

export type WriteBatch<T, R> = (items: readonly T[]) => Promise<R>;
/** The part of a batch's answer that concerns one caller's items. */
export type ShareOf<T, R> = (answer: R, items: readonly T[]) => R;

/** Errors worth one more try: a deadlock or serialization conflict, a connection lost mid-statement. */
function isTransient(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  if (code === '40P01' || code === '40001' || code === '57P01' || code === '08006' || code === '08003') return true;
  return error instanceof Error && /Connection terminated|ECONNRESET|ECONNREFUSED|timeout/i.test(error.message);
}

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
    /** Tries per batch: a result that cannot be written is not lost, its lease runs out and it is sent again. */
    private readonly maxTries = 4,
    private readonly maxBatch = 1000,
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

  /** The answer when written; else the last error (a transient one is tried again, up to maxTries). */
  private async writeWithRetries(items: readonly T[]): Promise<{ answer: R } | { failure: unknown }> {
    let failure: unknown = null;
    for (let attempt = 1; attempt <= this.maxTries; attempt++) {
      try {
        return { answer: await this.write(items) };
      } catch (error) {
        failure = error;
        if (!isTransient(error) || attempt === this.maxTries) break;
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
      }
    }
    return { failure };
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
