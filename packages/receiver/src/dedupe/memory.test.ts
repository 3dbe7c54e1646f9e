import { MemoryDedupeStore } from '@hookline/receiver';
import { describe, expect, it } from 'vitest';
import { dedupeStoreSuite } from './dedupe-store.suite.js';

describe('MemoryDedupeStore', () => {
  dedupeStoreSuite(async () => {
    let now = 1_000_000;
    return { store: new MemoryDedupeStore({ now: () => now }), advanceSeconds: (s) => (now += s * 1000) };
  });

  it('is bounded: past maxEntries the least recently written id is forgotten', async () => {
    const store = new MemoryDedupeStore({ maxEntries: 3 });
    for (const key of ['a', 'b', 'c', 'd']) await store.complete(key, 60);
    expect(store.size).toBe(3);
    expect(await store.claim('a', 60)).toBe('claimed');
    expect(await store.claim('d', 60)).toBe('done');
  });
});
