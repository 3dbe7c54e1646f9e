import { takeToken } from '@hookline/receiver';
import { describe, expect, it } from 'vitest';

describe('takeToken', () => {
  const limit = { capacity: 3, refillPerSecond: 1 };

  it('a new source starts with a full bucket and may burst up to the capacity', () => {
    let bucket: ReturnType<typeof takeToken>['bucket'] | undefined;
    const allowed: boolean[] = [];
    for (let i = 0; i < 4; i++) {
      const result = takeToken(bucket, 0, limit);
      bucket = result.bucket;
      allowed.push(result.decision.allowed);
    }
    expect(allowed).toEqual([true, true, true, false]);
  });

  it('refills at the rate, never above the capacity, and says when to retry', () => {
    const empty = { tokens: 0, updatedAt: 0 };
    expect(takeToken(empty, 500, limit).decision).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(takeToken(empty, 1000, limit).decision.allowed).toBe(true);
    expect(takeToken(empty, 60_000, limit).bucket.tokens).toBe(2);
    expect(
      takeToken({ tokens: 0, updatedAt: 0 }, 0, { capacity: 1, refillPerSecond: 0.1 }).decision.retryAfterSeconds,
    ).toBe(10);
  });

  it('a clock that goes backwards does not mint tokens', () => {
    expect(takeToken({ tokens: 0, updatedAt: 10_000 }, 0, limit).decision.allowed).toBe(false);
  });
});
