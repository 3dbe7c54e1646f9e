// The one conformance suite every DedupeStore passes (memory, SQLite, Redis, PostgreSQL).
import { expect, it } from 'vitest';
import type { DedupeStore } from './dedupe-store.js';

export interface DedupeSuiteSetup {
  store: DedupeStore;
  /** Moves the store's clock forward, where the store takes an injected clock (Redis keeps its own time). */
  /** Moves the store's clock on (a Redis store shortens its keys' expiry by as much: Redis keeps its own clock). */
  advanceSeconds?: (seconds: number) => unknown;
}

export function dedupeStoreSuite(make: () => Promise<DedupeSuiteSetup>): void {
  let n = 0;
  const id = () => `evt_${process.pid}_${Date.now().toString(36)}_${++n}`;

  it('the first claim of an id wins; a second sees it in progress', async () => {
    const { store } = await make();
    const key = id();
    expect(await store.claim(key, 60)).toBe('claimed');
    expect(await store.claim(key, 60)).toBe('in-progress');
  });

  it('a completed id is done: claims answer done until the TTL ends', async () => {
    const { store, advanceSeconds } = await make();
    const key = id();
    await store.claim(key, 60);
    await store.complete(key, 3600);
    expect(await store.claim(key, 60)).toBe('done');
    if (advanceSeconds !== undefined) {
      await advanceSeconds(3601);
      expect(await store.claim(key, 60)).toBe('claimed');
    }
  });

  it('a released id can be claimed again; releasing a done id does not forget it', async () => {
    const { store } = await make();
    const key = id();
    await store.claim(key, 60);
    await store.release(key);
    expect(await store.claim(key, 60)).toBe('claimed');
    await store.complete(key, 3600);
    await store.release(key);
    expect(await store.claim(key, 60)).toBe('done');
  });

  it('an in-progress claim whose lease ran out (its process died) can be claimed again', async (context) => {
    const { store, advanceSeconds } = await make();
    if (advanceSeconds === undefined) context.skip('the store has no injectable clock');
    const key = id();
    await store.claim(key, 30);
    await advanceSeconds?.(31);
    expect(await store.claim(key, 30)).toBe('claimed');
  });

  it('of 20 concurrent claims of one id exactly one wins', async () => {
    const { store } = await make();
    const key = id();
    const results = await Promise.all(Array.from({ length: 20 }, () => store.claim(key, 60)));
    expect(results.filter((r) => r === 'claimed')).toHaveLength(1);
    expect(results.filter((r) => r === 'in-progress')).toHaveLength(19);
  });
}
