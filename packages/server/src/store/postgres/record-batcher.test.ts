import { describe, expect, it } from 'vitest';
import { RecordBatcher } from './record-batcher.js';

/** These batches answer nothing: every caller shares the nothing. */
const nothing = (): void => undefined;

describe('RecordBatcher', () => {
  it('writes what arrives while a batch is being written as one next batch', async () => {
    const batches: number[][] = [];
    let releaseFirst: () => void = () => undefined;
    const firstWritten = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    const batcher = new RecordBatcher<number, void>(async (items) => {
      batches.push([...items]);
      if (batches.length === 1) await firstWritten;
    }, nothing);
    const first = batcher.add([1]);
    const rest = [batcher.add([2]), batcher.add([3, 4]), batcher.add([5])];
    releaseFirst();
    await Promise.all([first, ...rest]);
    expect(batches).toEqual([[1], [2, 3, 4, 5]]);
  });

  it('tries a batch again after a deadlock, and every caller of the batch sees it written', async () => {
    let calls = 0;
    const batcher = new RecordBatcher<number, void>(async () => {
      calls++;
      if (calls === 1) throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
    }, nothing);
    await expect(batcher.add([1])).resolves.toBeUndefined();
    expect(calls).toBe(2);
  });

  it('rejects every caller of a batch that fails for good, and writes the next batch anyway', async () => {
    const written: number[][] = [];
    const batcher = new RecordBatcher<number, void>(async (items) => {
      if (items.includes(13)) throw Object.assign(new Error('check constraint'), { code: '23514' });
      written.push([...items]);
    }, nothing);
    await expect(batcher.add([13])).rejects.toThrow('check constraint');
    await batcher.add([14]);
    expect(written).toEqual([[14]]);
  });

  it('gives up after its tries when the database stays unreachable', async () => {
    let calls = 0;
    const batcher = new RecordBatcher<number, void>(
      async () => {
        calls++;
        throw new Error('Connection terminated unexpectedly');
      },
      nothing,
      2,
    );
    await expect(batcher.add([1])).rejects.toThrow('Connection terminated');
    expect(calls).toBe(2);
  });

  it('one result the database refuses fails only its own caller: the rest of its batch is written', async () => {
    const written: number[][] = [];
    let releaseFirst: () => void = () => undefined;
    const firstWritten = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    const batcher = new RecordBatcher<number, void>(async (items) => {
      if (items.includes(13)) throw Object.assign(new Error('invalid byte sequence'), { code: '22021' });
      written.push([...items]);
      if (written.length === 1) await firstWritten;
    }, nothing);
    const first = batcher.add([1]);
    const poisoned = batcher.add([13]);
    const others = [batcher.add([2]), batcher.add([3])];
    releaseFirst();
    await expect(poisoned).rejects.toThrow('invalid byte sequence');
    await Promise.all([first, ...others]);
    expect(written).toEqual([[1], [2], [3]]);
  });

  it('answers each caller with its own share of the batch answer', async () => {
    let releaseFirst: () => void = () => undefined;
    const firstWritten = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    let batches = 0;
    // The answer of a batch: its items doubled; a caller's share: the doubles of its own items.
    const batcher = new RecordBatcher<number, number[]>(
      async (items) => {
        batches++;
        if (batches === 1) await firstWritten;
        return items.map((item) => item * 2);
      },
      (answer, mine) => answer.filter((doubled) => mine.includes(doubled / 2)),
    );
    const first = batcher.add([1]);
    const second = batcher.add([2, 3]);
    const third = batcher.add([4]);
    releaseFirst();
    expect(await Promise.all([first, second, third])).toEqual([[2], [4, 6], [8]]);
    expect(batches).toBe(2);
  });
});
