import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { IdPrefix } from './ids.js';

// ids.ts keeps the last id's time and random part per process: each test imports a fresh copy (a fresh "process"),
// and may force the random bytes to reach the edges of the random part.
const entropy = vi.hoisted(() => ({ forced: null as Buffer | null }));
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, randomBytes: (size: number) => entropy.forced ?? actual.randomBytes(size) };
});

async function freshIds(): Promise<typeof import('./ids.js')> {
  vi.resetModules();
  return import('./ids.js');
}

afterEach(() => {
  entropy.forced = null;
});

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const PREFIXES: IdPrefix[] = ['app', 'ep', 'msg', 'atmpt', 'dlv', 'evt', 'key', 'op', 'src', 'inb'];
const T = Date.UTC(2030, 0, 15, 12, 0, 0);

/** The millisecond timestamp in an id's leading 48 bits. */
function timeOf(id: string): number {
  let value = 0n;
  for (const char of id.slice(id.indexOf('_') + 1)) value = value * 62n + BigInt(ALPHABET.indexOf(char));
  return Number(value >> 80n);
}

const isStrictlyIncreasing = (ids: readonly string[]) => ids.every((id, i) => i === 0 || (ids[i - 1] as string) < id);

describe('shape', () => {
  it.each(PREFIXES)('a %s id is the prefix, an underscore and 22 base62 characters', async (prefix) => {
    const { newId, hasPrefix } = await freshIds();
    const id = newId(prefix, T);
    expect(id).toMatch(new RegExp(`^${prefix}_[0-9A-Za-z]{22}$`));
    expect(hasPrefix(id, prefix)).toBe(true);
  });

  it('has the same width for the smallest and the largest 48-bit time', async () => {
    entropy.forced = Buffer.alloc(10, 0);
    expect((await freshIds()).newId('msg', 1)).toHaveLength(4 + 22);
    entropy.forced = Buffer.alloc(10, 0xff);
    expect((await freshIds()).newId('msg', 2 ** 48 - 1)).toHaveLength(4 + 22);
  });

  it('hasPrefix refuses another prefix, a wrong width, or a missing underscore', async () => {
    const { newId, hasPrefix } = await freshIds();
    const id = newId('msg', T);
    expect(hasPrefix(id, 'ep')).toBe(false);
    expect(hasPrefix(`${id}x`, 'msg')).toBe(false);
    expect(hasPrefix(id.slice(0, -1), 'msg')).toBe(false);
    expect(hasPrefix(id.replace('_', ''), 'msg')).toBe(false);
  });

  it('carries its creation time', async () => {
    expect(timeOf((await freshIds()).newId('msg', T))).toBe(T);
  });

  it('is made at the current time by default', async () => {
    const { newId } = await freshIds();
    const before = Date.now();
    const id = newId('msg');
    expect(timeOf(id)).toBeGreaterThanOrEqual(before);
    expect(timeOf(id)).toBeLessThanOrEqual(Date.now());
  });

  it('two processes making an id in the same millisecond get different ids', async () => {
    const a = (await freshIds()).newId('msg', T);
    const b = (await freshIds()).newId('msg', T);
    expect(a).not.toBe(b);
  });
});

describe('order', () => {
  it('ids made in the same millisecond are strictly increasing', async () => {
    const { newId } = await freshIds();
    const ids = Array.from({ length: 10_000 }, () => newId('msg', T));
    expect(isStrictlyIncreasing(ids)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('ids stay strictly increasing when the clock goes backwards', async () => {
    const { newId } = await freshIds();
    const ids = [T, T - 1, T - 60_000, T - 3_600_000, T, T + 1].map((now) => newId('msg', now));
    expect(isStrictlyIncreasing(ids)).toBe(true);
  });

  it('ids are strictly increasing in creation order for any sequence of clock readings', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 2 ** 47 }), { minLength: 2, maxLength: 50 }),
        async (times) => {
          const { newId } = await freshIds();
          const ids = times.map((now) => newId('evt', now));
          expect(isStrictlyIncreasing(ids)).toBe(true);
          expect([...ids].sort()).toEqual(ids);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('an id from a later millisecond sorts after one from an earlier millisecond, whatever the random part', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2 ** 47 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.uint8Array({ minLength: 10, maxLength: 10 }),
        fc.uint8Array({ minLength: 10, maxLength: 10 }),
        async (earlier, gap, earlierRandom, laterRandom) => {
          entropy.forced = Buffer.from(earlierRandom);
          const first = (await freshIds()).newId('msg', earlier);
          entropy.forced = Buffer.from(laterRandom);
          const second = (await freshIds()).newId('msg', earlier + gap);
          expect(first < second).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('the largest random part in one millisecond still sorts before the smallest in the next', async () => {
    entropy.forced = Buffer.alloc(10, 0xff);
    const last = (await freshIds()).newId('msg', T);
    entropy.forced = Buffer.alloc(10, 0);
    const next = (await freshIds()).newId('msg', T + 1);
    expect(last < next).toBe(true);
  });

  // BUG (src/ids.ts, newId): inside one millisecond the random part is incremented and then masked to 80 bits, so
  // when the first id of that millisecond drew a random part near 2^80 - 1 the increment wraps to 0 and the next id
  // is smaller. Unlikely (about n / 2^80 for n ids in one ms) but the strict order is what the id cursor relies on;
  // carrying into the timestamp (or drawing 79 bits) would close it.
  it('stays strictly increasing when the random part of the millisecond is at its maximum', async () => {
    entropy.forced = Buffer.alloc(10, 0xff);
    const { newId } = await freshIds();
    const first = newId('msg', T);
    const second = newId('msg', T);
    expect(first < second).toBe(true);
  });
});

describe('encoding', () => {
  /** The encoding as first written, with BigInt: the id is base62 of (time << 80) | random, 22 digits. */
  function reference(prefix: string, time: number, random: Buffer): string {
    let value = (BigInt(time) << 80n) | BigInt(`0x${random.toString('hex')}`);
    let out = '';
    for (let i = 0; i < 22; i++) {
      out = ALPHABET.charAt(Number(value % 62n)) + out;
      value /= 62n;
    }
    return `${prefix}_${out}`;
  }

  it('writes the same id as the BigInt reference for any time and random part, and the next one in the same millisecond is the reference of random + 1', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2 ** 48 - 2 }),
        fc.uint8Array({ minLength: 10, maxLength: 10 }),
        async (time, bytes) => {
          // A fresh module per case: its first id draws (the forced) random bytes.
          const { newId } = await freshIds();
          entropy.forced = Buffer.from(bytes);
          expect(newId('msg', time)).toBe(reference('msg', time, Buffer.from(bytes)));
          const next = (BigInt(`0x${Buffer.from(bytes).toString('hex')}`) + 1n) % 2n ** 80n;
          const nextBytes = Buffer.from(next.toString(16).padStart(20, '0'), 'hex');
          expect(newId('msg', time)).toBe(reference('msg', next === 0n ? time + 1 : time, nextBytes));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('firstIdAt', () => {
  it('sorts after every id made before its time and at or before every id made at or after it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 2 ** 47 }),
        fc.integer({ min: -1_000, max: 1_000 }),
        fc.uint8Array({ minLength: 10, maxLength: 10 }),
        async (cutoff, offset, random) => {
          entropy.forced = Buffer.from(random);
          const ids = await freshIds();
          const made = ids.newId('msg', Math.max(1, cutoff + offset));
          expect(made < ids.firstIdAt('msg', cutoff)).toBe(timeOf(made) < cutoff);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('is an id of its prefix carrying its time, and leaves the order of newId alone', async () => {
    const { firstIdAt, hasPrefix, newId } = await freshIds();
    const before = newId('msg', T);
    const first = firstIdAt('msg', T + 5);
    expect(hasPrefix(first, 'msg')).toBe(true);
    expect(timeOf(first)).toBe(T + 5);
    expect(newId('msg', T) > before).toBe(true);
  });
});
