// Group commit for SQLite. better-sqlite3 is synchronous, so a commit (an fsync under synchronous=FULL) blocks the
// process; writes that arrive meanwhile queue here and go into the NEXT transaction together. One fsync then
// covers a whole batch: publish and attempt-recording throughput stop paying one fsync per row, and every caller
// is still answered only after its own write is durable.
import type { Database } from 'better-sqlite3';

interface Pending {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class WriteQueue {
  private queue: Pending[] = [];
  private scheduled = false;
  private readonly maxBatch: number;

  constructor(
    private readonly db: Database,
    options: { maxBatch?: number } = {},
  ) {
    this.maxBatch = options.maxBatch ?? 2000;
  }

  /** Runs `write` inside the next group transaction; resolves with its result once committed. */
  run<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run: write, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const batch = this.queue.splice(0, this.maxBatch);
    this.scheduled = false;
    if (this.queue.length > 0) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    if (batch.length === 0) return;
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      this.db.transaction(() => {
        for (const item of batch) {
          // Each write runs in its own savepoint (a nested better-sqlite3 transaction), so one failing write
          // (a duplicate eventId, say) is rolled back alone and the rest of the batch still commits.
          try {
            outcomes.push({ ok: true, value: this.db.transaction(item.run)() });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      })();
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const outcome = outcomes[i];
      if (outcome === undefined) item.reject(new Error('write outcome missing'));
      else if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
  }
}
