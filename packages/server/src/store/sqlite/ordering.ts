// Ordered delivery in SQLite: each (endpoint, ordering key) of a 'fifo' endpoint is a line in ordering_lines. Its
// head is the only delivery of the line that is ever pending or sending; the others wait parked ('paused') in publish
// order (ordering_seq), and the next one is made due only when the head is delivered, or dead when the endpoint
// skips dead heads. Everything here runs inside a write transaction (SQLite has one writer), so no line is ever
// looked at by two writers at once. PostgreSQL's twin is hookline_advance_lines (postgres/migrations/0015).
import type BetterSqlite3 from 'better-sqlite3';
import { type HeldKeyRow, type OrderingStore, toHeldKey } from '../ordering.js';
import type { HeldKey } from '../types.js';
import type { SqliteParts } from './sqlite-parts.js';

type Prepare = (text: string) => BetterSqlite3.Statement;

/** A line: one (endpoint, key). */
export interface OrderingLine {
  endpointId: string;
  orderingKey: string;
}

/**
 * Puts a new delivery of an ordered endpoint at the end of its line: the head when the line is idle (its status is
 * then the caller's, pending), else parked behind it. Returns its status and its place in the line.
 */
export function joinLine(
  sql: Prepare,
  line: OrderingLine,
  deliveryId: string,
): { status: 'pending' | 'paused'; seq: number } {
  const current = sql('SELECT head_id, last_seq FROM ordering_lines WHERE endpoint_id = ? AND ordering_key = ?').get(
    line.endpointId,
    line.orderingKey,
  ) as { head_id: string | null; last_seq: number } | undefined;
  if (current === undefined) {
    sql('INSERT INTO ordering_lines (endpoint_id, ordering_key, head_id, last_seq) VALUES (?, ?, ?, 1)').run(
      line.endpointId,
      line.orderingKey,
      deliveryId,
    );
    return { status: 'pending', seq: 1 };
  }
  const seq = current.last_seq + 1;
  const head = current.head_id ?? deliveryId;
  sql('UPDATE ordering_lines SET head_id = ?, last_seq = ? WHERE endpoint_id = ? AND ordering_key = ?').run(
    head,
    seq,
    line.endpointId,
    line.orderingKey,
  );
  return { status: head === deliveryId ? 'pending' : 'paused', seq };
}

/**
 * Moves each line on whose head has ended (delivered, or dead when the endpoint skips dead heads): the next waiting
 * delivery, lowest ordering_seq first, becomes the head, due (parked if the endpoint is disabled); with none the line
 * is idle. Idempotent: a line whose head is still live (pending, sending, parked, or dead and held) is left as it is.
 * Returns how many deliveries were made due.
 */
export function advanceLines(sql: Prepare, lines: readonly OrderingLine[], now: number): number {
  let promoted = 0;
  for (const line of lines) {
    const current = sql('SELECT head_id FROM ordering_lines WHERE endpoint_id = ? AND ordering_key = ?').get(
      line.endpointId,
      line.orderingKey,
    ) as { head_id: string | null } | undefined;
    if (current === undefined) continue;
    if (current.head_id !== null && headIsLive(sql, current.head_id, line.endpointId)) continue;
    const next = sql(
      `SELECT id FROM deliveries WHERE endpoint_id = ? AND ordering_key = ? AND status = 'paused'
        ORDER BY ordering_seq LIMIT 1`,
    ).get(line.endpointId, line.orderingKey) as { id: string } | undefined;
    if (next !== undefined) {
      sql(
        `UPDATE deliveries SET status = CASE WHEN (SELECT disabled FROM endpoints WHERE id = deliveries.endpoint_id) = 1
           THEN 'paused' ELSE 'pending' END, next_attempt_at = COALESCE(next_attempt_at, ?), updated_at = ?
         WHERE id = ?`,
      ).run(now, now, next.id);
      promoted++;
    }
    sql('UPDATE ordering_lines SET head_id = ? WHERE endpoint_id = ? AND ordering_key = ?').run(
      next?.id ?? null,
      line.endpointId,
      line.orderingKey,
    );
  }
  return promoted;
}

/** A head holds its line while it may still be sent: pending, sending, parked, or dead on an endpoint that holds. */
function headIsLive(sql: Prepare, headId: string, endpointId: string): boolean {
  const head = sql('SELECT status FROM deliveries WHERE id = ?').get(headId) as { status: string } | undefined;
  if (head === undefined) return false;
  if (head.status === 'pending' || head.status === 'sending' || head.status === 'paused') return true;
  if (head.status !== 'dead') return false;
  const endpoint = sql('SELECT ordering_on_dead FROM endpoints WHERE id = ?').get(endpointId) as
    | { ordering_on_dead: string }
    | undefined;
  return endpoint?.ordering_on_dead === 'hold';
}

/** Every line of an endpoint, to move on after its ordering settings change. */
export function linesOfEndpoint(sql: Prepare, endpointId: string): OrderingLine[] {
  return (
    sql('SELECT ordering_key FROM ordering_lines WHERE endpoint_id = ?').all(endpointId) as Array<{
      ordering_key: string;
    }>
  ).map((row) => ({ endpointId, orderingKey: row.ordering_key }));
}

/**
 * An endpoint that stops being ordered sends what waited at once, as an unordered endpoint would: its parked
 * deliveries of lines are made due (still parked when the endpoint is disabled) and its lines forgotten. Its
 * deliveries not yet ended lose their key, so they are unordered ones from now on: an enable wakes every parked
 * unordered delivery, where it would leave a keyed one parked as waiting in a line that no longer exists.
 */
export function dissolveLines(sql: Prepare, endpointId: string, now: number): void {
  sql(
    `UPDATE deliveries SET status = CASE WHEN (SELECT disabled FROM endpoints WHERE id = deliveries.endpoint_id) = 1
       THEN 'paused' ELSE 'pending' END, next_attempt_at = COALESCE(next_attempt_at, ?), updated_at = ?
     WHERE endpoint_id = ? AND status = 'paused' AND ordering_key IS NOT NULL`,
  ).run(now, now, endpointId);
  sql(
    `UPDATE deliveries SET ordering_key = NULL
      WHERE endpoint_id = ? AND status IN ('pending', 'sending', 'paused') AND ordering_key IS NOT NULL`,
  ).run(endpointId);
  sql('DELETE FROM ordering_lines WHERE endpoint_id = ?').run(endpointId);
}

/** The SQL a status takes when a delivery is made due again by a replay: behind its line's head unless it is it. */
export const REPLAY_STATUS_OF_LINE = `CASE WHEN deliveries.ordering_key IS NOT NULL AND deliveries.id IS NOT (
    SELECT head_id FROM ordering_lines l
     WHERE l.endpoint_id = deliveries.endpoint_id AND l.ordering_key = deliveries.ordering_key)
  THEN 'paused' END`;

export class SqliteOrdering implements OrderingStore {
  constructor(private readonly parts: SqliteParts) {}

  async listHeldKeys(appId: string, endpointId: string, limit: number): Promise<HeldKey[]> {
    const rows = this.parts
      .sql(
        `SELECT l.ordering_key, d.message_id, d.id AS delivery_id, d.updated_at, d.last_error, d.last_status_code,
                (SELECT COUNT(*) FROM deliveries w
                  WHERE w.endpoint_id = l.endpoint_id AND w.ordering_key = l.ordering_key AND w.status = 'paused'
                    AND w.ordering_key IS NOT NULL) AS waiting
           FROM ordering_lines l
           JOIN endpoints e ON e.id = l.endpoint_id
           JOIN deliveries d ON d.id = l.head_id
          WHERE l.endpoint_id = ? AND e.app_id = ? AND e.ordering_on_dead = 'hold' AND d.status = 'dead'
          ORDER BY d.updated_at, l.ordering_key LIMIT ?`,
      )
      .all(endpointId, appId, limit) as HeldKeyRow[];
    return rows.map(toHeldKey);
  }
}
