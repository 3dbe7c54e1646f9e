// The queue's statements on PostgreSQL, in one place. Each is a single round trip: publish (message + fan-out +
// NOTIFY), claim (leases + the rows needed to send), record (a whole batch of attempts), so a delivery costs about
// one statement to publish plus its share of one claim and one record batch.
import { WORK_CHANNEL } from './work-listener.js';

/** The status a delivery takes when it becomes due again: parked while its endpoint is disabled. */
export const DUE_AGAIN_STATUS = `CASE WHEN EXISTS (SELECT 1 FROM endpoints WHERE endpoints.id = deliveries.endpoint_id AND endpoints.disabled = 1)
  THEN 'paused' ELSE 'pending' END`;

/**
 * $1 message id, $2 app id, $3 event type, $4 event id, $5 payload, $6 channels (JSON text or null), $7 now.
 * The endpoint filter is fan-out.ts's rule (matchesEndpoint) in SQL: empty or null filters match everything.
 * The NOTIFY is sent by PostgreSQL at commit, so a worker never wakes before the rows are visible.
 */
export const PUBLISH = `
WITH message AS (
  INSERT INTO messages (id, app_id, event_type, event_id, payload, channels, created_at, deliver_at, tags)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
  RETURNING id
), fanned AS (
  INSERT INTO deliveries (id, message_id, endpoint_id, app_id, status, attempts, next_attempt_at, created_at, updated_at)
  SELECT hookline_new_id('dlv', $7), message.id, e.id, $2, 'pending', 0, GREATEST($7, COALESCE($8, $7)), $7, $7
    FROM message CROSS JOIN (
      SELECT id FROM endpoints
       WHERE app_id = $2 AND disabled = 0
         AND (event_types IS NULL OR event_types = '[]' OR event_types::jsonb ? $3::text)
         AND (channels IS NULL OR channels = '[]'
              OR ($6::text IS NOT NULL AND channels::jsonb ?| ARRAY(SELECT jsonb_array_elements_text($6::jsonb))))
       ORDER BY id) e
  RETURNING 1
), woken AS (
  SELECT pg_notify('${WORK_CHANNEL}', '') FROM (SELECT 1 FROM fanned LIMIT 1) any_delivery
)
SELECT (SELECT count(*) FROM fanned) AS deliveries, (SELECT count(*) FROM woken) AS woken`;

/**
 * The claim function returns each leased delivery with its message and endpoint: the engine needs no second read.
 * $7 is this process's lease owner key (lease-owner.ts), or null.
 */
export const CLAIM = 'SELECT delivery, message, endpoint FROM hookline_claim($1, $2, $3, $4, $5, $6, $7)';

/**
 * A batch of attempt results as parallel arrays. The lease check is in the UPDATE: a result for a lease that was
 * lost (expired and claimed again, given back, the delivery deleted) matches no row and is dropped with no
 * attempt logged. failing_since and the circuit are updated per endpoint from the batch, and only when they change,
 * so the healthy path writes no endpoint or gate row.
 */
export const RECORD = `
WITH r AS (
  SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::int[], $7::bigint[],
                       $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::int[], $14::text[],
                       $18::text[])
    WITH ORDINALITY AS r(delivery_id, lease_until, status, next_attempt_at, last_error, status_code, at,
                         attempt_id, outcome, trigger, url, response_body, duration_ms, circuit, request_headers, ord)
), moved AS (
  UPDATE deliveries d
     SET status = CASE WHEN r.status = 'pending' AND e.disabled = 1 THEN 'paused' ELSE r.status END,
         attempts = d.attempts + 1, next_attempt_at = r.next_attempt_at, lease_until = NULL, manual = 0,
         last_error = r.last_error, last_status_code = r.status_code, updated_at = r.at
    FROM r, endpoints e
   WHERE d.id = r.delivery_id AND d.status = 'sending' AND d.lease_until = r.lease_until AND e.id = d.endpoint_id
  RETURNING d.id, d.message_id, d.endpoint_id, d.app_id
), logged AS (
  INSERT INTO attempts (id, delivery_id, message_id, endpoint_id, app_id, url, outcome, trigger, status_code,
                        response_body, duration_ms, error, request_headers, created_at)
  SELECT r.attempt_id, moved.id, moved.message_id, moved.endpoint_id, moved.app_id, r.url, r.outcome, r.trigger,
         r.status_code, r.response_body, r.duration_ms, r.last_error, r.request_headers, r.at
    FROM moved JOIN r ON r.delivery_id = moved.id
), results AS (
  SELECT moved.endpoint_id, r.outcome, r.circuit, r.at, r.ord,
         max(r.at) FILTER (WHERE r.outcome = 'succeeded') OVER (PARTITION BY moved.endpoint_id) AS last_success_at,
         max(r.at) FILTER (WHERE r.outcome = 'failed') OVER (PARTITION BY moved.endpoint_id) AS last_failure_at
    FROM moved JOIN r ON r.delivery_id = moved.id
), per_endpoint AS (
  SELECT endpoint_id, max(last_success_at) AS last_success_at, max(last_failure_at) AS last_failure_at,
         min(at) FILTER (WHERE outcome = 'failed' AND (last_success_at IS NULL OR at > last_success_at)) AS failing_from,
         count(*) FILTER (WHERE circuit = 'failure') AS circuit_failures,
         (array_agg(circuit ORDER BY at DESC, ord DESC) FILTER (WHERE circuit IN ('success', 'failure')))[1] AS circuit_last,
         max(at) AS at
    FROM results GROUP BY endpoint_id
), health AS (
  UPDATE endpoints e
     SET failing_since = CASE
           WHEN p.last_failure_at IS NULL OR p.last_success_at >= p.last_failure_at THEN NULL
           WHEN p.last_success_at IS NULL THEN COALESCE(e.failing_since, p.failing_from)
           ELSE p.failing_from END
    FROM per_endpoint p
   WHERE e.id = p.endpoint_id
     AND e.failing_since IS DISTINCT FROM (CASE
           WHEN p.last_failure_at IS NULL OR p.last_success_at >= p.last_failure_at THEN NULL
           WHEN p.last_success_at IS NULL THEN COALESCE(e.failing_since, p.failing_from)
           ELSE p.failing_from END)
), circuit AS (
  UPDATE endpoint_gates g
     SET consecutive_failures = CASE WHEN p.circuit_last = 'success' THEN 0
                                     ELSE g.consecutive_failures + p.circuit_failures END,
         open_until = CASE
           WHEN p.circuit_last = 'success' THEN NULL
           -- half-open (the open time has passed) and the probe failed: open again, twice as long (capped)
           WHEN g.open_until IS NOT NULL AND g.open_until <= p.at THEN p.at + LEAST(g.open_ms * 2, $17::bigint)
           WHEN g.open_until IS NULL AND g.consecutive_failures + p.circuit_failures >= $15::int THEN p.at + $16::bigint
           ELSE g.open_until END,
         open_ms = CASE
           WHEN p.circuit_last = 'success' THEN NULL
           WHEN g.open_until IS NOT NULL AND g.open_until <= p.at THEN LEAST(g.open_ms * 2, $17::bigint)
           WHEN g.open_until IS NULL AND g.consecutive_failures + p.circuit_failures >= $15::int THEN $16::bigint
           ELSE g.open_ms END
    FROM per_endpoint p
   WHERE g.endpoint_id = p.endpoint_id AND p.circuit_last IS NOT NULL
     AND (p.circuit_last = 'failure' OR g.consecutive_failures > 0 OR g.open_until IS NOT NULL)
)
SELECT moved.id, moved.endpoint_id, moved.app_id FROM moved`;

/**
 * $1 endpoint id, $2 disabled (0/1), $3 reason, $4 now, $5 operational event id. Parks the endpoint's pending
 * deliveries on disable; makes parked ones due at once on enable (and wakes the workers). No-op when unchanged.
 */
export const SET_DISABLED = `
WITH current AS (
  SELECT id FROM endpoints WHERE id = $1 AND disabled <> $2::smallint FOR UPDATE
), changed AS (
  UPDATE endpoints e
     SET disabled = $2::smallint, disabled_reason = CASE WHEN $2::smallint = 1 THEN $3 ELSE NULL END,
         failing_since = NULL, updated_at = $4
    FROM current WHERE e.id = current.id
  RETURNING e.id, e.app_id
), parked AS (
  UPDATE deliveries d
     SET status = CASE WHEN $2::smallint = 1 THEN 'paused' ELSE 'pending' END,
         next_attempt_at = CASE WHEN $2::smallint = 1 THEN d.next_attempt_at ELSE $4 END, updated_at = $4
    FROM changed
   WHERE d.endpoint_id = changed.id AND d.status = CASE WHEN $2::smallint = 1 THEN 'pending' ELSE 'paused' END
), logged AS (
  INSERT INTO operational_events (id, type, app_id, endpoint_id, reason, created_at)
  SELECT $5, CASE WHEN $2::smallint = 1 THEN 'endpoint.disabled' ELSE 'endpoint.enabled' END, changed.app_id,
         changed.id, COALESCE($3, ''), $4
    FROM changed
), woken AS (
  SELECT pg_notify('${WORK_CHANNEL}', '') FROM changed WHERE $2::smallint = 0
)
SELECT (SELECT count(*) FROM changed) AS changed, (SELECT count(*) FROM woken) AS woken`;

/** Each count is answered by its status's partial index: the cost is that status's size, not the history's. */
export const QUEUE_DEPTH = `
SELECT (SELECT count(*) FROM deliveries WHERE status = 'pending')::int AS pending,
       (SELECT count(*) FROM deliveries WHERE status = 'sending')::int AS sending,
       (SELECT count(*) FROM deliveries WHERE status = 'paused')::int AS paused,
       (SELECT count(*) FROM deliveries WHERE status = 'dead')::int AS dead`;

/** The head of deliveries_due: one index step, however long the queue. */
export const OLDEST_DUE = `
SELECT next_attempt_at AS at FROM deliveries
WHERE status = 'pending' AND next_attempt_at <= $1
ORDER BY next_attempt_at LIMIT 1`;
