// Ordered delivery in PostgreSQL: each (endpoint, ordering key) of a 'fifo' endpoint is a line in ordering_lines.
// Its head is the only delivery of the line that is ever pending or sending; the others wait parked ('paused') in
// publish order, and hookline_advance_lines (migrations/0015-ordered-delivery.sql) makes the next one due when the
// head has ended, under the line's row lock. SQLite's twin is sqlite/ordering.ts.
import { type HeldKeyRow, type OrderingStore, toHeldKey } from '../ordering.js';
import type { HeldKey } from '../types.js';
import type { PostgresParts } from './postgres-parts.js';
import { WORK_CHANNEL } from './work-listener.js';

/** $1 endpoint ids, $2 keys (parallel arrays), $3 now: moves those lines on; answers how many were made due. */
export const ADVANCE_LINES = 'SELECT hookline_advance_lines($1::text[], $2::text[], $3) AS promoted';

/** $1 endpoint, $2 now: every line of the endpoint moved on (its ordering settings changed). */
export const ADVANCE_ALL_LINES = `SELECT hookline_advance_lines(array_agg(endpoint_id), array_agg(ordering_key), $2)
  FROM ordering_lines WHERE endpoint_id = $1`;

/**
 * $1 endpoint, $2 now. An endpoint that stops being ordered sends what waited at once, as an unordered endpoint
 * would: the parked deliveries of its lines are made due (still parked when it is disabled) and its lines forgotten.
 * Its deliveries not yet ended lose their key (`unkeyed`: the ones `released` does not touch), so they are unordered
 * ones from now on: an enable wakes every parked unordered delivery, where it would leave a keyed one parked as
 * waiting in a line that no longer exists. SQLite's twin is dissolveLines.
 */
export const DISSOLVE_LINES = `
WITH released AS (
  UPDATE deliveries d SET status = CASE WHEN e.disabled = 1 THEN 'paused' ELSE 'pending' END,
         next_attempt_at = COALESCE(d.next_attempt_at, $2), updated_at = $2, ordering_key = NULL
    FROM endpoints e
   WHERE e.id = d.endpoint_id AND d.endpoint_id = $1 AND d.status = 'paused' AND d.ordering_key IS NOT NULL
  RETURNING 1
), unkeyed AS (
  UPDATE deliveries SET ordering_key = NULL
   WHERE endpoint_id = $1 AND status IN ('pending', 'sending') AND ordering_key IS NOT NULL
), forgotten AS (
  DELETE FROM ordering_lines WHERE endpoint_id = $1
), woken AS (SELECT pg_notify('${WORK_CHANNEL}', '') FROM (SELECT 1 FROM released LIMIT 1) any_released)
SELECT (SELECT count(*) FROM released) AS n, (SELECT count(*) FROM woken) AS woken`;

/** The status a replay gives a delivery of an ordered line that is not its head: it waits in its line. */
export const REPLAY_STATUS_OF_LINE = `CASE WHEN deliveries.ordering_key IS NOT NULL AND deliveries.id IS DISTINCT FROM (
    SELECT head_id FROM ordering_lines l
     WHERE l.endpoint_id = deliveries.endpoint_id AND l.ordering_key = deliveries.ordering_key)
  THEN 'paused' END`;

/** Distinct lines of rows, as ADVANCE_LINES's parallel arrays. */
export function linesOf(rows: ReadonlyArray<{ endpoint_id: string; ordering_key: string | null }>): {
  endpoints: string[];
  keys: string[];
} {
  const seen = new Set<string>();
  const endpoints: string[] = [];
  const keys: string[] = [];
  for (const row of rows) {
    if (row.ordering_key === null) continue;
    const line = JSON.stringify([row.endpoint_id, row.ordering_key]);
    if (seen.has(line)) continue;
    seen.add(line);
    endpoints.push(row.endpoint_id);
    keys.push(row.ordering_key);
  }
  return { endpoints, keys };
}

export class PostgresOrdering implements OrderingStore {
  constructor(private readonly parts: PostgresParts) {}

  async listHeldKeys(appId: string, endpointId: string, limit: number): Promise<HeldKey[]> {
    const { rows } = await this.parts.query<HeldKeyRow>(
      `SELECT l.ordering_key, d.message_id, d.id AS delivery_id, d.updated_at, d.last_error, d.last_status_code,
              (SELECT count(*) FROM deliveries w
                WHERE w.endpoint_id = l.endpoint_id AND w.ordering_key = l.ordering_key AND w.status = 'paused') AS waiting
         FROM ordering_lines l
         JOIN endpoints e ON e.id = l.endpoint_id
         JOIN deliveries d ON d.id = l.head_id
        WHERE l.endpoint_id = $1 AND e.app_id = $2 AND e.ordering_on_dead = 'hold' AND d.status = 'dead'
        ORDER BY d.updated_at, l.ordering_key LIMIT $3`,
      [endpointId, appId, limit],
    );
    return rows.map(toHeldKey);
  }
}
