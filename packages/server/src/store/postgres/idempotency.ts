// Idempotency records in PostgreSQL, shared by every process. beginIdempotent is one statement: an upsert that
// takes the record only when none is live (absent, expired, or in progress with its lock run out), so two callers
// with the same key, in any processes, can never both acquire it.
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
import type { PostgresParts } from './postgres-parts.js';
import type { Queryable } from './watched-pool.js';

interface BeginRow {
  acquired: boolean;
  request_sha256: string;
  status_code: number | null;
  body: string | null;
}

/**
 * How a record is taken: over one that no longer counts (expired, or in progress with its lock run out), in an
 * upsert on the table aliased `r`, `now` being the parameter that holds the time. What counts is liveRecord's rule.
 */
export const takeOverRecordsThatNoLongerCount = (now: string) =>
  `ON CONFLICT (caller_id, key, path) DO UPDATE
       SET request_sha256 = EXCLUDED.request_sha256, status_code = EXCLUDED.status_code, body = EXCLUDED.body,
           locked_until = EXCLUDED.locked_until, expires_at = EXCLUDED.expires_at, created_at = EXCLUDED.created_at
       WHERE r.expires_at <= ${now} OR (r.status_code IS NULL AND r.locked_until <= ${now})`;

interface RecordRow {
  request_sha256: string;
  status_code: number | null;
  body: string | null;
}

/** What counts of a record (see liveRecord in the SQLite store): read in a statement of its own, as committed. */
async function liveRecord(on: Queryable, scope: IdempotencyScope, now: number): Promise<LiveIdempotencyRecord | null> {
  const { rows } = await on.query<RecordRow>(
    `SELECT request_sha256, status_code, body FROM idempotency_records
      WHERE caller_id = $1 AND key = $2 AND path = $3 AND expires_at > $4 AND (status_code IS NOT NULL OR locked_until > $4)`,
    [scope.callerId, scope.key, scope.path, now],
  );
  const row = rows[0];
  return row === undefined ? null : recordOf(row);
}

/** A live record's row as its state: completed once it holds an answer, in progress until then. */
function recordOf(row: RecordRow): LiveIdempotencyRecord {
  return row.status_code === null
    ? { state: 'in_progress', requestSha256: row.request_sha256 }
    : { state: 'completed', requestSha256: row.request_sha256, statusCode: row.status_code, body: row.body ?? '' };
}

/**
 * Inside the transaction of the write it answers (AnswerWithWrite): takes the record, completed with its answer,
 * unless a live one is there, and then throws IdempotencyKeyTakenError so the transaction rolls back. A request with
 * the same key in a transaction still open makes the upsert wait for it; once that one commits, its record is live
 * and is read by the next statement, which sees what has committed.
 */
export async function storeAnswerWithWrite(
  on: Queryable,
  record: IdempotencyRecordInput,
  answer: { statusCode: number; body: string },
): Promise<void> {
  const { rows } = await on.query(
    `INSERT INTO idempotency_records AS r (caller_id, key, path, request_sha256, status_code, body, locked_until, expires_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7)
     ${takeOverRecordsThatNoLongerCount('$7')}
     RETURNING 1`,
    answeredRecordValues(record, answer),
  );
  if (rows.length === 1) return;
  await throwKeyTaken(on, record);
}

/** Throws IdempotencyKeyTakenError with the live record for the key, read as committed now. */
async function throwKeyTaken(on: Queryable, record: IdempotencyRecordInput): Promise<never> {
  // Gone again since the write met it (released by its holder): answered as still in progress, to retry.
  const live = await liveRecord(on, record, record.now);
  throw new IdempotencyKeyTakenError(live ?? { state: 'in_progress', requestSha256: record.requestSha256 });
}

/**
 * What a statement that stores an answer with its write raises when it meets a live record after writing (a cast
 * that fails on purpose: plain SQL has no RAISE). See PUBLISH_ANSWERED in messages.ts.
 */
export const KEY_TAKEN_MESSAGE = 'hookline: idempotency key taken';

/** Runs a statement that stores an answer with its write; its KEY_TAKEN failure becomes IdempotencyKeyTakenError. */
export async function keyTakenAsError<T>(
  statement: Promise<T>,
  on: Queryable,
  record: IdempotencyRecordInput,
): Promise<T> {
  try {
    return await statement;
  } catch (error) {
    const pgError = error as { code?: string; message?: string };
    if (pgError.code === '22P02' && pgError.message?.includes(KEY_TAKEN_MESSAGE) === true) {
      return throwKeyTaken(on, record);
    }
    throw error;
  }
}

/** When the write did nothing (its eventId taken): a live record for the key means that request committed first. */
export async function throwIfKeyTaken(on: Queryable, record: IdempotencyRecordInput): Promise<void> {
  const live = await liveRecord(on, record, record.now);
  if (live !== null) throw new IdempotencyKeyTakenError(live);
}

export class PostgresIdempotency implements IdempotencyStore {
  constructor(private readonly parts: PostgresParts) {}

  lookupIdempotent(scope: IdempotencyScope, now: number): Promise<LiveIdempotencyRecord | null> {
    return liveRecord(this.parts, scope, now);
  }

  async beginIdempotent(input: IdempotencyBegin): Promise<IdempotencyState> {
    // The upsert's WHERE decides who takes the record; when it does not match, the row is left alone and RETURNING
    // gives nothing, so the live record is read in the statement's second branch. That read uses the statement's
    // snapshot: a record another caller committed just after it began is waited for by the upsert but not seen by
    // the read (no row at all), so the statement runs once more, in a new snapshot that sees it.
    for (let attempt = 1; attempt <= 3; attempt++) {
      const state = await this.tryBegin(input);
      if (state !== null) return state;
    }
    throw new Error('idempotency record changed under three attempts to read it');
  }

  private async tryBegin(input: IdempotencyBegin): Promise<IdempotencyState | null> {
    const { rows } = await this.parts.query<BeginRow>(
      `WITH taken AS (
         INSERT INTO idempotency_records AS r (caller_id, key, path, request_sha256, status_code, body, locked_until, expires_at, created_at)
         VALUES ($1, $2, $3, $4, NULL, NULL, $5, $6, $7)
         ${takeOverRecordsThatNoLongerCount('$7')}
         RETURNING true AS acquired, request_sha256, status_code, body
       )
       SELECT acquired, request_sha256, status_code, body FROM taken
       UNION ALL
       SELECT false, request_sha256, status_code, body FROM idempotency_records
        WHERE caller_id = $1 AND key = $2 AND path = $3 AND NOT EXISTS (SELECT 1 FROM taken)`,
      [input.callerId, input.key, input.path, input.requestSha256, input.lockedUntil, input.expiresAt, input.now],
    );
    const row = rows[0];
    if (row === undefined) return null;
    return row.acquired ? { state: 'acquired' } : recordOf(row);
  }

  async completeIdempotent(scope: IdempotencyScope, answer: { statusCode: number; body: string }): Promise<void> {
    await this.parts.query(
      `UPDATE idempotency_records SET status_code = $1, body = $2
        WHERE caller_id = $3 AND key = $4 AND path = $5 AND status_code IS NULL`,
      [answer.statusCode, answer.body, scope.callerId, scope.key, scope.path],
    );
  }

  async releaseIdempotent(scope: IdempotencyScope): Promise<void> {
    await this.parts.query(
      'DELETE FROM idempotency_records WHERE caller_id = $1 AND key = $2 AND path = $3 AND status_code IS NULL',
      [scope.callerId, scope.key, scope.path],
    );
  }

  async purgeExpiredIdempotency(now: number): Promise<number> {
    const result = await this.parts.query('DELETE FROM idempotency_records WHERE expires_at <= $1', [now]);
    return result.rowCount ?? 0;
  }
}
