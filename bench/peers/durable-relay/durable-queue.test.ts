// The durable relay is a floor only if it is as durable as Hookline: these check the promises its figures rest on,
// with the WAL's fsync held where it matters.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FsyncFunction } from '../../../packages/server/src/store/sqlite/wal-sync.js';
import { type ClaimedEvent, DurableQueue, RETRY_DELAY_MS } from './durable-queue.js';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

let dir: string;
let file: string;
const opened: DurableQueue[] = [];
/** Every fsync a test held, released before closing (close waits for the running one). */
const allHeld: Array<(error: NodeJS.ErrnoException | null) => void> = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'durable-relay-test-'));
  file = join(dir, 'queue.db');
});

afterEach(async () => {
  vi.useRealTimers();
  while (allHeld.length > 0) allHeld.shift()?.(null);
  for (const queue of opened.splice(0)) await queue.close().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

/** A queue whose dispatcher takes up to `wanted` events and keeps them; `held` are the fsyncs not yet released. */
function openQueue(options: { wanted: number; holdFsync?: boolean }) {
  const claimed: ClaimedEvent[] = [];
  const held: Array<(error: NodeJS.ErrnoException | null) => void> = [];
  const fsyncFile: FsyncFunction = (_fd, callback) => {
    if (options.holdFsync !== true) return setImmediate(() => callback(null));
    held.push(callback);
    allHeld.push(callback);
  };
  const queue = new DurableQueue(
    file,
    {
      wanted: () => options.wanted - claimed.length,
      claimed: (events) => claimed.push(...events),
    },
    { leaseMs: 15_000, fsyncFile },
  );
  opened.push(queue);
  return { queue, claimed, held };
}

/** What another connection sees: committed rows only. */
function rows(sql: string): unknown[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

describe('durable relay queue', () => {
  it('acknowledges a publish only after an fsync of the WAL that started after its commit', async () => {
    const { queue, held } = openQueue({ wanted: 0, holdFsync: true });
    const acknowledged: string[] = [];
    queue.publish('msg_a', ['/ep-0'], '{}', () => acknowledged.push('a'));
    await nextTurn();
    expect(rows('SELECT message_id FROM events')).toEqual([{ message_id: 'msg_a' }]);
    expect(held).toHaveLength(1);
    expect(acknowledged).toEqual([]);

    // Committed while that fsync runs: it waits for the next one, which starts only when the first returns.
    queue.publish('msg_b', ['/ep-0'], '{}', () => acknowledged.push('b'));
    await nextTurn();
    expect(held).toHaveLength(1);
    held[0]?.(null);
    expect(acknowledged).toEqual(['a']);
    expect(held).toHaveLength(2);
    held[1]?.(null);
    expect(acknowledged).toEqual(['a', 'b']);
  });

  it('claims, and records answers, at the commit, without waiting for an fsync', async () => {
    const { queue, claimed, held } = openQueue({ wanted: 64, holdFsync: true });
    queue.publish('msg_a', ['/ep-0', '/ep-1'], '{"n":1}', () => {});
    await nextTurn();
    expect(held).toHaveLength(1);
    expect(claimed.map((event) => [event.message_id, event.path, event.payload])).toEqual([
      ['msg_a', '/ep-0', '{"n":1}'],
      ['msg_a', '/ep-1', '{"n":1}'],
    ]);
    for (const event of claimed) queue.record(event.id, 204, true);
    await nextTurn();
    expect(rows('SELECT status FROM events')).toEqual([{ status: 2 }, { status: 2 }]);
    expect(rows('SELECT status_code FROM attempts')).toEqual([{ status_code: 204 }, { status_code: 204 }]);
    expect(held).toHaveLength(1);
  });

  it('claims a failed send again once its retry delay has passed, and not before', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'Date'] });
    const { queue, claimed } = openQueue({ wanted: 1 });
    queue.publish('msg_a', ['/ep-0'], '{}', () => {});
    await nextTurn();
    const [first] = claimed.splice(0);
    if (first === undefined) throw new Error('not claimed');
    queue.record(first.id, 503, false);
    await nextTurn();
    expect(rows('SELECT event_id, status_code FROM attempts')).toEqual([{ event_id: first.id, status_code: 503 }]);

    vi.advanceTimersByTime(RETRY_DELAY_MS - 1);
    await nextTurn();
    expect(claimed).toEqual([]);
    vi.advanceTimersByTime(1);
    await nextTurn();
    expect(claimed.map((event) => event.id)).toEqual([first.id]);
  });

  it('sends again, at start, an event a previous process claimed but never recorded', async () => {
    const before = openQueue({ wanted: 1 });
    before.queue.publish('msg_a', ['/ep-0'], '{}', () => {});
    await nextTurn();
    expect(before.claimed).toHaveLength(1);
    await before.queue.close();

    const after = openQueue({ wanted: 1 });
    after.queue.wake();
    await nextTurn();
    expect(after.claimed.map((event) => event.message_id)).toEqual(['msg_a']);
  });
});
