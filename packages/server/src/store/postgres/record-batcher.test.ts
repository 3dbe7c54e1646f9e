import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../errors.js';
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
      () => 0,
      2,
    );
    await expect(batcher.add([1])).rejects.toThrow('Connection terminated');
    expect(calls).toBe(2);
  });

  it('tries a database that fails fast while away (the watched pool) again, as it does a lost connection', async () => {
    let calls = 0;
    const batcher = new RecordBatcher<number, void>(
      async () => {
        calls++;
        if (calls < 3) throw new StoreUnavailableError();
      },
      nothing,
      () => 0,
      4,
    );
    await expect(batcher.add([1])).resolves.toBeUndefined();
    expect(calls).toBe(3);
  });

  it('keeps trying an unavailable database past its tries while the batch is worth writing, then gives up', async () => {
    // A clock the writes move on by 600 ms each; the batch is worth writing until 2000. Tries at 600 and 1200 are
    // followed by another (the wait, 200 then 400 ms, ends before 2000); after the one at 1800 the next would not.
    let clock = 0;
    let calls = 0;
    const batcher = new RecordBatcher<number, void>(
      async () => {
        calls++;
        clock += 600;
        throw new StoreUnavailableError();
      },
      nothing,
      () => 2000,
      1,
      1000,
      () => clock,
    );
    await expect(batcher.add([1])).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(calls).toBe(3);
  });

  it('writes a result once the database is back when it comes back before the batch stops being worth writing', async () => {
    let clock = 0;
    let calls = 0;
    const batcher = new RecordBatcher<number, void>(
      async () => {
        calls++;
        clock += 300;
        if (calls < 5) throw Object.assign(new Error('the database system is starting up'), { code: '57P03' });
      },
      nothing,
      () => 10_000,
      1,
      1000,
      () => clock,
    );
    await expect(batcher.add([1])).resolves.toBeUndefined();
    expect(calls).toBe(5);
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
