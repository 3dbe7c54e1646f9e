import { MemoryDedupeStore } from '@hookline/receiver';
import { describe, expect, it } from 'vitest';
import { dedupeStoreSuite } from './dedupe-store.suite.js';

describe('MemoryDedupeStore', () => {
  dedupeStoreSuite(async () => {
    let now = 1_000_000;
    return { store: new MemoryDedupeStore({ now: () => now }), advanceSeconds: (s) => (now += s * 1000) };
  });

  it('is bounded: never more than maxEntries, and the ids written longest ago go first', async () => {
    const store = new MemoryDedupeStore({ maxEntries: 4 });
    for (const key of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) {
      await store.complete(key, 60);
      expect(store.size).toBeLessThanOrEqual(4);
    }
    expect(await store.claim('a', 60)).toBe('claimed');
    expect(await store.claim('g', 60)).toBe('done');
  });

  it('a rewritten id moves to the newest generation and outlives ids written after it', async () => {
    const store = new MemoryDedupeStore({ maxEntries: 4 });
    await store.complete('keep', 60);
    await store.complete('x', 60);
    await store.complete('keep', 60);
    await store.complete('y', 60);
    await store.complete('z', 60);
    expect(await store.claim('keep', 60)).toBe('done');
    expect(await store.claim('x', 60)).toBe('claimed');
  });

  it('completing a claim that has since aged into the older generation moves it to the newest', async () => {
    const store = new MemoryDedupeStore({ maxEntries: 4 });
    expect(await store.claim('slow', 60)).toBe('claimed');
    await store.complete('other', 60); // the generation holding both is now the older one
    await store.complete('slow', 60);
    await store.complete('later', 60); // retires the generation that held 'other'
    expect(await store.claim('slow', 60)).toBe('done');
    expect(await store.claim('other', 60)).toBe('claimed');
  });

  it('a claim that expired is claimed again, and then completes as done', async () => {
    let now = 0;
    const store = new MemoryDedupeStore({ maxEntries: 4, now: () => now });
    expect(await store.claim('lease', 1)).toBe('claimed');
    now += 2000;
    expect(await store.claim('lease', 1)).toBe('claimed');
    await store.complete('lease', 60);
    expect(await store.claim('lease', 1)).toBe('done');
  });
});
