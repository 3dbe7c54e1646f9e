// Group commit for attempt results: while one batch is being written, results from other sends wait and go
// together in the next one. Many sends finishing at once thus cost one statement, not one each.

export type WriteBatch<T> = (items: readonly T[]) => Promise<void>;

/** Errors worth one more try: a deadlock or serialization conflict, a connection lost mid-statement. */
function isTransient(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  if (code === '40P01' || code === '40001' || code === '57P01' || code === '08006' || code === '08003') return true;
  return error instanceof Error && /Connection terminated|ECONNRESET|ECONNREFUSED|timeout/i.test(error.message);
}

interface Waiting<T> {
  items: readonly T[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class RecordBatcher<T> {
  private waiting: Array<Waiting<T>> = [];
  private writing: Promise<void> | null = null;

  constructor(
    private readonly write: WriteBatch<T>,
    /** Tries per batch: a result that cannot be written is not lost, its lease runs out and it is sent again. */
    private readonly maxTries = 4,
    private readonly maxBatch = 1000,
  ) {}

  add(items: readonly T[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ items, resolve, reject });
      if (this.writing === null) this.writing = this.flush();
    });
  }

  /** Resolves when everything added so far is written (or failed). */
  async drain(): Promise<void> {
    while (this.writing !== null) await this.writing;
  }

  /** Null when written; else the last error (a transient one is tried again, up to maxTries). */
  private async writeWithRetries(items: readonly T[]): Promise<unknown> {
    let failure: unknown = null;
    for (let attempt = 1; attempt <= this.maxTries; attempt++) {
      try {
        await this.write(items);
        return null;
      } catch (error) {
        failure = error;
        if (!isTransient(error) || attempt === this.maxTries) break;
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
      }
    }
    return failure;
  }

  private async flush(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch: Array<Waiting<T>> = [];
      let size = 0;
      while (this.waiting.length > 0 && size < this.maxBatch) {
        const next = this.waiting.shift() as Waiting<T>;
        batch.push(next);
        size += next.items.length;
      }
      const items = batch.flatMap((entry) => entry.items);
      const failure = await this.writeWithRetries(items);
      if (failure !== null && !isTransient(failure) && batch.length > 1) {
        // One result the database refuses must not fail the others written with it: each alone, then.
        for (const entry of batch) {
          const own = await this.writeWithRetries(entry.items);
          if (own === null) entry.resolve();
          else entry.reject(own);
        }
        continue;
      }
      for (const entry of batch) {
        if (failure === null) entry.resolve();
        else entry.reject(failure);
      }
    }
    this.writing = null;
  }
}
