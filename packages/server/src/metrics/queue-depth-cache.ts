// The queue depth as /metrics serves it. Counting every queued delivery costs time in proportion to the queue
// (0.1-0.7 s over a million on a busy 2-core machine, issue 12), and a scraper may come every second: a count is
// reused while it is recent, so counting takes at most about 1 % of a thread however often scrapes come, and a
// scrape never waits for a slow count while the last one is within the staleness bound.
import type { QueueDepth } from '../store/operator-views.js';

/** No scrape is served a count that began longer ago than this. */
export const QUEUE_DEPTH_MAX_AGE_MS = 10_000;
/** A count is reused for up to this many times its own duration (so counting takes at most ~1/100 of a thread)... */
const REUSE_FACTOR = 100;
/** ...but never past half the bound, so the recount it then starts in the background is done before the bound. */
const REUSE_MAX_MS = QUEUE_DEPTH_MAX_AGE_MS / 2;
/** A count this quick is waited for, so a small queue is always shown exact; a slower one is refreshed behind. */
const WAIT_FOR_COUNTS_UNDER_MS = 25;

export interface QueueDepthReading {
  depth: QueueDepth;
  /** When the count began (epoch ms): the figures are at least as new as this. */
  countedAt: number;
}

interface Count extends QueueDepthReading {
  tookMs: number;
}

export class QueueDepthCache {
  private last: Count | null = null;
  private counting: Promise<Count> | null = null;

  constructor(
    private readonly count: () => Promise<QueueDepth>,
    private readonly now: () => number,
  ) {}

  /**
   * The last count when it is recent enough; otherwise a new one. A count older than its reuse time but within
   * the bound is served as is while a recount runs in the background, when counting is slow (over
   * WAIT_FOR_COUNTS_UNDER_MS); past the bound, or when counting is quick, the scrape waits for the recount.
   */
  async read(): Promise<QueueDepthReading> {
    const last = this.last;
    if (last === null) return this.recount();
    const ageMs = this.now() - last.countedAt;
    if (ageMs < Math.min(REUSE_MAX_MS, REUSE_FACTOR * last.tookMs)) return last;
    if (ageMs < QUEUE_DEPTH_MAX_AGE_MS && last.tookMs >= WAIT_FOR_COUNTS_UNDER_MS) {
      // The background recount's failure is not lost: the next read past the bound waits for a count and fails.
      this.recount().catch(() => undefined);
      return last;
    }
    return this.recount();
  }

  /** One count at a time: a read that finds one running waits for it. */
  private recount(): Promise<Count> {
    this.counting ??= (async () => {
      const countedAt = this.now();
      try {
        const first = this.last === null;
        const depth = await this.count();
        // The first count also pays for starting what counts (SQLite's read thread and its connection): its
        // duration says nothing of what counting costs, so the next scrape counts again and learns that.
        const count = { depth, countedAt, tookMs: first ? 0 : this.now() - countedAt };
        this.last = count;
        return count;
      } finally {
        this.counting = null;
      }
    })();
    return this.counting;
  }
}
