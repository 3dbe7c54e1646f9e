import { describe, expect, it } from 'vitest';
import { attemptMilestone, FAILING_AT_ATTEMPT } from './attempt-milestones.js';

const failure = (previousAttempts: number, dead = false) =>
  attemptMilestone({ succeeded: false, dead, previousAttempts, previousFailed: previousAttempts > 0 });
const success = (previousAttempts: number, previousFailed = previousAttempts > 0) =>
  attemptMilestone({ succeeded: true, dead: true, previousAttempts, previousFailed });

describe('attemptMilestone (Svix: failing on the fourth failure, exhausted on the last, recovered after them)', () => {
  it('the fourth failed attempt of a delivery is failing, and only the fourth', () => {
    expect(FAILING_AT_ATTEMPT).toBe(4);
    expect([0, 1, 2, 3, 4, 5, 6].map((previous) => failure(previous))).toEqual([
      null,
      null,
      null,
      'message.attempt.failing',
      null,
      null,
      null,
    ]);
  });

  it('a failure that leaves the delivery dead is exhausted, whichever attempt it is (the fourth included)', () => {
    expect(failure(0, true)).toBe('message.attempt.exhausted');
    expect(failure(3, true)).toBe('message.attempt.exhausted');
    expect(failure(7, true)).toBe('message.attempt.exhausted');
  });

  it('a success after four or more failures is recovered; after fewer (never announced), nothing', () => {
    expect(success(0)).toBeNull();
    expect(success(3)).toBeNull();
    expect(success(4)).toBe('message.attempt.recovered');
    expect(success(9)).toBe('message.attempt.recovered');
  });

  it('a success after a success (a manual resend of a delivered message) is not a recovery', () => {
    expect(success(5, false)).toBeNull();
  });
});
