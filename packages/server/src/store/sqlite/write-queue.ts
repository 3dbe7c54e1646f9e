// Group commit for SQLite. Writes that arrive while a transaction is being built or made durable queue here and
// go into the NEXT transaction together: publish and attempt-recording throughput stop paying one commit (and one
// fsync) per row, and every caller is still answered only after its own write is durable (see WalSync for how
// the fsync leaves the event loop).
import type { Database, Statement } from 'better-sqlite3';

export interface WriteQueueOptions {
  maxBatch?: number;
  /**
   * How long a transaction waits for another connection's write lock (the application's own transaction in the
   * outbox, another process on the file) before its writes fail with SQLITE_BUSY. Waited for off the event loop, in
   * short timers: SQLite's busy_timeout would wait inside BEGIN, holding this process still, and with it the very
   * code (in this process) that would commit and free the lock. Default 5000 ms.
   */
  lockWaitMs?: number;
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
  /**
   * true: the write changes few pages, bounded by the API's own limits (a publish, a batch publish, a claim, attempt
   * records, an idempotency key). A transaction made only of such writes keeps its savepoints' journal in memory.
   * Leave it unset for a write whose size the data decides (a cascading delete, retention): its journal may spill to
   * a temporary file, as SQLite does by default, rather than take as much RAM as the pages it changes.
   */
  fewPages?: boolean;
  /**
   * true: `write` may run again after its transaction was rolled back, and then does what it would have done the
   * first time: what it changes outside the database is either done again harmlessly or undone by onRollback (the
   * read caches, the claim's skipped runs, which follow the caches' generation). A transaction made only of such
   * writes runs them without savepoints; when one throws, the transaction is rolled back and the batch runs again,
   * each write in its own savepoint. Leave it unset for anything else.
   */
  rerunnable?: boolean;
}

/** The hot writes (publish, claim, record, idempotency keys): their size bounded by the API, and rerunnable. */
export const HOT_WRITE = { fewPages: true, rerunnable: true } as const satisfies WriteOptions;
/** A hot write answered at its commit, before the fsync (see WriteOptions.durable): a claim, a record, a key's claim. */
export const HOT_WRITE_AT_COMMIT = { ...HOT_WRITE, durable: false } as const satisfies WriteOptions;

interface Pending {
  run: () => unknown;
  durable: boolean;
  fewPages: boolean;
  rerunnable: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** PRAGMA temp_store's value for MEMORY. */
const TEMP_STORE_MEMORY = 2;

/** The longest pause between two tries for the write lock: short, as a lock is held for a transaction's span. */
const LOCK_RETRY_MAX_MS = 20;

export class WriteQueue {
  private queue: Pending[] = [];
  private scheduled = false;
  private readonly maxBatch: number;
  private readonly lockWaitMs: number;
  /** When the batch at the head began waiting for another connection's write lock; null when none waits. */
  private lockWaitSince: number | null = null;
  private lockRetryMs = 1;
  private readonly statements: Record<
    'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollbackToSavepoint',
    Statement
  >;
  /** The connection's own busy_timeout, put back after each BEGIN. */
  private readonly busyTimeoutMs: number;
  /** The connection's own temp_store, for transactions that hold a write of unbounded size (see fewPages). */
  private readonly ownTempStore: number;
  /** The connection's temp_store now: set before BEGIN, and only when it must change. */
  private tempStore: number;
  /** A write of the last batch failed: the next batch runs each write in a savepoint (see runWithoutSavepoints). */
  private savepointsNext = false;
  private readonly onBegin: () => void;
  private readonly onRollback: () => void;
  private readonly afterCommit: ((done: (error: Error | null) => void) => void) | null;

  constructor(
    private readonly db: Database,
    options: WriteQueueOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 2000;
    this.lockWaitMs = options.lockWaitMs ?? 5000;
    this.busyTimeoutMs = Math.max(0, Math.trunc(db.pragma('busy_timeout', { simple: true }) as number));
    this.ownTempStore = Math.trunc(db.pragma('temp_store', { simple: true }) as number);
    this.tempStore = this.ownTempStore;
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
        fewPages: options.fewPages ?? false,
        rerunnable: options.rerunnable ?? false,
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
    if (!this.beginOrWait()) return;
    const batch = this.queue.splice(0, this.maxBatch);
    this.scheduled = false;
    if (this.queue.length > 0) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    const outcomes: Outcome[] = [];
    const { commit, rollback } = this.statements;
    try {
      this.onBegin();
    } catch (error) {
      if (this.db.inTransaction) rollback.run();
      this.onRollback();
      for (const item of batch) item.reject(error);
      return;
    }
    if (this.savepointsNext || !batch.every((item) => item.rerunnable)) {
      this.savepointsNext = this.runInSavepoints(batch, outcomes);
    } else if (!this.runWithoutSavepoints(batch, outcomes)) {
      // A write failed amid the others' changes, which cannot be told apart now: all are undone, and the batch goes
      // back to the head of the queue to run again, each write in its own savepoint this time.
      if (this.db.inTransaction) rollback.run();
      this.onRollback();
      this.queue.unshift(...batch);
      this.savepointsNext = true;
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
      return;
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

  /**
   * Each write in its own savepoint, so one failing write (a duplicate eventId, say) is rolled back alone and the
   * rest of the batch still commits. Prepared statements, not a transaction wrapper per write: this loop runs for
   * every publish and every attempt. True when a write failed: the next batch runs this way too.
   */
  private runInSavepoints(batch: readonly Pending[], outcomes: Outcome[]): boolean {
    const { savepoint, release, rollbackToSavepoint } = this.statements;
    let failed = false;
    for (const item of batch) {
      savepoint.run();
      try {
        outcomes.push({ ok: true, value: item.run() });
        release.run();
      } catch (error) {
        rollbackToSavepoint.run();
        release.run();
        this.onRollback();
        outcomes.push({ ok: false, error });
        failed = true;
      }
    }
    return failed;
  }

  /**
   * A batch of rerunnable writes, while none has failed lately: no savepoints. A savepoint costs two statements,
   * and SQLite copies every page a write changes into the savepoint's journal (the page as it was, to roll back
   * to): ~54,000 instructions per delivered event in memory (1 KiB chunks, malloc and free), or two write(2)
   * calls per page once it spilled to a file. False when a write threw: the caller undoes the whole transaction.
   */
  private runWithoutSavepoints(batch: readonly Pending[], outcomes: Outcome[]): boolean {
    for (const item of batch) {
      try {
        outcomes.push({ ok: true, value: item.run() });
      } catch {
        return false;
      }
    }
    return true;
  }

  /** Before work on the connection outside the queue (migrations): the connection's own temp_store again. */
  useOwnTempStore(): void {
    this.setTempStore(this.ownTempStore);
  }

  /**
   * SQLite keeps a copy of every page a savepoint (or a multi-row statement) changes, its statement journal, to roll
   * that write back alone. Past 64 KiB in one savepoint (a claim of many deliveries), that journal spills to a
   * temporary file, and every later savepoint of the transaction writes its pages there: two write(2) calls per page,
   * ~75 % of the process's write calls under bench/delivery while every write had a savepoint. A transaction of
   * bounded writes only keeps it in memory (temp_store = MEMORY, which SQLite reads at BEGIN); any other gets the
   * connection's own setting back. Run outside a transaction, as SQLite requires; the pragma acts when prepared,
   * hence db.pragma.
   */
  private journalInMemoryFor(batch: readonly Pending[]): void {
    this.setTempStore(batch.every((item) => item.fewPages) ? TEMP_STORE_MEMORY : this.ownTempStore);
  }

  private setTempStore(value: number): void {
    if (value === this.tempStore) return;
    this.db.pragma(`temp_store = ${value}`);
    this.tempStore = value;
  }

  /**
   * Begins the transaction when the write lock is free (true), or, while another connection holds it, tries again
   * in a moment without holding the event loop (false; the queue stays scheduled). Past lockWaitMs, or on another
   * error, the waiting writes fail with the error (false).
   */
  private beginOrWait(): boolean {
    if (this.queue.length === 0) {
      this.scheduled = false;
      return false;
    }
    let error: unknown = null;
    // No busy wait around BEGIN only: the statements inside a transaction that holds the lock keep the connection's
    // own. Set through db.pragma each time, not a prepared statement: SQLite applies busy_timeout when the pragma
    // is prepared, not when it runs.
    // Inside the try, pragmas included: on a closed connection they throw too, and that error must reach the
    // waiting writes (rejected below), not escape the timer that called flush and leave them pending for ever.
    try {
      this.journalInMemoryFor(this.queue.length <= this.maxBatch ? this.queue : this.queue.slice(0, this.maxBatch));
      this.db.pragma('busy_timeout = 0');
      try {
        this.statements.begin.run();
      } finally {
        if (this.db.open) this.db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
      }
    } catch (caught) {
      error = caught;
    }
    if (error === null) {
      this.lockWaitSince = null;
      this.lockRetryMs = 1;
      return true;
    }
    const now = Date.now();
    this.lockWaitSince ??= now;
    if ((error as { code?: unknown }).code === 'SQLITE_BUSY' && now - this.lockWaitSince < this.lockWaitMs) {
      setTimeout(() => this.flush(), this.lockRetryMs);
      this.lockRetryMs = Math.min(LOCK_RETRY_MAX_MS, this.lockRetryMs * 2);
      return false;
    }
    this.lockWaitSince = null;
    this.lockRetryMs = 1;
    if (this.db.inTransaction) this.statements.rollback.run();
    this.onRollback();
    const failed = this.queue.splice(0, this.maxBatch);
    for (const item of failed) item.reject(error);
    this.scheduled = this.queue.length > 0;
    if (this.scheduled) setImmediate(() => this.flush());
    return false;
  }
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

function settle(
  batch: readonly Pending[],
  outcomes: readonly Outcome[],
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
