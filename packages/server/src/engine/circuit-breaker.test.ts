import { describe, expect, it } from 'vitest';
import { type CircuitOptions, DEFAULT_CIRCUIT_OPTIONS } from '../store/gates.js';
import { CircuitBreaker } from './circuit-breaker.js';

const OPTIONS: CircuitOptions = { failureThreshold: 3, openMs: 1_000, maxOpenMs: 5_000 };
const T0 = 1_000_000;

function failTimes(breaker: CircuitBreaker, times: number, now = T0): void {
  for (let i = 0; i < times; i++) breaker.onFailure(now);
}

/** A breaker that opened at T0. */
function openedAtT0(): CircuitBreaker {
  const breaker = new CircuitBreaker(OPTIONS);
  failTimes(breaker, OPTIONS.failureThreshold);
  return breaker;
}

/** Lets one probe through at `now` and fails it; returns the time the circuit opens again. */
function failProbe(breaker: CircuitBreaker, now: number): number {
  expect(breaker.allowance(now)).toBe(1);
  breaker.onSend(now);
  breaker.onFailure(now);
  expect(breaker.stateAt(now)).toBe('open');
  return breaker.reopensAt() as number;
}

describe('closed', () => {
  it('starts closed with no limit on sends', () => {
    const breaker = new CircuitBreaker(OPTIONS);
    expect(breaker.stateAt(T0)).toBe('closed');
    expect(breaker.allowance(T0)).toBe(Number.POSITIVE_INFINITY);
    expect(breaker.reopensAt()).toBeNull();
  });

  it('stays closed below the failure threshold', () => {
    const breaker = new CircuitBreaker(OPTIONS);
    failTimes(breaker, OPTIONS.failureThreshold - 1);
    expect(breaker.stateAt(T0)).toBe('closed');
    expect(breaker.allowance(T0)).toBe(Number.POSITIVE_INFINITY);
  });

  it('opens after failureThreshold consecutive failures', () => {
    const breaker = new CircuitBreaker(OPTIONS);
    failTimes(breaker, OPTIONS.failureThreshold);
    expect(breaker.stateAt(T0)).toBe('open');
  });

  it('a success resets the count of consecutive failures', () => {
    const breaker = new CircuitBreaker(OPTIONS);
    failTimes(breaker, OPTIONS.failureThreshold - 1);
    breaker.onSuccess();
    failTimes(breaker, OPTIONS.failureThreshold - 1);
    expect(breaker.stateAt(T0)).toBe('closed');
    breaker.onFailure(T0);
    expect(breaker.stateAt(T0)).toBe('open');
  });

  it('sends while closed do not count as probes', () => {
    const breaker = new CircuitBreaker(OPTIONS);
    breaker.onSend(T0);
    breaker.onSend(T0);
    expect(breaker.allowance(T0)).toBe(Number.POSITIVE_INFINITY);
  });

  it('defaults to 10 failures, 30 s open, at most 10 min', () => {
    expect(DEFAULT_CIRCUIT_OPTIONS).toEqual({ failureThreshold: 10, openMs: 30_000, maxOpenMs: 600_000 });
    const breaker = new CircuitBreaker();
    failTimes(breaker, 9);
    expect(breaker.stateAt(T0)).toBe('closed');
    breaker.onFailure(T0);
    expect(breaker.reopensAt()).toBe(T0 + 30_000);
  });
});

describe('open', () => {
  it('allows no sends until openMs has passed', () => {
    const breaker = openedAtT0();
    expect(breaker.allowance(T0)).toBe(0);
    expect(breaker.allowance(T0 + OPTIONS.openMs - 1)).toBe(0);
    expect(breaker.stateAt(T0 + OPTIONS.openMs - 1)).toBe('open');
  });

  it('tells when it may be probed again', () => {
    const breaker = openedAtT0();
    expect(breaker.reopensAt()).toBe(T0 + OPTIONS.openMs);
  });

  it('is not extended by failures of sends that were already in flight when it opened', () => {
    const breaker = openedAtT0();
    failTimes(breaker, 5, T0 + 500);
    expect(breaker.reopensAt()).toBe(T0 + OPTIONS.openMs);
    expect(breaker.allowance(T0 + OPTIONS.openMs)).toBe(1);
  });
});

describe('half-open', () => {
  it('after openMs lets exactly one probe through', () => {
    const breaker = openedAtT0();
    const at = T0 + OPTIONS.openMs;
    expect(breaker.stateAt(at)).toBe('half-open');
    expect(breaker.allowance(at)).toBe(1);
    expect(breaker.reopensAt()).toBeNull();
  });

  it('allows nothing more while the probe is in flight', () => {
    const breaker = openedAtT0();
    const at = T0 + OPTIONS.openMs;
    breaker.onSend(at);
    expect(breaker.allowance(at)).toBe(0);
    expect(breaker.allowance(at + 60_000)).toBe(0);
    expect(breaker.stateAt(at + 60_000)).toBe('half-open');
  });

  it('a probe that succeeds closes the circuit and clears the failure count', () => {
    const breaker = openedAtT0();
    const at = T0 + OPTIONS.openMs;
    breaker.onSend(at);
    breaker.onSuccess();
    expect(breaker.stateAt(at)).toBe('closed');
    expect(breaker.allowance(at)).toBe(Number.POSITIVE_INFINITY);
    expect(breaker.reopensAt()).toBeNull();
    failTimes(breaker, OPTIONS.failureThreshold - 1, at);
    expect(breaker.stateAt(at)).toBe('closed');
  });

  it('a probe that fails opens the circuit again for twice as long', () => {
    const breaker = openedAtT0();
    const probeAt = T0 + OPTIONS.openMs + 250;
    expect(failProbe(breaker, probeAt)).toBe(probeAt + 2 * OPTIONS.openMs);
    expect(breaker.allowance(probeAt + 2 * OPTIONS.openMs - 1)).toBe(0);
    expect(breaker.allowance(probeAt + 2 * OPTIONS.openMs)).toBe(1);
  });

  it('doubles the open time after each failed probe, up to maxOpenMs', () => {
    const breaker = openedAtT0();
    let now = T0;
    const openPeriods: number[] = [];
    let reopensAt = breaker.reopensAt() as number;
    for (let i = 0; i < 6; i++) {
      now = reopensAt;
      reopensAt = failProbe(breaker, now);
      openPeriods.push(reopensAt - now);
    }
    expect(openPeriods).toEqual([2_000, 4_000, 5_000, 5_000, 5_000, 5_000]);
  });

  it('after closing again, the next opening lasts openMs again', () => {
    const breaker = openedAtT0();
    const probeAt = failProbe(breaker, T0 + OPTIONS.openMs);
    failProbe(breaker, probeAt);
    const closeAt = breaker.reopensAt() as number;
    breaker.onSend(closeAt);
    breaker.onSuccess();
    expect(breaker.stateAt(closeAt)).toBe('closed');
    failTimes(breaker, OPTIONS.failureThreshold, closeAt + 10);
    expect(breaker.reopensAt()).toBe(closeAt + 10 + OPTIONS.openMs);
  });
});

describe('isPristine', () => {
  it('is true for a new breaker and after a success', () => {
    const breaker = new CircuitBreaker(OPTIONS);
    expect(breaker.isPristine(T0)).toBe(true);
    breaker.onFailure(T0);
    breaker.onSuccess();
    expect(breaker.isPristine(T0)).toBe(true);
  });

  it('is false with a failure counted, while open and while half-open', () => {
    const breaker = new CircuitBreaker(OPTIONS);
    breaker.onFailure(T0);
    expect(breaker.isPristine(T0)).toBe(false);
    failTimes(breaker, OPTIONS.failureThreshold);
    expect(breaker.isPristine(T0)).toBe(false);
    expect(breaker.isPristine(T0 + OPTIONS.openMs)).toBe(false);
  });
});
