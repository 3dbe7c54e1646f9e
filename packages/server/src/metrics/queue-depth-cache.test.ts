import { describe, expect, it } from 'vitest';
import type { QueueDepth } from '../store/operator-views.js';
import { QUEUE_DEPTH_MAX_AGE_MS, QueueDepthCache } from './queue-depth-cache.js';

const depth = (pending: number): QueueDepth => ({ pending, sending: 0, paused: 0, dead: 0 });

/** A count the test ends by hand, on a clock the test moves: nothing here depends on real time. */
function countsByHand() {
  let clock = 1_000_000;
  const started: Array<{ finish(pending: number): void; fail(error: Error): void }> = [];
  const cache = new QueueDepthCache(
    () =>
      new Promise<QueueDepth>((resolve, reject) => {
        started.push({ finish: (pending) => resolve(depth(pending)), fail: reject });
      }),
    () => clock,
  );
  return {
    cache,
    started,
    advance(ms: number) {
      clock += ms;
    },
    /** Ends the latest count after `tookMs` on the clock. */
    async finish(pending: number, tookMs: number) {
      clock += tookMs;
      started.at(-1)?.finish(pending);
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

/** Whether `promise` has settled once the event loop has turned (the count it may wait for is held by hand). */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  const waiting = Symbol('waiting');
  return (await Promise.race([promise, new Promise((resolve) => setImmediate(() => resolve(waiting)))])) !== waiting;
}

describe('QueueDepthCache', () => {
  it('serves the last count while a slow recount runs, within the staleness bound', async () => {
    const { cache, started, advance, finish } = countsByHand();
    const first = cache.read();
    await finish(6, 900); // the first count: its duration includes starting, and is not trusted
    expect((await first).depth.pending).toBe(6);
    const second = cache.read();
    expect(started).toHaveLength(2);
    await finish(7, 200); // a slow count: 200 ms
    expect((await second).depth.pending).toBe(7);

    // Within 100x its duration (capped at half the bound): served as is, nothing recounted.
    advance(1_000);
    expect((await cache.read()).depth.pending).toBe(7);
    expect(started).toHaveLength(2);

    // Past that, within the bound: served at once while one recount runs behind.
    advance(QUEUE_DEPTH_MAX_AGE_MS / 2);
    const during = cache.read();
    expect(await settled(during)).toBe(true);
    expect((await during).depth.pending).toBe(7);
    expect((await cache.read()).depth.pending).toBe(7);
    expect(started).toHaveLength(3);

    await finish(9, 200);
    const after = await cache.read();
    expect(after.depth.pending).toBe(9);
    expect(started).toHaveLength(3);
  });

  it('never serves a count older than the bound: past it, the scrape waits for a recount', async () => {
    const { cache, started, advance, finish } = countsByHand();
    const first = cache.read();
    await finish(2, 0);
    await first;
    const second = cache.read();
    await finish(3, 500);
    await second;
    advance(QUEUE_DEPTH_MAX_AGE_MS);
    const late = cache.read();
    expect(await settled(late)).toBe(false);
    // A second scrape meanwhile joins the same count.
    const alsoLate = cache.read();
    expect(started).toHaveLength(3);
    await finish(4, 500);
    expect((await late).depth.pending).toBe(4);
    expect((await alsoLate).depth.pending).toBe(4);
    expect((await late).countedAt).toBe((await alsoLate).countedAt);
  });

  it('waits for quick counts, so a small queue is always shown exact', async () => {
    const { cache, started, finish } = countsByHand();
    const first = cache.read();
    await finish(1, 0);
    await first;
    const second = cache.read();
    expect(started).toHaveLength(2);
    expect(await settled(second)).toBe(false);
    await finish(2, 0);
    expect((await second).depth.pending).toBe(2);
  });

  it('a failed count fails the scrape that waited for it, and the next scrape counts again', async () => {
    const { cache, started, finish } = countsByHand();
    const first = cache.read();
    started.at(-1)?.fail(new Error('database is locked'));
    await expect(first).rejects.toThrow('database is locked');
    const second = cache.read();
    expect(started).toHaveLength(2);
    await finish(5, 1);
    expect((await second).depth.pending).toBe(5);
  });
});
