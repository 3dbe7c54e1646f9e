// Runs what the durable inbox holds: take due events under a lease, run them, record done / retry / dead. After a
// crash, a new process's worker finds the pending events (and any whose lease ran out) and runs them.
import { errorText } from '../event-log.js';
import { type InboxRecord, type InboxStore, nextAttemptAt } from './inbox-store.js';

/** How one run ended; a failure is thrown instead. */
export type InboxRunOutcome = { status: 'handled' | 'unhandled' } | { status: 'rejected'; reason: string };

export interface InboxWorkerOptions {
  store: InboxStore;
  leaseSeconds: number;
  batchSize: number;
  pollIntervalMs: number;
  retryDelaysSeconds: readonly number[];
  /** Finished events are deleted this long after they were received (their ids stop deduping then). */
  retentionMs: number;
  now: () => number;
  /** Runs one event: resolves how it ended, throws when it failed (and should be retried). */
  run(record: InboxRecord): Promise<InboxRunOutcome>;
  /** Told of every outcome, for the event log and `onError`. */
  onOutcome(
    record: InboxRecord,
    outcome: 'handled' | 'rejected' | 'unhandled' | 'retrying' | 'dead',
    error?: unknown,
  ): void;
  /** The store itself failed (database down); the worker waits a poll interval and tries again. */
  onStoreError(error: unknown): void;
}

const PRUNE_INTERVAL_MS = 10 * 60 * 1000;

export class InboxWorker {
  readonly #options: InboxWorkerOptions;
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** A nudge that came while a batch ran: the next sleep is skipped, so the new event is not left to the poll. */
  #nudged = false;
  #lastPruneAt = Number.NEGATIVE_INFINITY;

  constructor(options: InboxWorkerOptions) {
    this.#options = options;
  }

  get running(): boolean {
    return this.#running;
  }

  /** Takes one batch of due events and runs them side by side. Resolves how many there were. */
  async runBatch(): Promise<number> {
    const o = this.#options;
    const records = await o.store.claimDue(o.batchSize, o.leaseSeconds);
    await Promise.all(records.map((record) => this.#runOne(record)));
    return records.length;
  }

  /** Runs batches until none is due, at most `maxBatches` of them. Resolves the number of events run. */
  async drain(maxBatches = 1000): Promise<number> {
    let total = 0;
    for (let i = 0; i < maxBatches; i++) {
      const count = await this.runBatch();
      total += count;
      if (count === 0) break;
    }
    return total;
  }

  async #runOne(record: InboxRecord): Promise<void> {
    const o = this.#options;
    let outcome: InboxRunOutcome;
    try {
      outcome = await o.run(record);
    } catch (error) {
      const next = nextAttemptAt(record.attempts, o.now(), o.retryDelaysSeconds);
      try {
        if (next === undefined) await o.store.markFinal(record.id, 'dead', errorText(error));
        else await o.store.markRetry(record.id, errorText(error), next);
      } catch (storeError) {
        // Left leased: it becomes due again when the lease runs out, so nothing is lost.
        o.onStoreError(storeError);
      }
      o.onOutcome(record, next === undefined ? 'dead' : 'retrying', error);
      return;
    }
    try {
      if (outcome.status === 'rejected') await o.store.markFinal(record.id, 'rejected', outcome.reason);
      else await o.store.markDone(record.id);
    } catch (storeError) {
      o.onStoreError(storeError);
    }
    o.onOutcome(record, outcome.status, outcome.status === 'rejected' ? outcome.reason : undefined);
  }

  /** Starts the background loop: run due events, then wait for a nudge or the poll interval. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  async #run(): Promise<void> {
    while (this.#running) {
      let count = 0;
      try {
        count = await this.runBatch();
        await this.#pruneNowAndThen();
      } catch (error) {
        this.#options.onStoreError(error);
      }
      // A full batch means more may be due: go again at once. Otherwise sleep until nudged or polled.
      if (count < this.#options.batchSize && this.#running) await this.#sleep();
    }
  }

  // Pruning is housekeeping: once every ten minutes is plenty, and keeps the statement off the hot path.
  async #pruneNowAndThen(): Promise<void> {
    const now = this.#options.now();
    if (now - this.#lastPruneAt < PRUNE_INTERVAL_MS) return;
    this.#lastPruneAt = now;
    await this.#options.store.prune(now - this.#options.retentionMs);
  }

  #sleep(): Promise<void> {
    if (this.#nudged) {
      this.#nudged = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.#wake = () => {
        clearTimeout(this.#timer);
        this.#wake = undefined;
        resolve();
      };
      this.#timer = setTimeout(() => this.#wake?.(), this.#options.pollIntervalMs);
    });
  }

  /** Something new is in the inbox: look now instead of at the next poll. */
  nudge(): void {
    if (this.#wake === undefined) this.#nudged = true;
    else this.#wake();
  }

  /** Stops the loop and waits for the events in hand to finish. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#loop;
    this.#loop = undefined;
  }
}
