-- The claim's head reads at most the batch (issue 12). 0012 gave each application in turn an equal share of 4x
-- the batch: with one application having due work its head read 4x the batch (2x with two, 1.3x with three), read
-- those rows again by id as candidates, and the next claims read the rows this one could not take once more. Now a
-- share is ceil(min(4x the batch, the batch x applications) / applications): at most the batch each; four
-- applications or more share 4x the batch as before. A head is full, so step 3 looks behind it for endpoints with
-- no row in it, when it holds the share: with one to three applications that is now the batch, not 4x to 1.3x it.
-- Nothing else changes: this is 0012's function with step 2's share bounded. Counted in claim-head.test.ts (one
-- claim of 5 at a head of 300: 54 rows of deliveries read before, 24 now).
-- The twin in SQLite: sqlite/claim-candidates.ts (`share`, commit b6ad4aa); no SQLite migration, its claim
-- candidates are found in TypeScript.

CREATE OR REPLACE FUNCTION hookline_claim(p_now BIGINT, p_lease_until BIGINT, p_limit INT, p_per_endpoint INT,
    p_exclude TEXT[], p_caps JSONB, p_owner INT)
  RETURNS TABLE (delivery JSONB, message JSONB, endpoint JSONB) LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  -- Applications served by one claim, and index descents spent finding them (some have only later work).
  c_max_apps CONSTANT INT := 16;
  c_app_probes CONSTANT INT := 64;
  v_scan INT := p_limit * 4;
  v_after_app TEXT := COALESCE(current_setting('hookline.claim_after_app', true), '');
  v_after_endpoint TEXT := COALESCE(current_setting('hookline.claim_after_endpoint', true), '');
  v_from TEXT;
  v_wrapped BOOLEAN;
  v_key TEXT;
  v_due_at BIGINT;
  v_apps TEXT[] := '{}';
  v_share INT;
  v_full BOOLEAN;
  v_ids TEXT[];
  v_endpoints TEXT[];
  v_behind TEXT[] := '{}';
  v_behind_ids TEXT[];
  v_locked TEXT[];
BEGIN
  -- Leases that ran out belong to a worker that died or hung, and leases whose owner's session has ended belong to
  -- a process that died (its sends died with it): due again (parked when the endpoint was disabled). The live
  -- owners (each holds its key's advisory lock on a session of its own: lease-owner.ts) are read in this statement,
  -- after its snapshot: an owner whose leases the snapshot sees took its lock before them, so it is in the list.
  -- A lease taken without an owner (its process could not hold its session then) runs out by time only: 0009 took
  -- it back at once whenever no owner at all was live (NULL <> ALL ('{}') is true), so it was sent twice.
  UPDATE deliveries d
     SET status = CASE WHEN e.disabled = 1 THEN 'paused' ELSE 'pending' END, lease_until = NULL, leased_by = NULL
    FROM endpoints e
   WHERE e.id = d.endpoint_id
     AND d.id IN (SELECT id FROM deliveries
                   WHERE status = 'sending'
                     AND (lease_until <= p_now OR leased_by IS NOT NULL AND leased_by <> ALL (ARRAY(
                           SELECT objid::BIGINT::INT FROM pg_locks
                            WHERE locktype = 'advisory' AND classid = 720615 AND objsubid = 2 AND granted
                              AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))))
                   ORDER BY lease_until LIMIT 1000 FOR UPDATE SKIP LOCKED);

  -- 1. Applications with due work, in turn: after the one this session's last claim reached, wrapping round once.
  --    Each descent finds the next application with pending work and its earliest due time (deliveries_due_app).
  v_from := v_after_app;
  v_wrapped := false;
  FOR i IN 1..c_app_probes LOOP
    v_key := NULL;
    SELECT app_id, next_attempt_at INTO v_key, v_due_at FROM deliveries
     WHERE status = 'pending' AND app_id > v_from
     ORDER BY app_id, next_attempt_at LIMIT 1;
    IF v_key IS NULL THEN
      EXIT WHEN v_wrapped OR v_after_app = '';
      v_wrapped := true;
      v_from := '';
      CONTINUE;
    END IF;
    EXIT WHEN v_wrapped AND v_key > v_after_app;
    IF v_due_at <= p_now THEN
      v_apps := v_apps || v_key;
      EXIT WHEN cardinality(v_apps) >= c_max_apps;
    END IF;
    v_from := v_key;
  END LOOP;
  IF cardinality(v_apps) = 0 THEN
    RETURN;
  END IF;
  PERFORM set_config('hookline.claim_after_app', v_apps[cardinality(v_apps)], false);

  -- 2. Each application's head: its earliest due deliveries, an equal share of 4x the batch but at most the batch
  --    (what one claim can take): one to three applications in turn read the batch each, four or more share 4x.
  v_share := ceil(LEAST(v_scan, p_limit * cardinality(v_apps))::NUMERIC / cardinality(v_apps))::INT;
  SELECT array_agg(h.id), array_agg(DISTINCT h.endpoint_id), COALESCE(bool_or(h.nth = v_share), false)
    INTO v_ids, v_endpoints, v_full
    FROM unnest(v_apps) AS a(app_id)
    CROSS JOIN LATERAL (
      SELECT id, endpoint_id, row_number() OVER (ORDER BY next_attempt_at) AS nth
        FROM (SELECT id, endpoint_id, next_attempt_at FROM deliveries
               WHERE status = 'pending' AND app_id = a.app_id AND next_attempt_at <= p_now
               ORDER BY next_attempt_at LIMIT v_share) head) h;

  -- 3. A full head may be one busy endpoint's backlog: up to `limit` other endpoints with due work get a look,
  --    after the one this session's last look reached (deliveries_due_endpoint), each with its earliest rows.
  IF v_full THEN
    v_from := v_after_endpoint;
    v_wrapped := false;
    FOR i IN 1..p_limit LOOP
      v_key := NULL;
      SELECT endpoint_id, next_attempt_at INTO v_key, v_due_at FROM deliveries
       WHERE status = 'pending' AND endpoint_id > v_from
       ORDER BY endpoint_id, next_attempt_at LIMIT 1;
      IF v_key IS NULL THEN
        EXIT WHEN v_wrapped OR v_after_endpoint = '';
        v_wrapped := true;
        v_from := '';
        CONTINUE;
      END IF;
      EXIT WHEN v_wrapped AND v_key > v_after_endpoint;
      IF v_due_at <= p_now AND NOT (v_key = ANY (v_endpoints)) THEN
        v_behind := v_behind || v_key;
      END IF;
      v_from := v_key;
    END LOOP;
    PERFORM set_config('hookline.claim_after_endpoint', v_from, false);
    SELECT array_agg(r.id) INTO v_behind_ids FROM (
      SELECT d.id FROM unnest(v_behind) AS b(endpoint_id)
        CROSS JOIN LATERAL (
          SELECT id FROM deliveries
           WHERE endpoint_id = b.endpoint_id AND status = 'pending' AND next_attempt_at <= p_now
           ORDER BY next_attempt_at LIMIT p_per_endpoint) d
       LIMIT v_scan) r;
    v_ids := v_ids || COALESCE(v_behind_ids, '{}');
    v_endpoints := v_endpoints || v_behind;
  END IF;

  -- 4. The gates of those endpoints only, locked in id order (so claims never deadlock one another).
  SELECT array_agg(g.endpoint_id) INTO v_locked
    FROM (SELECT DISTINCT e.id COLLATE "C" AS id FROM unnest(v_endpoints) AS e(id) ORDER BY 1) c
    CROSS JOIN LATERAL (
      SELECT g.endpoint_id FROM endpoint_gates g
       WHERE g.endpoint_id = c.id
         AND g.endpoint_id <> ALL (p_exclude)
         AND (g.open_until IS NULL OR g.open_until <= p_now)
         AND COALESCE((p_caps ->> g.endpoint_id)::INT, 1) > 0
       LIMIT 1 FOR UPDATE) g;
  IF v_locked IS NULL THEN
    RETURN;
  END IF;

  -- 5. In a new snapshot, which sees every claim committed before those locks were granted: each endpoint's
  --    unexpired sends, rate tokens and circuit give its allowance; the candidates within it are taken one per
  --    application in turn (earliest first within each), at most `limit`.
  RETURN QUERY
  WITH gate AS (
    SELECT g.endpoint_id, e.throttle_rate AS rate, busy.n AS in_flight, g.open_until,
           CASE WHEN e.throttle_rate IS NULL OR e.throttle_rate <= 0 THEN NULL
                ELSE LEAST(GREATEST(1, e.throttle_rate)::DOUBLE PRECISION,
                           COALESCE(g.tokens + GREATEST(0, p_now - g.tokens_at) / 1000.0 * e.throttle_rate,
                                    GREATEST(1, e.throttle_rate))) END AS tokens
      FROM unnest(v_locked) AS l(endpoint_id)
      CROSS JOIN LATERAL (SELECT * FROM endpoint_gates WHERE endpoint_id = l.endpoint_id LIMIT 1) g
      CROSS JOIN LATERAL (SELECT * FROM endpoints WHERE id = l.endpoint_id AND disabled = 0 LIMIT 1) e
      CROSS JOIN LATERAL (SELECT count(*)::INT AS n FROM deliveries
                           WHERE endpoint_id = l.endpoint_id AND status = 'sending' AND lease_until > p_now) busy
  ), allowance AS (
    SELECT endpoint_id, rate, tokens, GREATEST(0, LEAST(
             p_per_endpoint - in_flight,
             COALESCE((p_caps ->> endpoint_id)::INT, p_per_endpoint),
             COALESCE(floor(tokens + 1e-9)::INT, p_per_endpoint),
             CASE WHEN open_until IS NULL THEN p_per_endpoint ELSE 1 - in_flight END)) AS n
      FROM gate
  ), candidate AS (
    SELECT d.id, d.endpoint_id, d.app_id, d.next_attempt_at,
           row_number() OVER (PARTITION BY d.endpoint_id ORDER BY d.next_attempt_at, d.id) AS nth
      FROM unnest(v_ids) AS c(id)
      CROSS JOIN LATERAL (SELECT id, endpoint_id, app_id, next_attempt_at FROM deliveries
                           WHERE id = c.id AND status = 'pending' AND next_attempt_at <= p_now LIMIT 1) d
  ), eligible AS (
    SELECT c.id, c.next_attempt_at,
           row_number() OVER (PARTITION BY c.app_id ORDER BY c.next_attempt_at, c.id) AS turn
      FROM candidate c JOIN allowance a ON a.endpoint_id = c.endpoint_id
     WHERE c.nth <= a.n
  ), picked AS (
    SELECT d.id FROM (SELECT id FROM eligible ORDER BY turn, next_attempt_at, id LIMIT p_limit) e
      CROSS JOIN LATERAL (SELECT id FROM deliveries WHERE id = e.id AND status = 'pending'
                           LIMIT 1 FOR UPDATE SKIP LOCKED) d
  ), claimed AS (
    -- By key (= ANY of an array): joined to picked, the planner chose a scan of every delivery (no statistics).
    UPDATE deliveries d SET status = 'sending', lease_until = p_lease_until, leased_by = p_owner, updated_at = p_now
     WHERE d.id = ANY (ARRAY(SELECT id FROM picked))
    RETURNING d.*
  ), spent AS (
    UPDATE endpoint_gates g SET tokens = a.tokens - c.n, tokens_at = p_now
      FROM (SELECT endpoint_id, count(*) AS n FROM claimed GROUP BY endpoint_id) c
      JOIN allowance a ON a.endpoint_id = c.endpoint_id
     WHERE g.endpoint_id = c.endpoint_id AND a.rate IS NOT NULL AND a.rate > 0
       AND g.endpoint_id = ANY (ARRAY(SELECT endpoint_id FROM allowance WHERE rate > 0))
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
    CROSS JOIN LATERAL (SELECT * FROM messages WHERE id = c.message_id LIMIT 1) m
    CROSS JOIN LATERAL (SELECT * FROM endpoints WHERE id = c.endpoint_id LIMIT 1) e
   ORDER BY c.next_attempt_at, c.id;
END
$fn$;
