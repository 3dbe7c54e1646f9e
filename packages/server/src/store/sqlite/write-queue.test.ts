import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOT_WRITE, WriteQueue } from './write-queue.js';

// A second connection to the same WAL file sees only committed data: what it reads tells which writes committed.
describe('WriteQueue', () => {
  let dir: string;
  let db: Database;
  let observer: Database;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hookline-write-queue-'));
    db = new BetterSqlite3(join(dir, 'queue.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.exec(`
      CREATE TABLE parents (id TEXT PRIMARY KEY);
      CREATE TABLE items (
        name TEXT PRIMARY KEY,
        parent TEXT REFERENCES parents(id) DEFERRABLE INITIALLY DEFERRED
      );`);
    observer = new BetterSqlite3(join(dir, 'queue.db'), { readonly: true });
  });

  afterEach(() => {
    observer.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function insert(name: string, parent: string | null = null): void {
    db.prepare('INSERT INTO items (name, parent) VALUES (?, ?)').run(name, parent);
  }

  function committed(): string[] {
    return (observer.prepare('SELECT name FROM items ORDER BY name').all() as Array<{ name: string }>).map(
      (row) => row.name,
    );
  }

  it('runs writes queued in one tick in one shared transaction', async () => {
    const queue = new WriteQueue(db);
    const seenDuring: string[][] = [];
    const write = (name: string) =>
      queue.run(() => {
        expect(db.inTransaction).toBe(true);
        insert(name);
        seenDuring.push(committed());
      });

    await Promise.all([write('a'), write('b'), write('c')]);
    // Had each write committed on its own, the later writes would have seen the earlier rows.
    expect(seenDuring).toEqual([[], [], []]);
    expect(committed()).toEqual(['a', 'b', 'c']);
  });

  it('resolves each write with its own result', async () => {
    const queue = new WriteQueue(db);
    const results = await Promise.all([queue.run(() => 1), queue.run(() => 'two'), queue.run(() => ({ three: 3 }))]);
    expect(results).toEqual([1, 'two', { three: 3 }]);
  });

  it('rolls back a failing write alone, rejects only it, and commits the rest of its batch', async () => {
    const queue = new WriteQueue(db);
    const failure = new Error('constraint broken halfway');
    const outcomes = await Promise.allSettled([
      queue.run(() => insert('a')),
      queue.run(() => {
        insert('half-written');
        throw failure;
      }),
      queue.run(() => insert('a')), // a primary key violation, inside the batch
      queue.run(() => insert('c')),
    ]);

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(outcomes[1]).toEqual({ status: 'rejected', reason: failure });
    expect((outcomes[2] as PromiseRejectedResult).reason).toMatchObject({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
    expect(committed()).toEqual(['a', 'c']);
  });

  describe('rerunnable writes', () => {
    /** The statements the queue ran, from better-sqlite3's verbose hook, on a second connection of its own. */
    let ran: string[];
    let traced: Database;

    beforeEach(() => {
      ran = [];
      traced = new BetterSqlite3(join(dir, 'queue.db'), { verbose: (sql) => ran.push(String(sql)) });
    });

    afterEach(() => traced.close());

    const tracedInsert = (name: string) => traced.prepare('INSERT INTO items (name) VALUES (?)').run(name);
    const savepoints = () => ran.filter((sql) => sql === 'SAVEPOINT write').length;

    it('run without savepoints while none fails', async () => {
      const queue = new WriteQueue(traced);
      const options = { rerunnable: true };
      await Promise.all(['a', 'b', 'c'].map((name) => queue.run(() => tracedInsert(name), options)));
      expect(savepoints()).toBe(0);
      expect(committed()).toEqual(['a', 'b', 'c']);
      // Any write without the promise in the batch: each write in its savepoint, as always.
      await Promise.all([queue.run(() => tracedInsert('d'), options), queue.run(() => tracedInsert('e'))]);
      expect(savepoints()).toBe(2);
    });

    it('when one fails halfway, the batch is undone and run again in savepoints: the failed write alone is lost', async () => {
      const queue = new WriteQueue(traced);
      const options = { rerunnable: true };
      const runs = new Map<string, number>();
      const counted = (name: string) => {
        runs.set(name, (runs.get(name) ?? 0) + 1);
        tracedInsert(name);
        return runs.get(name);
      };
      const failure = new Error('constraint broken halfway');
      const outcomes = await Promise.allSettled([
        queue.run(() => counted('a'), options),
        queue.run(() => {
          counted('half-written');
          throw failure;
        }, options),
        queue.run(() => counted('c'), options),
      ]);
      expect(outcomes).toEqual([
        // The writes before the failure ran twice (the first run's transaction was rolled back), the ones after it
        // once: the first pass stopped at the failure.
        { status: 'fulfilled', value: 2 },
        { status: 'rejected', reason: failure },
        { status: 'fulfilled', value: 1 },
      ]);
      expect(runs.get('half-written')).toBe(2);
      expect(committed()).toEqual(['a', 'c']);
      expect(savepoints()).toBe(3);
      // A batch after a failure runs in savepoints too; after a batch with none, savepoints stop again.
      await queue.run(() => counted('d'), options);
      expect(savepoints()).toBe(4);
      await queue.run(() => counted('e'), options);
      expect(savepoints()).toBe(4);
      expect(committed()).toEqual(['a', 'c', 'd', 'e']);
    });
  });

  it('resolves a write only once its transaction has committed', async () => {
    const queue = new WriteQueue(db);
    const seenOnResolve: string[][] = [];
    await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        queue
          .run(() => insert(name))
          .then(() => {
            seenOnResolve.push(committed());
          }),
      ),
    );
    expect(seenOnResolve).toEqual([
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
    ]);
  });

  it('does not resolve anything before the batch runs', async () => {
    const queue = new WriteQueue(db);
    let resolved = false;
    const write = queue
      .run(() => insert('a'))
      .then(() => {
        resolved = true;
      });
    await Promise.resolve();
    expect(resolved).toBe(false);
    expect(committed()).toEqual([]);
    await write;
    expect(resolved).toBe(true);
  });

  it('rejects every write of a batch whose commit fails, and keeps none of them', async () => {
    const queue = new WriteQueue(db);
    // A deferred foreign key is checked at COMMIT, so each write succeeds on its own and the commit fails.
    const outcomes = await Promise.allSettled([
      queue.run(() => insert('a')),
      queue.run(() => insert('orphan', 'no-such-parent')),
      queue.run(() => insert('c')),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(committed()).toEqual([]);
    expect(db.inTransaction).toBe(false);

    // The queue still works after a failed commit.
    await queue.run(() => insert('d'));
    expect(committed()).toEqual(['d']);
  });

  it('puts a write queued while a batch runs into the next transaction, after the first commits', async () => {
    const queue = new WriteQueue(db);
    let seenByLater: string[] = [];
    let later: Promise<void> | undefined;
    await queue.run(() => {
      insert('a');
      later = queue.run(() => {
        insert('b');
        seenByLater = committed();
      });
    });
    await later;
    expect(seenByLater).toEqual(['a']);
    expect(committed()).toEqual(['a', 'b']);
  });

  it('splits a queue longer than maxBatch into transactions of at most maxBatch writes, in order', async () => {
    const queue = new WriteQueue(db, { maxBatch: 2 });
    const seenDuring: string[][] = [];
    await Promise.all(
      ['a', 'b', 'c', 'd', 'e'].map((name) =>
        queue.run(() => {
          insert(name);
          seenDuring.push(committed());
        }),
      ),
    );
    expect(seenDuring).toEqual([[], [], ['a', 'b'], ['a', 'b'], ['a', 'b', 'c', 'd']]);
    expect(committed()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('answers a durable write only when afterCommit says the commit is on disk, a non-durable one at commit', async () => {
    const pendingSyncs: Array<(error: Error | null) => void> = [];
    const queue = new WriteQueue(db, { afterCommit: (done) => pendingSyncs.push(done) });
    const settled: string[] = [];
    const durable = queue.run(() => insert('durable')).then(() => settled.push('durable'));
    const visible = queue.run(() => insert('visible'), { durable: false }).then(() => settled.push('visible'));
    await visible;
    // Both committed together; only the non-durable one is answered before the sync.
    expect(committed()).toEqual(['durable', 'visible']);
    expect(settled).toEqual(['visible']);
    expect(pendingSyncs).toHaveLength(1);
    pendingSyncs[0]?.(null);
    await durable;
    expect(settled).toEqual(['visible', 'durable']);

    // A batch of only non-durable writes asks for no sync at all.
    await queue.run(() => insert('alone'), { durable: false });
    expect(pendingSyncs).toHaveLength(1);
  });

  describe('while another connection holds the write lock', () => {
    let holder: Database;

    beforeEach(() => {
      // The lock is held as an application's transaction holds it in the outbox: BEGIN IMMEDIATE, then a write.
      holder = new BetterSqlite3(join(dir, 'queue.db'));
      holder.exec('BEGIN IMMEDIATE');
      holder.prepare("INSERT INTO items (name) VALUES ('held')").run();
      // As the store's connection: SQLite's own wait would hold this thread (and so the holder) for 5 s.
      db.pragma('busy_timeout = 5000');
    });

    afterEach(() => {
      if (holder.inTransaction) holder.exec('ROLLBACK');
      holder.close();
    });

    it('waits for it off the event loop, so code of this process can commit meanwhile, then commits', async () => {
      const queue = new WriteQueue(db);
      const written = queue.run(() => insert('queued'));
      // setImmediate callbacks run in order: the queue's flush, queued first, has tried for the lock by now.
      await new Promise((resolve) => setImmediate(resolve));
      holder.exec('COMMIT');
      await written;
      expect(committed()).toEqual(['held', 'queued']);
      // The connection's own wait is back for the statements inside a transaction.
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    });

    it('fails the waiting writes with SQLITE_BUSY once lockWaitMs has passed, and later writes run', async () => {
      const queue = new WriteQueue(db, { lockWaitMs: 50 });
      await expect(queue.run(() => insert('refused'))).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
      holder.exec('ROLLBACK');
      await queue.run(() => insert('after'));
      expect(committed()).toEqual(['after']);
    });
  });

  // SQLite's statement journal (a copy of each page a savepoint changes) lives in memory up to 64 KiB and then in a
  // temporary file, named etilqs_*, unlinked at once but open in this process while its transaction lasts.
  describe.skipIf(process.platform !== 'linux')("the savepoints' journal", () => {
    const openTemporaryFiles = (): string[] =>
      readdirSync('/proc/self/fd').flatMap((fd) => {
        try {
          const target = readlinkSync(`/proc/self/fd/${fd}`);
          return target.includes('etilqs_') ? [target] : [];
        } catch {
          return [];
        }
      });

    beforeEach(() => {
      // ~60 pages of rows: rewriting them all in one savepoint journals far more than 64 KiB.
      db.exec('CREATE TABLE wide (id INTEGER PRIMARY KEY, body TEXT)');
      const add = db.prepare('INSERT INTO wide (body) VALUES (?)');
      db.transaction(() => {
        for (let i = 0; i < 200; i++) add.run('x'.repeat(1000));
      })();
    });

    /** One batch: a write that rewrites every page, then a small one that looks for the journal's file. */
    async function filesSeenAfterABigWrite(queue: WriteQueue, options: { fewPages?: boolean }): Promise<string[]> {
      let seen: string[] = [];
      await Promise.all([
        queue.run(() => db.prepare("UPDATE wide SET body = body || 'y'").run(), options),
        queue.run(() => {
          insert('small');
          seen = openTemporaryFiles();
        }, options),
      ]);
      return seen;
    }

    it('spills to a temporary file for writes of unbounded size, as SQLite does by default', async () => {
      const queue = new WriteQueue(db);
      expect(await filesSeenAfterABigWrite(queue, {})).toHaveLength(1);
      expect(openTemporaryFiles()).toEqual([]);
    });

    it('stays in memory for a transaction of few-page writes only, and the connection gets its own setting back', async () => {
      const own = db.pragma('temp_store', { simple: true });
      const queue = new WriteQueue(db);
      expect(await filesSeenAfterABigWrite(queue, { fewPages: true })).toEqual([]);
      expect(db.pragma('temp_store', { simple: true })).toBe(2);
      // A batch holding one write of unbounded size is journaled as the connection's own setting says.
      let seen: string[] = [];
      await Promise.all([
        queue.run(() => db.prepare("UPDATE wide SET body = body || 'z'").run(), { fewPages: true }),
        queue.run(() => {
          insert('unbounded');
          seen = openTemporaryFiles();
        }),
      ]);
      expect(seen).toHaveLength(1);
      expect(db.pragma('temp_store', { simple: true })).toBe(own);
      await queue.run(() => insert('few'), HOT_WRITE);
      expect(db.pragma('temp_store', { simple: true })).toBe(2);
      queue.useOwnTempStore();
      expect(db.pragma('temp_store', { simple: true })).toBe(own);
    });
  });
});
