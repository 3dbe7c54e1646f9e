import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.js';

const T0 = 1_000_000;

function drain(bucket: TokenBucket, now: number): number {
  let taken = 0;
  while (bucket.take(now)) taken++;
  return taken;
}

/** Sends as fast as the bucket allows, moving a fake clock by `stepMs`, for `durationMs`; counts the sends. */
function sendFlatOut(bucket: TokenBucket, durationMs: number, stepMs: number): number {
  let sent = 0;
  for (let now = T0; now <= T0 + durationMs; now += stepMs) sent += drain(bucket, now);
  return sent;
}

describe('capacity', () => {
  it('starts full: a burst of `rate` sends, then none', () => {
    const bucket = new TokenBucket(5, T0);
    expect(bucket.available(T0)).toBe(5);
    expect(drain(bucket, T0)).toBe(5);
    expect(bucket.take(T0)).toBe(false);
    expect(bucket.available(T0)).toBe(0);
  });

  it('holds at least one token when the rate is below 1 per second', () => {
    const bucket = new TokenBucket(0.5, T0);
    expect(drain(bucket, T0)).toBe(1);
  });

  it('takes a configured capacity', () => {
    const bucket = new TokenBucket(2, T0, 10);
    expect(drain(bucket, T0)).toBe(10);
  });

  it('never holds more than its capacity after a long idle time', () => {
    const bucket = new TokenBucket(5, T0);
    drain(bucket, T0);
    expect(bucket.available(T0 + 3_600_000)).toBe(5);
  });

  it('reports the configured rate', () => {
    expect(new TokenBucket(7, T0).rate).toBe(7);
  });
});

describe('refill', () => {
  it('adds rate tokens per second, a whole send at a time', () => {
    const bucket = new TokenBucket(5, T0);
    drain(bucket, T0);
    expect(bucket.available(T0 + 199)).toBe(0);
    expect(bucket.available(T0 + 200)).toBe(1);
    expect(bucket.available(T0 + 999)).toBe(4);
    expect(bucket.available(T0 + 1000)).toBe(5);
  });

  it('does not count time twice when asked repeatedly', () => {
    const bucket = new TokenBucket(1, T0);
    drain(bucket, T0);
    for (let i = 0; i < 20; i++) expect(bucket.take(T0 + 900)).toBe(false);
    expect(bucket.take(T0 + 1001)).toBe(true);
    expect(bucket.take(T0 + 1001)).toBe(false);
  });

  // BUG (floating point, same root as the nextTokenAt one below): ten refills of 0.1 token add up to
  // 0.9999999999999999, so a bucket at 1/s that is asked every 100 ms refuses the send due at exactly 1 s.
  it('a bucket asked every 100 ms has its token at exactly one interval', () => {
    const bucket = new TokenBucket(1, T0);
    drain(bucket, T0);
    for (let now = T0 + 100; now < T0 + 1000; now += 100) expect(bucket.take(now)).toBe(false);
    expect(bucket.take(T0 + 1000)).toBe(true);
  });

  it('a clock that goes backwards neither adds nor removes tokens', () => {
    const bucket = new TokenBucket(1, T0);
    drain(bucket, T0);
    expect(bucket.available(T0 - 60_000)).toBe(0);
    expect(bucket.take(T0 + 1000)).toBe(true);
  });
});

describe('throttleRate over a simulated 10 s', () => {
  it.each([
    [1, 1],
    [2, 1],
    [5, 1],
    [10, 1],
    [50, 1],
    [0.5, 1],
    [3, 7],
  ])('at %d/s (clock step %d ms) sends rate*10 + capacity, never more', (rate, stepMs) => {
    const bucket = new TokenBucket(rate, T0);
    const capacity = Math.max(1, rate);
    const sent = sendFlatOut(bucket, 10_000, stepMs);
    expect(sent).toBeLessThanOrEqual(rate * 10 + capacity);
    expect(sent).toBeGreaterThanOrEqual(Math.floor(rate * 10 + capacity) - 1);
  });

  it('never lets more than rate*seconds + capacity through, however the clock moves', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 200, noNaN: true }),
        fc.double({ min: 1, max: 50, noNaN: true }),
        fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 200 }),
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 200 }),
        (rate, capacity, steps, wants) => {
          const bucket = new TokenBucket(rate, T0, capacity);
          let now = T0;
          let sent = 0;
          steps.forEach((step, i) => {
            now += step;
            const want = wants[i % wants.length] as number;
            for (let k = 0; k < want; k++) if (bucket.take(now)) sent++;
          });
          expect(sent).toBeLessThanOrEqual(((now - T0) / 1000) * rate + capacity + 1e-9);
        },
      ),
    );
  });
});

describe('nextTokenAt', () => {
  it('is now while a token is available', () => {
    const bucket = new TokenBucket(2, T0);
    expect(bucket.nextTokenAt(T0)).toBe(T0);
    bucket.take(T0);
    expect(bucket.nextTokenAt(T0)).toBe(T0);
  });

  it('is one token interval after the bucket ran dry', () => {
    const bucket = new TokenBucket(4, T0);
    drain(bucket, T0);
    expect(bucket.nextTokenAt(T0)).toBe(T0 + 250);
  });

  it('counts the part of a token already refilled', () => {
    const bucket = new TokenBucket(4, T0);
    drain(bucket, T0);
    expect(bucket.nextTokenAt(T0 + 100)).toBe(T0 + 250);
  });

  it('rounds up to a whole millisecond', () => {
    const bucket = new TokenBucket(3, T0);
    drain(bucket, T0);
    expect(bucket.nextTokenAt(T0)).toBe(T0 + 334);
  });

  it('names the first millisecond at which a send is allowed', () => {
    const bucket = new TokenBucket(4, T0);
    drain(bucket, T0);
    const at = bucket.nextTokenAt(T0);
    expect(bucket.take(at - 1)).toBe(false);
    expect(bucket.take(at)).toBe(true);
  });

  // BUG (floating point): after a refill at T0+8 the bucket holds 0.08 tokens; nextTokenAt(T0+8) = T0+100, which is
  // right (10/s = one token per 100 ms), but at T0+100 refill computes 0.08 + 0.092 * 10 = 0.9999999999999999 and
  // take() is refused. The engine then wakes for nothing and sleeps again.
  it('a send is allowed at the time nextTokenAt named (rate 10, looked at 8 ms after running dry)', () => {
    const bucket = new TokenBucket(10, 0);
    drain(bucket, 0);
    const at = bucket.nextTokenAt(8);
    expect(at).toBe(100);
    expect(bucket.take(at)).toBe(true);
  });
});
