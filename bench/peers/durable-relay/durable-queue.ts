// The durable relay's queue: a bare durable queue in SQLite, the shape of bench/store's `bare()` floor (a table of
// events with a partial index on the due ones, a table of attempts), and nothing else. Every write of one event-loop
// turn (publishes, recorded answers, the dispatcher's claim) goes into one BEGIN IMMEDIATE..COMMIT run on
// setImmediate. Publishes are acknowledged once the WAL is fsynced after that COMMIT (Hookline's own WalSync, the
// one off-loop fsync scheme both use); records and claims at the COMMIT, as Hookline answers them: a record lost to
// a power cut only means its event is sent again.
import Database, { type Statement } from 'better-sqlite3';
import { type FsyncFunction, WalSync } from '../../../packages/server/src/store/sqlite/wal-sync.js';

/** An event claimed for sending: one row per (message, endpoint path), as Hookline's delivery row. */
export interface ClaimedEvent {
  id: number;
  /** The `webhook-id` header: the same on every retry. */
  message_id: string;
  path: string;
  payload: string;
}

export interface DurableQueueOptions {
  /** How long a claim holds an event: longer than a send's timeout, so a slow send is never claimed twice. */
  leaseMs: number;
  /** Tests hold the WAL's fsync with this; default node:fs's, on libuv's thread pool. */
  fsyncFile?: FsyncFunction;
}

export interface Dispatcher {
  /** How many events it can take now (0 while paused or full); asked once per transaction. */
  wanted(): number;
  /** The events a transaction claimed, handed over after its COMMIT. */
  claimed(events: readonly ClaimedEvent[]): void;
}

/** A failed send is tried again this much later (the bench's receiver answers 2xx: this is for honesty). */
export const RETRY_DELAY_MS = 1000;

const STATUS_PENDING = 0;
const STATUS_SENDING = 1;
const STATUS_DELIVERED = 2;

// Beside `bare()`'s columns, the two a row needs to be delivered after a restart: its webhook-id and its path.
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, message_id TEXT NOT NULL, path TEXT NOT NULL,
    payload TEXT NOT NULL, status INTEGER NOT NULL, due INTEGER, lease INTEGER);
  CREATE INDEX IF NOT EXISTS events_due ON events (due) WHERE status = ${STATUS_PENDING};
  CREATE TABLE IF NOT EXISTS attempts (id INTEGER PRIMARY KEY, event_id INTEGER NOT NULL, status_code INTEGER,
    at INTEGER NOT NULL);`;

interface Published {
  messageId: string;
  path: string;
  payload: string;
}

interface Answered {
  id: number;
  /** null: no answer (connection error, timeout). */
  statusCode: number | null;
  delivered: boolean;
}

export class DurableQueue {
  private readonly db: Database.Database;
  private readonly walSync: WalSync;
  private readonly statements: Record<
    'begin' | 'commit' | 'rollback' | 'insert' | 'claim' | 'attempt' | 'delivered' | 'retry',
    Statement
  >;
  /** This turn's writes, run in its transaction. */
  private published: Published[] = [];
  private answered: Answered[] = [];
  /** This turn's publishers, answered once the transaction is on disk. */
  private awaitingDisk: Array<() => void> = [];
  private scheduled = false;
  /** False once a claim found fewer due events than it asked for; true again when an event may have become due. */
  private mayHaveDue = true;
  private closed = false;

  private readonly leaseMs: number;

  constructor(
    file: string,
    private readonly dispatcher: Dispatcher,
    options: DurableQueueOptions,
  ) {
    this.leaseMs = options.leaseMs;
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);
    // One process owns the file: every lease left in it is a previous process's claim whose answer was never
    // recorded, so it is sent again (at least once).
    this.db
      .prepare(`UPDATE events SET status = ${STATUS_PENDING}, lease = NULL WHERE status = ${STATUS_SENDING}`)
      .run();
    this.walSync = new WalSync(`${file}-wal`, options.fsyncFile);
    this.statements = {
      begin: this.db.prepare('BEGIN IMMEDIATE'),
      commit: this.db.prepare('COMMIT'),
      rollback: this.db.prepare('ROLLBACK'),
      insert: this.db.prepare(
        `INSERT INTO events (message_id, path, payload, status, due) VALUES (?, ?, ?, ${STATUS_PENDING}, ?)`,
      ),
      claim: this.db.prepare(
        `UPDATE events SET status = ${STATUS_SENDING}, lease = ? WHERE id IN (SELECT id FROM events WHERE status = ${STATUS_PENDING} AND due <= ? ORDER BY due LIMIT ?) RETURNING id, message_id, path, payload`,
      ),
      attempt: this.db.prepare('INSERT INTO attempts (event_id, status_code, at) VALUES (?, ?, ?)'),
      delivered: this.db.prepare(`UPDATE events SET status = ${STATUS_DELIVERED}, lease = NULL WHERE id = ?`),
      retry: this.db.prepare(`UPDATE events SET status = ${STATUS_PENDING}, lease = NULL, due = ? WHERE id = ?`),
    };
  }

  /** One row per path; `onDisk` runs once they are committed and fsynced. */
  publish(messageId: string, paths: readonly string[], payload: string, onDisk: () => void): void {
    for (const path of paths) this.published.push({ messageId, path, payload });
    this.awaitingDisk.push(onDisk);
    this.mayHaveDue = true;
    this.schedule();
  }

  /** Records a send's outcome: delivered on 2xx, else due again in RETRY_DELAY_MS. */
  record(id: number, statusCode: number | null, delivered: boolean): void {
    this.answered.push({ id, statusCode, delivered });
    this.schedule();
  }

  /** The dispatcher may take more, or events may have become due (resumed, a retry's time came): claim. */
  wake(): void {
    this.mayHaveDue = true;
    this.schedule();
  }

  /**
   * Commits what this turn holds, waits for the running fsync, and closes. Sends still in flight are not recorded:
   * their rows stay leased, and the next process sends them again.
   */
  async close(): Promise<void> {
    this.mayHaveDue = false; // no new claims
    this.flush();
    this.closed = true;
    await this.walSync.close();
    this.db.close();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  // No per-write savepoints: none of these statements can fail alone (no unique key but the rowid). Any error here
  // is SQLite's own (disk full, I/O): it escapes, the process stops, no publish of the turn is acknowledged, and
  // a restart delivers what the file holds.
  private flush(): void {
    this.scheduled = false;
    if (this.closed) return;
    const wanted = this.mayHaveDue ? this.dispatcher.wanted() : 0;
    if (this.awaitingDisk.length === 0 && this.answered.length === 0 && wanted === 0) return;
    const { published, answered, awaitingDisk } = this;
    this.published = [];
    this.answered = [];
    this.awaitingDisk = [];
    const { begin, commit, rollback, insert, claim, attempt, delivered, retry } = this.statements;
    const now = Date.now();
    let claimed: ClaimedEvent[] = [];
    let retries = false;
    begin.run();
    try {
      for (const event of published) insert.run(event.messageId, event.path, event.payload, now);
      for (const answer of answered) {
        attempt.run(answer.id, answer.statusCode, now);
        if (answer.delivered) {
          delivered.run(answer.id);
        } else {
          retry.run(now + RETRY_DELAY_MS, answer.id);
          retries = true;
        }
      }
      // Last, so this turn's publishes can be claimed at once: they may be sent before their fsync ends, and a
      // crash in between only sends one again, which at-least-once allows.
      if (wanted > 0) {
        claimed = claim.all(now + this.leaseMs, now, wanted) as ClaimedEvent[];
        if (claimed.length < wanted) this.mayHaveDue = false;
      }
      commit.run();
    } catch (error) {
      if (this.db.inTransaction) rollback.run();
      throw error;
    }
    if (retries) this.wakeAt(now + RETRY_DELAY_MS);
    if (awaitingDisk.length > 0) {
      this.walSync.afterCommit((error) => {
        // A failed fsync leaves unknown what reached the disk (the kernel may drop the dirty pages and report
        // success next time): no publish may be acknowledged after it, so the process stops, and a restart
        // delivers what the file holds.
        if (error !== null) throw error;
        for (const onDisk of awaitingDisk) onDisk();
      });
    }
    if (claimed.length > 0) this.dispatcher.claimed(claimed);
  }

  /** Wakes the dispatcher once `dueMs` has passed on the wall clock the claim compares `due` with. */
  private wakeAt(dueMs: number): void {
    setTimeout(() => (Date.now() >= dueMs ? this.wake() : this.wakeAt(dueMs)), Math.max(1, dueMs - Date.now()));
  }
}
