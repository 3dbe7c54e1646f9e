import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Wakeup } from './wakeup.js';

/** Starts a wait and tracks whether it has resolved. */
function track(promise: Promise<void>): { readonly done: boolean; promise: Promise<void> } {
  const state = { done: false, promise };
  promise.then(() => {
    state.done = true;
  });
  return state;
}

/** Lets promise callbacks run without moving the fake clock. */
const flush = () => vi.advanceTimersByTimeAsync(0);

describe('Wakeup', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a notify before wait makes the next wait return at once', async () => {
    const wakeup = new Wakeup();
    wakeup.notify();
    const wait = track(wakeup.wait(60_000));
    await flush();
    expect(wait.done).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a notify during a wait ends it before the timeout, and clears its timer', async () => {
    const wakeup = new Wakeup();
    const wait = track(wakeup.wait(60_000));
    await flush();
    expect(wait.done).toBe(false);
    wakeup.notify();
    await flush();
    expect(wait.done).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('without a notify, a wait ends at its timeout', async () => {
    const wakeup = new Wakeup();
    const wait = track(wakeup.wait(1_000));
    await vi.advanceTimersByTimeAsync(999);
    expect(wait.done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(wait.done).toBe(true);
  });

  it('several notifies before a wait count as one', async () => {
    const wakeup = new Wakeup();
    wakeup.notify();
    wakeup.notify();
    wakeup.notify();
    await wakeup.wait(60_000);
    const second = track(wakeup.wait(60_000));
    await flush();
    expect(second.done).toBe(false);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(second.done).toBe(true);
  });

  it('a notify that ended a wait is used up: the next wait waits', async () => {
    const wakeup = new Wakeup();
    const first = wakeup.wait(60_000);
    wakeup.notify();
    await first;
    const second = track(wakeup.wait(60_000));
    await flush();
    expect(second.done).toBe(false);
    wakeup.notify();
    await flush();
    expect(second.done).toBe(true);
  });

  it('a notify after a wait timed out is kept for the next wait', async () => {
    const wakeup = new Wakeup();
    const first = wakeup.wait(10);
    await vi.advanceTimersByTimeAsync(10);
    await first;
    wakeup.notify();
    const second = track(wakeup.wait(60_000));
    await flush();
    expect(second.done).toBe(true);
  });

  it('a zero or negative timeout ends the wait on the next timer tick', async () => {
    const wakeup = new Wakeup();
    const zero = track(wakeup.wait(0));
    await flush();
    expect(zero.done).toBe(true);
    const negative = track(wakeup.wait(-5));
    await flush();
    expect(negative.done).toBe(true);
  });
});

describe('Wakeup with real timers', () => {
  it('a notify ends a long wait', async () => {
    const wakeup = new Wakeup();
    const wait = wakeup.wait(3_600_000);
    setImmediate(() => wakeup.notify());
    await expect(wait).resolves.toBeUndefined();
  });

  it('a short timeout ends a wait', async () => {
    await expect(new Wakeup().wait(5)).resolves.toBeUndefined();
  });
});
