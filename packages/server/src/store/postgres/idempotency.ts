// Idempotency records in PostgreSQL, shared by every process. beginIdempotent is one statement: an upsert that
// takes the record only when none is live (absent, expired, or in progress with its lock run out), so two callers
// with the same key, in any processes, can never both acquire it.
import type { IdempotencyBegin, IdempotencyScope, IdempotencyState, IdempotencyStore } from '../idempotency.js';
import type { PostgresParts } from './postgres-parts.js';

interface BeginRow {
  acquired: boolean;
  request_sha256: string;
  status_code: number | null;
  body: string | null;
}

export class PostgresIdempotency implements IdempotencyStore {
  constructor(private readonly parts: PostgresParts) {}

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
         ON CONFLICT (caller_id, key, path) DO UPDATE
           SET request_sha256 = EXCLUDED.request_sha256, status_code = NULL, body = NULL,
               locked_until = EXCLUDED.locked_until, expires_at = EXCLUDED.expires_at, created_at = EXCLUDED.created_at
           WHERE r.expires_at <= $7 OR (r.status_code IS NULL AND r.locked_until <= $7)
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
    if (row.acquired) return { state: 'acquired' };
    if (row.status_code !== null) {
      return {
        state: 'completed',
        requestSha256: row.request_sha256,
        statusCode: row.status_code,
        body: row.body ?? '',
      };
    }
    return { state: 'in_progress', requestSha256: row.request_sha256 };
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
