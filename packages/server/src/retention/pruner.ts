// The pruner (issue 14 section 2): every intervalMs, one pass that deletes the history past historyDays, removes the
// payloads past payloadDays, and deletes the old log rows, in batches of batchSize messages with a pause between
// batches, so a long prune never holds the write path for more than one short batch. What is kept, and why, is the
// store's rule (store/retention.ts); the clock is injected, so a test runs a month of passes without waiting.
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { RetentionConfig } from '../config.js';
import type { PruneBatch, PruneResult, Store } from '../store/store.js';
import { retentionCutoffs } from './retention-cutoffs.js';

/**
 * Each walk continues where the last pass stopped, so a pass reads only what aged since; once in this long it starts
 * from the oldest message again, to take what was kept then (still pending, a held key) and has finished since.
 */
export const FULL_WALK_EVERY_MS = 6 * 3_600_000;

export interface PrunerOptions {
  store: Pick<Store, 'prunePayloads' | 'pruneHistory' | 'pruneLogs'>;
  now(): number;
  logger: Pick<Logger, 'info' | 'error'>;
  retention: RetentionConfig;
}

export interface PassSummary {
  /** Messages whose payload was removed. */
  payloads: number;
  /** Messages deleted with their deliveries and attempts. */
  messages: number;
  /** Rows of operational events and inbound requests deleted. */
  logRows: number;
  /** Store calls made (each one short transaction). */
  batches: number;
}

/** A walk over messages by id that resumes where it stopped, and starts over from the oldest now and then. */
class Walk {
  private cursor: string | null = null;
  private startedFromOldestAt = Number.NEGATIVE_INFINITY;

  /** Where this pass starts: the cursor, or the oldest message when a full walk is due. */
  start(now: number): string | null {
    if (now - this.startedFromOldestAt >= FULL_WALK_EVERY_MS) {
      this.startedFromOldestAt = now;
      this.cursor = null;
    }
    return this.cursor;
  }

  reached(lastId: string | null): void {
    if (lastId !== null) this.cursor = lastId;
  }
}

export class Pruner {
  private readonly payloadWalk = new Walk();
  private readonly historyWalk = new Walk();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<PassSummary> | null = null;
  /** Between start() and stop(): passes are scheduled; stop() ends the scheduled pass in progress after its batch. */
  private active = false;

  constructor(private readonly options: PrunerOptions) {}

  /** Runs a pass soon after start, then every intervalMs; nothing when both limits are 0. */
  start(): void {
    const { payloadDays, historyDays } = this.options.retention;
    if (payloadDays === 0 && historyDays === 0) return;
    this.active = true;
    this.schedule(0);
  }

  /** Stops the schedule, and its pass in progress after the batch in progress; resolves once that is done. */
  async stop(): Promise<void> {
    this.active = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /**
   * One pass at `now` (default: the clock's when it starts). Passes never overlap: one asked for while another runs
   * starts after it.
   */
  runPass(now?: number): Promise<PassSummary> {
    return this.queuePass(now, () => false);
  }

  private queuePass(now: number | undefined, stopped: () => boolean): Promise<PassSummary> {
    const previous = this.running ?? Promise.resolve();
    const pass: Promise<PassSummary> = previous
      .catch(() => undefined)
      .then(() => this.pass(now ?? this.options.now(), stopped))
      .finally(() => {
        if (this.running === pass) this.running = null;
      });
    this.running = pass;
    return pass;
  }

  private schedule(ms: number): void {
    if (!this.active) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.queuePass(undefined, () => !this.active)
        .then((summary) => {
          if (summary.payloads + summary.messages + summary.logRows > 0) {
            this.options.logger.info({ retention: summary }, 'retention pass pruned old history');
          }
        })
        .catch((error: unknown) => this.options.logger.error({ err: error }, 'retention pass failed'))
        .finally(() => this.schedule(this.options.retention.intervalMs));
    }, ms);
    this.timer.unref();
  }

  private async pass(now: number, stopped: () => boolean): Promise<PassSummary> {
    const { retention, store } = this.options;
    const cutoffs = retentionCutoffs(now, retention);
    const summary: PassSummary = { payloads: 0, messages: 0, logRows: 0, batches: 0 };
    // History first: payloads of messages about to be deleted are not worth a write.
    if (cutoffs.historyBefore !== null) {
      summary.messages = await this.walk(this.historyWalk, now, cutoffs.historyBefore, summary, stopped, (batch) =>
        store.pruneHistory(batch),
      );
    }
    if (cutoffs.payloadsBefore !== null) {
      summary.payloads = await this.walk(this.payloadWalk, now, cutoffs.payloadsBefore, summary, stopped, (batch) =>
        store.prunePayloads(batch, now),
      );
    }
    if (cutoffs.historyBefore !== null) {
      for (;;) {
        if (await this.paused(summary, stopped)) break;
        const deleted = await store.pruneLogs(cutoffs.historyBefore, retention.batchSize);
        summary.batches++;
        summary.logRows += deleted;
        if (deleted === 0) break;
      }
    }
    return summary;
  }

  /** Batches until the walk reaches `before` (or the pruner stops); returns how many messages were pruned. */
  private async walk(
    walk: Walk,
    now: number,
    before: number,
    summary: PassSummary,
    stopped: () => boolean,
    prune: (batch: PruneBatch) => Promise<PruneResult>,
  ): Promise<number> {
    const limit = this.options.retention.batchSize;
    let afterId = walk.start(now);
    let pruned = 0;
    for (;;) {
      if (await this.paused(summary, stopped)) return pruned;
      const result = await prune({ before, afterId, limit });
      summary.batches++;
      pruned += result.pruned;
      walk.reached(result.lastId);
      if (result.examined < limit) return pruned;
      afterId = result.lastId;
    }
  }

  /** The pause before every batch but a pass's first, so the write path gets the database in between; true: stop. */
  private async paused(summary: PassSummary, stopped: () => boolean): Promise<boolean> {
    if (summary.batches > 0) {
      const pauseMs = this.options.retention.batchPauseMs;
      if (pauseMs > 0) await delay(pauseMs);
      else await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return stopped();
  }
}
