// The earliest due time of the pending deliveries, for the engine's sleep (nextDueAt) and the queue-lag gauge
// (oldestDueDeliveryAt). There is no index of every pending delivery by due time: it cost each delivery an entry
// written at publish and removed at claim, for a question asked only when a worker is idle or a scrape comes
// (migration 0018). The claim's own index, deliveries_due_app (app_id, next_attempt_at), answers it instead by a
// loose scan: one descent to the next application with pending work, one to its earliest due delivery. So the
// cost is the number of applications with pending work, not the length of the queue.
import type { Statement } from 'better-sqlite3';

const EARLIEST_PENDING = `
WITH RECURSIVE apps(app_id) AS (
  SELECT (SELECT app_id FROM deliveries WHERE status = 'pending' ORDER BY app_id LIMIT 1)
  UNION ALL
  SELECT (SELECT d.app_id FROM deliveries d WHERE d.status = 'pending' AND d.app_id > apps.app_id
          ORDER BY d.app_id LIMIT 1)
    FROM apps WHERE apps.app_id IS NOT NULL
)
SELECT MIN((SELECT d.next_attempt_at FROM deliveries d WHERE d.status = 'pending' AND d.app_id = apps.app_id
            ORDER BY d.next_attempt_at LIMIT 1)) AS at
  FROM apps WHERE apps.app_id IS NOT NULL`;

/** The earliest next_attempt_at of any pending delivery, or null when none is pending. */
export function earliestPendingAt(sql: (text: string) => Statement): number | null {
  const row = sql(EARLIEST_PENDING).get() as { at: number | null };
  return row.at;
}
