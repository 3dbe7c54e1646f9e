-- The claim, in one round trip. A PL/pgSQL function because its two steps need two snapshots: first it locks the
-- gates of endpoints with due work (in id order, so claims never deadlock one another), then, in a new snapshot
-- that sees every claim committed before those locks were granted, it counts each endpoint's unexpired sends,
-- spends rate tokens, and leases at most what each endpoint's limit, cap, tokens and circuit allow. Delivery rows
-- are taken FOR UPDATE SKIP LOCKED, so a row being replayed or recorded is passed over, never waited for.
-- graphile-worker's get_job follows the same shape.
-- It changes only through a new numbered NNNN-claim-function-<why>.sql (store/migrations/README.md).

CREATE FUNCTION hookline_claim(p_now BIGINT, p_lease_until BIGINT, p_limit INT, p_per_endpoint INT,
    p_exclude TEXT[], p_caps JSONB)
  RETURNS TABLE (delivery JSONB, message JSONB, endpoint JSONB) LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  v_endpoints TEXT[];
  v_scan INT := p_limit * 4;
BEGIN
  -- Leases that ran out belong to a worker that died or hung: due again (parked when the endpoint was disabled).
  UPDATE deliveries d
     SET status = CASE WHEN e.disabled = 1 THEN 'paused' ELSE 'pending' END, lease_until = NULL
    FROM endpoints e
   WHERE e.id = d.endpoint_id
     AND d.id IN (SELECT id FROM deliveries WHERE status = 'sending' AND lease_until <= p_now
                  ORDER BY lease_until LIMIT 1000 FOR UPDATE SKIP LOCKED);

  -- Endpoints with due work, from the head of the queue (bounded scan) and, when that head is full, the other
  -- endpoints that have due rows behind it, so a busy endpoint's backlog never starves a quiet one.
  WITH head AS (
    SELECT endpoint_id FROM deliveries
     WHERE status = 'pending' AND next_attempt_at <= p_now
     ORDER BY next_attempt_at LIMIT v_scan
  ), wanted AS (
    SELECT DISTINCT endpoint_id FROM head
    UNION
    SELECT g.endpoint_id FROM endpoint_gates g
     WHERE (SELECT count(*) FROM head) >= v_scan
       AND EXISTS (SELECT 1 FROM deliveries d WHERE d.endpoint_id = g.endpoint_id AND d.status = 'pending'
                     AND d.next_attempt_at <= p_now)
  ), locked AS (
    SELECT g.endpoint_id FROM endpoint_gates g
     WHERE g.endpoint_id IN (SELECT endpoint_id FROM wanted)
       AND g.endpoint_id <> ALL (p_exclude)
       AND (g.open_until IS NULL OR g.open_until <= p_now)
       AND COALESCE((p_caps ->> g.endpoint_id)::INT, 1) > 0
     ORDER BY g.endpoint_id
     FOR UPDATE
  )
  SELECT array_agg(endpoint_id) INTO v_endpoints FROM locked;
  IF v_endpoints IS NULL THEN
    RETURN;
  END IF;

  RETURN QUERY
  WITH busy AS (
    SELECT endpoint_id, count(*)::INT AS n FROM deliveries
     WHERE status = 'sending' AND lease_until > p_now AND endpoint_id = ANY (v_endpoints)
     GROUP BY endpoint_id
  ), gate AS (
    SELECT g.endpoint_id, e.throttle_rate AS rate, COALESCE(b.n, 0) AS in_flight, g.open_until,
           CASE WHEN e.throttle_rate IS NULL OR e.throttle_rate <= 0 THEN NULL
                ELSE LEAST(GREATEST(1, e.throttle_rate)::DOUBLE PRECISION,
                           COALESCE(g.tokens + GREATEST(0, p_now - g.tokens_at) / 1000.0 * e.throttle_rate,
                                    GREATEST(1, e.throttle_rate))) END AS tokens
      FROM endpoint_gates g
      JOIN endpoints e ON e.id = g.endpoint_id AND e.disabled = 0
      LEFT JOIN busy b ON b.endpoint_id = g.endpoint_id
     WHERE g.endpoint_id = ANY (v_endpoints)
  ), allowance AS (
    SELECT endpoint_id, rate, tokens, GREATEST(0, LEAST(
             p_per_endpoint - in_flight,
             COALESCE((p_caps ->> endpoint_id)::INT, p_per_endpoint),
             COALESCE(floor(tokens + 1e-9)::INT, p_per_endpoint),
             CASE WHEN open_until IS NULL THEN p_per_endpoint ELSE 1 - in_flight END)) AS n
      FROM gate
  ), picked AS (
    SELECT d.id, d.endpoint_id FROM allowance a CROSS JOIN LATERAL (
      SELECT id, endpoint_id, next_attempt_at FROM deliveries
       WHERE endpoint_id = a.endpoint_id AND status = 'pending' AND next_attempt_at <= p_now
       ORDER BY next_attempt_at LIMIT a.n
       FOR UPDATE SKIP LOCKED) d
     ORDER BY d.next_attempt_at LIMIT p_limit
  ), claimed AS (
    UPDATE deliveries d SET status = 'sending', lease_until = p_lease_until, updated_at = p_now
      FROM picked WHERE d.id = picked.id
    RETURNING d.*
  ), spent AS (
    UPDATE endpoint_gates g SET tokens = a.tokens - c.n, tokens_at = p_now
      FROM (SELECT endpoint_id, count(*) AS n FROM claimed GROUP BY endpoint_id) c
      JOIN allowance a ON a.endpoint_id = c.endpoint_id
     WHERE g.endpoint_id = c.endpoint_id AND a.rate IS NOT NULL AND a.rate > 0
    RETURNING 1
  )
  -- The messages and endpoints are read here, in this statement's snapshot, which sees every claimed row's
  -- message. A caller joining them outside would use its own older snapshot (taken before the gate locks were
  -- granted) and could miss a message committed meanwhile, leaving its delivery leased and unsent.
  -- spent runs although nothing reads it: a data-modifying WITH always runs to completion.
  -- Each endpoint carries its secrets (expired ones too; the caller filters by time), so signing needs no read.
  SELECT to_jsonb(c), to_jsonb(m),
         to_jsonb(e) || jsonb_build_object('secrets', (
           SELECT COALESCE(jsonb_agg(jsonb_build_object('secret', s.secret, 'expires_at', s.expires_at)
                                     ORDER BY s.created_at DESC, s.serial DESC), '[]'::jsonb)
             FROM endpoint_secrets s WHERE s.endpoint_id = e.id))
    FROM claimed c
    JOIN messages m ON m.id = c.message_id
    JOIN endpoints e ON e.id = c.endpoint_id
   ORDER BY c.next_attempt_at, c.id;
END
$fn$;
