import { describe, expect, it } from 'vitest';
import { BoundedMap } from './bounded-map.js';

describe('BoundedMap', () => {
  it('holds at most maxEntries, whatever is written', () => {
    const map = new BoundedMap<number, number>(10);
    for (let i = 0; i < 1000; i++) {
      map.set(i, i);
      expect(map.size).toBeLessThanOrEqual(10);
    }
    expect(map.get(999)).toBe(999);
    expect(map.get(0)).toBeUndefined();
  });

  it('get sees both generations; delete removes from both', () => {
    const map = new BoundedMap<string, number>(4);
    map.set('a', 1);
    map.set('b', 2); // the first generation is full: it becomes the previous one
    map.set('c', 3);
    expect([map.get('a'), map.get('c')]).toEqual([1, 3]);
    map.delete('a');
    expect(map.get('a')).toBeUndefined();
  });

  it('getRecent sees only the current generation; setAbsent counts toward the bound like set', () => {
    const map = new BoundedMap<string, number>(4);
    map.setAbsent('a', 1);
    expect(map.getRecent('a')).toBe(1);
    map.setAbsent('b', 2); // full: 'a' and 'b' are now the previous generation
    expect([map.getRecent('a'), map.get('a')]).toEqual([undefined, 1]);
    for (let i = 0; i < 100; i++) {
      map.setAbsent(`k${i}`, i);
      expect(map.size).toBeLessThanOrEqual(4);
    }
    expect(map.get('a')).toBeUndefined();
  });

  it('setRecent replaces a current value in place, and moves an older one to the current generation', () => {
    const map = new BoundedMap<string, number>(4);
    map.set('old', 1);
    map.set('x', 2); // full: 'old' and 'x' are now the previous generation
    map.set('now', 3);
    map.setRecent('now', 4);
    expect([map.get('now'), map.size]).toEqual([4, 3]);
    map.setRecent('old', 5);
    expect([map.get('old'), map.size]).toEqual([5, 2]); // that filled the current generation: 'x' is dropped
    expect(map.get('x')).toBeUndefined();
  });
});
