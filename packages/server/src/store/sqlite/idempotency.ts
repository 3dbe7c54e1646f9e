// Idempotency records in SQLite. beginIdempotent reads and claims in one write transaction, so two callers with
// the same key can never both acquire it.
import type { Statement } from 'better-sqlite3';
import { IdempotencyKeyTakenError } from '../errors.js';
import {
  answeredRecordValues,
  type IdempotencyBegin,
  type IdempotencyRecordInput,
  type IdempotencyScope,
  type IdempotencyState,
  type IdempotencyStore,
  type LiveIdempotencyRecord,
} from '../idempotency.js';
import type { SqliteParts } from './sqlite-parts.js';
import { HOT_WRITE, HOT_WRITE_AT_COMMIT } from './write-queue.js';

interface RecordRow {
  request_sha256: string;
  status_code: number | null;
  body: string | null;
  locked_until: number;
  expires_at: number;
}

/** The record for the scope if it counts: completed and not expired, or in progress with its lock not run out. */
function liveRecord(
  sql: (text: string) => Statement,
  scope: IdempotencyScope,
  now: number,
): LiveIdempotencyRecord | null {
  const row = sql(
    'SELECT request_sha256, status_code, body, locked_until, expires_at FROM idempotency_records WHERE caller_id = ? AND key = ? AND path = ?',
  ).get(scope.callerId, scope.key, scope.path) as RecordRow | undefined;
  if (row === undefined || row.expires_at <= now) return null;
  if (row.status_code !== null) {
    return { state: 'completed', requestSha256: row.request_sha256, statusCode: row.status_code, body: row.body ?? '' };
  }
  return row.locked_until > now ? { state: 'in_progress', requestSha256: row.request_sha256 } : null;
}

/**
 * Inside the write transaction of the write it answers (AnswerWithWrite): takes the record, completed with its
 * answer, unless a live one is there; then throws IdempotencyKeyTakenError, and the write queue undoes the write.
 * The upsert's WHERE is liveRecord's rule turned round: it replaces only a record that no longer counts.
 */
export function storeAnswerWithWrite(
  sql: (text: string) => Statement,
  record: IdempotencyRecordInput,
  answer: { statusCode: number; body: string },
): void {
  const taken = sql(
    `INSERT INTO idempotency_records AS r (caller_id, key, path, request_sha256, status_code, body, locked_until, expires_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (caller_id, key, path) DO UPDATE SET request_sha256 = excluded.request_sha256,
       status_code = excluded.status_code, body = excluded.body, locked_until = excluded.locked_until,
       expires_at = excluded.expires_at, created_at = excluded.created_at
     WHERE r.expires_at <= excluded.created_at OR (r.status_code IS NULL AND r.locked_until <= excluded.created_at)`,
    // better-sqlite3 binds no numbered parameters (?7 twice): the time again, for created_at.
  ).run(...answeredRecordValues(record, answer), record.now).changes;
  if (taken === 1) return;
  const live = liveRecord(sql, record, record.now);
  // Not taken means a live record was there, and nothing else has written since in this transaction.
  if (live === null) throw new Error('idempotency record neither taken nor live');
  throw new IdempotencyKeyTakenError(live);
}

/** When the write did nothing (its eventId taken): a live record for the key means that request committed first. */
export function throwIfKeyTaken(sql: (text: string) => Statement, record: IdempotencyRecordInput): void {
  const live = liveRecord(sql, record, record.now);
  if (live !== null) throw new IdempotencyKeyTakenError(live);
}

export class SqliteIdempotency implements IdempotencyStore {
  constructor(private readonly parts: SqliteParts) {}

  async lookupIdempotent(scope: IdempotencyScope, now: number): Promise<LiveIdempotencyRecord | null> {
    const live = liveRecord(this.parts.sql, scope, now);
    if (live?.state === 'completed') await this.onDisk();
    return live;
  }

  /**
   * Resolves once everything committed so far is on disk. A completed record read here may come from a commit whose
   * fsync is still running (reads see commits, and a publish's commit is answered only after its fsync): replayed at
   * once, its answer could name a message a power cut takes back. An empty write waits for the next fsync, which
   * covers every commit before it. Only replays pay it.
   */
  private onDisk(): Promise<void> {
    // Bounded and rerunnable, as the hot writes are: it writes nothing.
    return this.parts.write(() => undefined, HOT_WRITE);
  }

  async beginIdempotent(input: IdempotencyBegin): Promise<IdempotencyState> {
    const state = await this.parts.write((): IdempotencyState => {
      const live = liveRecord(this.parts.sql, input, input.now);
      if (live !== null) return live;
      this.parts
        .sql(
          `INSERT INTO idempotency_records (caller_id, key, path, request_sha256, status_code, body, locked_until, expires_at, created_at)
           VALUES (@callerId, @key, @path, @requestSha256, NULL, NULL, @lockedUntil, @expiresAt, @now)
           ON CONFLICT (caller_id, key, path) DO UPDATE SET request_sha256 = excluded.request_sha256, status_code = NULL,
             body = NULL, locked_until = excluded.locked_until, expires_at = excluded.expires_at, created_at = excluded.created_at`,
        )
        .run(input);
      return { state: 'acquired' };
      // Visible at commit is enough: the request's own durable write (and its stored answer) come later in the same
      // WAL, so once they are on disk this claim is too; lost alone, it only lets a retry run the request again.
    }, HOT_WRITE_AT_COMMIT);
    // A replay, as for lookupIdempotent: not before what it answers from is on disk.
    if (state.state === 'completed') await this.onDisk();
    return state;
  }

  completeIdempotent(scope: IdempotencyScope, answer: { statusCode: number; body: string }): Promise<void> {
    return this.parts.write(() => {
      this.parts
        .sql(
          'UPDATE idempotency_records SET status_code = ?, body = ? WHERE caller_id = ? AND key = ? AND path = ? AND status_code IS NULL',
        )
        .run(answer.statusCode, answer.body, scope.callerId, scope.key, scope.path);
    }, HOT_WRITE);
  }

  releaseIdempotent(scope: IdempotencyScope): Promise<void> {
    return this.parts.write(() => {
      this.parts
        .sql('DELETE FROM idempotency_records WHERE caller_id = ? AND key = ? AND path = ? AND status_code IS NULL')
        .run(scope.callerId, scope.key, scope.path);
    }, HOT_WRITE_AT_COMMIT);
  }

  purgeExpiredIdempotency(now: number): Promise<number> {
    return this.parts.write(
      () => this.parts.sql('DELETE FROM idempotency_records WHERE expires_at <= ?').run(now).changes,
    );
  }
}
