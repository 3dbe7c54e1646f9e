// Group commit for SQLite. Writes that arrive while a transaction is being built or made durable queue here and
// go into the NEXT transaction together: publish and attempt-recording throughput stop paying one commit (and one
// fsync) per row, and every caller is still answered only after its own write is durable (see WalSync for how
// the fsync leaves the event loop).
import type { Database, Statement } from 'better-sqlite3';

export interface WriteQueueOptions {
  maxBatch?: number;
  /** Runs first in every transaction, under its write lock: where a cache checks what other connections changed. */
  onBegin?: () => void;
  /** Runs after any rollback (one write's savepoint or a whole batch): caches filled by undone writes are dropped. */
  onRollback?: () => void;
  /**
   * Where durability is made off the event loop (WalSync): called after each COMMIT, it calls `done` once the
   * commit is on disk. Callers are answered only then. Absent: the COMMIT itself was durable.
   */
  afterCommit?: (done: (error: Error | null) => void) => void;
}

export interface WriteOptions {
  /**
   * false: answered as soon as the transaction commits (visible to every connection), before the fsync. For writes
   * whose loss on power failure is harmless because a durable write that depends on them comes later in the same
   * WAL (an idempotency key claimed before its publish: the publish being on disk implies the claim is).
   */
  durable?: boolean;
}

interface Pending {
  run: () => unknown;
  durable: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class WriteQueue {
  private queue: Pending[] = [];
  private scheduled = false;
  private readonly maxBatch: number;
  private readonly statements: Record<
    'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollbackToSavepoint',
    Statement
  >;
  private readonly onBegin: () => void;
  private readonly onRollback: () => void;
  private readonly afterCommit: ((done: (error: Error | null) => void) => void) | null;

  constructor(
    private readonly db: Database,
    options: WriteQueueOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 2000;
    this.onBegin = options.onBegin ?? (() => {});
    this.onRollback = options.onRollback ?? (() => {});
    this.afterCommit = options.afterCommit ?? null;
    this.statements = {
      begin: db.prepare('BEGIN IMMEDIATE'),
      commit: db.prepare('COMMIT'),
      rollback: db.prepare('ROLLBACK'),
      savepoint: db.prepare('SAVEPOINT write'),
      release: db.prepare('RELEASE write'),
      rollbackToSavepoint: db.prepare('ROLLBACK TO write'),
    };
  }

  /** Runs `write` inside the next group transaction; resolves with its result once committed. */
  run<T>(write: () => T, options: WriteOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({
        run: write,
        durable: options.durable ?? true,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
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
    const { begin, commit, rollback, savepoint, release, rollbackToSavepoint } = this.statements;
    try {
      begin.run();
      this.onBegin();
    } catch (error) {
      if (this.db.inTransaction) rollback.run();
      this.onRollback();
      for (const item of batch) item.reject(error);
      return;
    }
    for (const item of batch) {
      // Each write runs in its own savepoint, so one failing write (a duplicate eventId, say) is rolled back
      // alone and the rest of the batch still commits. Prepared statements, not a transaction wrapper per write:
      // this loop runs for every publish and every attempt.
      savepoint.run();
      try {
        outcomes.push({ ok: true, value: item.run() });
        release.run();
      } catch (error) {
        rollbackToSavepoint.run();
        release.run();
        this.onRollback();
        outcomes.push({ ok: false, error });
      }
    }
    try {
      commit.run();
    } catch (error) {
      if (this.db.inTransaction) rollback.run();
      this.onRollback();
      for (const item of batch) item.reject(error);
      return;
    }
    if (this.afterCommit === null) {
      settle(batch, outcomes, null);
      return;
    }
    if (batch.some((item) => !item.durable)) {
      settle(batch, outcomes, null, (item) => !item.durable);
      if (batch.every((item) => !item.durable)) return;
    }
    this.afterCommit((error) => settle(batch, outcomes, error, (item) => item.durable));
  }
}

function settle(
  batch: readonly Pending[],
  outcomes: ReadonlyArray<{ ok: true; value: unknown } | { ok: false; error: unknown }>,
  durabilityError: Error | null,
  only: (item: Pending) => boolean = () => true,
): void {
  batch.forEach((item, i) => {
    if (!only(item)) return;
    const outcome = outcomes[i];
    if (durabilityError !== null) item.reject(durabilityError);
    else if (outcome === undefined) item.reject(new Error('write outcome missing'));
    else if (outcome.ok) item.resolve(outcome.value);
    else item.reject(outcome.error);
  });
}
