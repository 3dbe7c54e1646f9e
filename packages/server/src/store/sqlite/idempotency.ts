// Idempotency records in SQLite. beginIdempotent reads and claims in one write transaction, so two callers with
// the same key can never both acquire it.
import type { IdempotencyBegin, IdempotencyScope, IdempotencyState, IdempotencyStore } from '../idempotency.js';
import type { SqliteParts } from './sqlite-parts.js';
import { HOT_WRITE, HOT_WRITE_AT_COMMIT } from './write-queue.js';

interface RecordRow {
  request_sha256: string;
  status_code: number | null;
  body: string | null;
  locked_until: number;
  expires_at: number;
}

export class SqliteIdempotency implements IdempotencyStore {
  constructor(private readonly parts: SqliteParts) {}

  beginIdempotent(input: IdempotencyBegin): Promise<IdempotencyState> {
    return this.parts.write((): IdempotencyState => {
      const row = this.parts
        .sql(
          'SELECT request_sha256, status_code, body, locked_until, expires_at FROM idempotency_records WHERE caller_id = ? AND key = ? AND path = ?',
        )
        .get(input.callerId, input.key, input.path) as RecordRow | undefined;
      if (row !== undefined && row.expires_at > input.now) {
        if (row.status_code !== null) {
          return {
            state: 'completed',
            requestSha256: row.request_sha256,
            statusCode: row.status_code,
            body: row.body ?? '',
          };
        }
        if (row.locked_until > input.now) return { state: 'in_progress', requestSha256: row.request_sha256 };
      }
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
