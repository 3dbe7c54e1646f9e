// Numbered, append-only migrations for PostgreSQL: never edit one that has shipped; add the next number.
// Column types mirror the SQLite schema (JSON as text, 0/1 flags, epoch-millisecond bigints), so both stores map
// rows to records the same way. Ids are base62 and mixed case: they sort by time only under the "C" collation.
import type { Migration } from '../sqlite/migrations.js';

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'init',
    sql: `
CREATE TABLE applications (
  id TEXT COLLATE "C" PRIMARY KEY,
  uid TEXT UNIQUE,
  name TEXT NOT NULL,
  rate_limit INTEGER,
  metadata TEXT NOT NULL DEFAULT '{}',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE endpoints (
  id TEXT COLLATE "C" PRIMARY KEY,
  app_id TEXT COLLATE "C" NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  uid TEXT,
  url TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  event_types TEXT,
  channels TEXT,
  disabled SMALLINT NOT NULL DEFAULT 0,
  disabled_reason TEXT,
  throttle_rate INTEGER,
  header_prefix TEXT NOT NULL DEFAULT 'webhook' CHECK (header_prefix IN ('webhook', 'svix')),
  retry_schedule TEXT,
  non_retryable_statuses TEXT,
  metadata TEXT NOT NULL DEFAULT '{}',
  failing_since BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (app_id, uid)
);
CREATE INDEX endpoints_app ON endpoints (app_id, id);

CREATE TABLE endpoint_secrets (
  serial BIGSERIAL PRIMARY KEY,
  endpoint_id TEXT COLLATE "C" NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,
  secret TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT
);
CREATE INDEX endpoint_secrets_endpoint ON endpoint_secrets (endpoint_id);

-- The per-endpoint gate shared by every process: the claim takes this row's lock, so two workers never decide an
-- endpoint's allowance at once. Rate tokens (throttleRate) and circuit state live here, not in a process.
CREATE TABLE endpoint_gates (
  endpoint_id TEXT COLLATE "C" PRIMARY KEY REFERENCES endpoints(id) ON DELETE CASCADE,
  -- NULL = a full bucket (throttle_rate tokens, at least 1).
  tokens DOUBLE PRECISION,
  tokens_at BIGINT NOT NULL DEFAULT 0,
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  -- NULL = closed; in the future = open; in the past = half-open (one probe at a time).
  open_until BIGINT,
  open_ms BIGINT
);

CREATE TABLE messages (
  id TEXT COLLATE "C" PRIMARY KEY,
  app_id TEXT COLLATE "C" NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  event_type TEXT NOT NULL,
  event_id TEXT,
  payload TEXT NOT NULL,
  channels TEXT,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX messages_event_id ON messages (app_id, event_id) WHERE event_id IS NOT NULL;
CREATE INDEX messages_app ON messages (app_id, id);

-- The delivery row is the queue item: one per (message, endpoint).
CREATE TABLE deliveries (
  id TEXT COLLATE "C" PRIMARY KEY,
  message_id TEXT COLLATE "C" NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  endpoint_id TEXT COLLATE "C" NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,
  app_id TEXT COLLATE "C" NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'succeeded', 'dead', 'paused')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT,
  lease_until BIGINT,
  manual SMALLINT NOT NULL DEFAULT 0,
  last_error TEXT,
  last_status_code INTEGER,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (message_id, endpoint_id)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_due_endpoint ON deliveries (endpoint_id, next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_leased ON deliveries (lease_until) WHERE status = 'sending';
CREATE INDEX deliveries_sending_endpoint ON deliveries (endpoint_id, lease_until) WHERE status = 'sending';
CREATE INDEX deliveries_dead_app ON deliveries (app_id, id) WHERE status = 'dead';
CREATE INDEX deliveries_dead_endpoint ON deliveries (endpoint_id, created_at) WHERE status = 'dead';
CREATE INDEX deliveries_waiting_endpoint ON deliveries (endpoint_id) WHERE status IN ('pending', 'paused');
CREATE INDEX deliveries_app ON deliveries (app_id);

CREATE TABLE attempts (
  id TEXT COLLATE "C" PRIMARY KEY,
  delivery_id TEXT COLLATE "C" NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
  message_id TEXT COLLATE "C" NOT NULL,
  endpoint_id TEXT COLLATE "C" NOT NULL,
  app_id TEXT COLLATE "C" NOT NULL,
  url TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('succeeded', 'failed')),
  trigger TEXT NOT NULL CHECK (trigger IN ('scheduled', 'manual')),
  status_code INTEGER,
  response_body TEXT NOT NULL DEFAULT '',
  duration_ms INTEGER NOT NULL,
  error TEXT,
  created_at BIGINT NOT NULL
);
CREATE INDEX attempts_message ON attempts (message_id, id);
CREATE INDEX attempts_endpoint ON attempts (endpoint_id, id);
CREATE INDEX attempts_delivery ON attempts (delivery_id);

CREATE TABLE operational_events (
  id TEXT COLLATE "C" PRIMARY KEY,
  type TEXT NOT NULL,
  app_id TEXT NOT NULL,
  endpoint_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- Delivery ids made inside the publish statement, in the format of ids.ts: 48 bits of milliseconds, then a
-- sequence (so ids of one millisecond still sort in insertion order across processes), then random bits.
CREATE SEQUENCE hookline_id_sequence;
CREATE FUNCTION hookline_new_id(prefix TEXT, ms BIGINT) RETURNS TEXT LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  alphabet CONSTANT TEXT := '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  n NUMERIC := ms::NUMERIC * 1208925819614629174706176
    + (nextval('hookline_id_sequence') % 1099511627776)::NUMERIC * 1099511627776
    + floor(random() * 1099511627776)::NUMERIC;
  out TEXT := '';
BEGIN
  FOR i IN 1..22 LOOP
    out := substr(alphabet, (n % 62)::INT + 1, 1) || out;
    n := div(n, 62);
  END LOOP;
  RETURN prefix || '_' || out;
END
$fn$;
`,
  },
  {
    version: 2,
    name: 'claim function',
    sql: claimFunctionSql(),
  },
  {
    version: 3,
    name: 'full api and access: endpoint headers, event type fields, list indexes, api keys, idempotency records',
    sql: `
ALTER TABLE endpoints ADD COLUMN headers TEXT NOT NULL DEFAULT '{}';

CREATE TABLE event_types (
  name TEXT PRIMARY KEY,
  description TEXT NOT NULL DEFAULT '',
  schemas TEXT,
  archived SMALLINT NOT NULL DEFAULT 0,
  deprecated SMALLINT NOT NULL DEFAULT 0,
  feature_flag TEXT,
  group_name TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX deliveries_message ON deliveries (message_id, id);
CREATE INDEX deliveries_endpoint_created ON deliveries (endpoint_id, created_at);
CREATE INDEX attempts_app ON attempts (app_id, id);

-- Keys are kept only as SHA-256 hashes; a revoked key keeps its row for the audit trail.
CREATE TABLE api_keys (
  id TEXT COLLATE "C" PRIMARY KEY,
  name TEXT NOT NULL,
  app_id TEXT COLLATE "C" REFERENCES applications(id) ON DELETE CASCADE,
  key_sha256 TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  last4 TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT,
  revoked_at BIGINT
);
CREATE INDEX api_keys_app ON api_keys (app_id, id) WHERE revoked_at IS NULL;

-- An idempotency record is in progress while status_code is NULL.
CREATE TABLE idempotency_records (
  caller_id TEXT NOT NULL,
  key TEXT NOT NULL,
  path TEXT NOT NULL,
  request_sha256 TEXT NOT NULL,
  status_code INTEGER,
  body TEXT,
  locked_until BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (caller_id, key, path)
);
CREATE INDEX idempotency_records_expiry ON idempotency_records (expires_at);
`,
  },
  {
    version: 4,
    name: 'request headers of attempts',
    // What was sent, not only what came back (the dashboard shows each try's webhook-id, timestamp and signature).
    sql: `
ALTER TABLE attempts ADD COLUMN request_headers TEXT;
`,
  },
  {
    version: 5,
    name: 'an index for every cascade, none the hot path does not need',
    // Deleting an application deletes its API keys through the foreign key; the only index on api_keys.app_id was
    // partial (unrevoked keys), which a cascade cannot use. deliveries_message duplicated UNIQUE (message_id,
    // endpoint_id). deliveries_waiting_endpoint covered pending and paused rows, so every publish and claim
    // rewrote it; pending rows of an endpoint are found through deliveries_due_endpoint, paused ones (a disabled
    // endpoint's parked queue) through a partial index the hot path never touches. The same change as SQLite's 7.
    sql: `
DROP INDEX api_keys_app;
CREATE INDEX api_keys_app ON api_keys (app_id, id);
DROP INDEX deliveries_message;
DROP INDEX deliveries_waiting_endpoint;
CREATE INDEX deliveries_paused_endpoint ON deliveries (endpoint_id) WHERE status = 'paused';
`,
  },
  {
    version: 6,
    name: 'scheduled and tagged messages',
    // Svix's deliverAt: the message's deliveries are due at that time, not at once; Svix's tags, a JSON array
    // filtered like channels; and a partial index of failed attempts per endpoint for the health view (SQLite's 8).
    sql: `
ALTER TABLE messages ADD COLUMN deliver_at BIGINT;
ALTER TABLE messages ADD COLUMN tags TEXT;
CREATE INDEX attempts_failed_endpoint ON attempts (endpoint_id, id) WHERE outcome = 'failed';
`,
  },
  {
    version: 7,
    name: 'lone surrogates in JSON lists repaired',
    // A lone surrogate ("\ud800") was accepted in filterTypes, channels and tags and stored as a JSON escape; the
    // text column held it, but every `::jsonb` cast of the row failed, so each publish to the application (and each
    // list filtered by channel or tag) answered 500. The API refuses such strings now (issue 16). Rows whose JSON no
    // longer casts have each lone surrogate replaced by U+FFFD, which is what it would have become as UTF-8: a
    // filter that named one matched no real event type before and matches none after. The regex only preselects.
    sql: String.raw`
CREATE FUNCTION pg_temp.casts_to_jsonb(t TEXT) RETURNS BOOLEAN LANGUAGE plpgsql AS $$
BEGIN
  PERFORM t::jsonb;
  RETURN true;
EXCEPTION WHEN others THEN
  RETURN false;
END $$;
CREATE FUNCTION pg_temp.without_lone_surrogates(t TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
  SELECT regexp_replace(t,
    '\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}',
    '\\ufffd', 'g')
$$;
UPDATE endpoints SET event_types = pg_temp.without_lone_surrogates(event_types)
  WHERE event_types ~* '\\ud[89a-f]' AND NOT pg_temp.casts_to_jsonb(event_types);
UPDATE endpoints SET channels = pg_temp.without_lone_surrogates(channels)
  WHERE channels ~* '\\ud[89a-f]' AND NOT pg_temp.casts_to_jsonb(channels);
UPDATE messages SET channels = pg_temp.without_lone_surrogates(channels)
  WHERE channels ~* '\\ud[89a-f]' AND NOT pg_temp.casts_to_jsonb(channels);
UPDATE messages SET tags = pg_temp.without_lone_surrogates(tags)
  WHERE tags ~* '\\ud[89a-f]' AND NOT pg_temp.casts_to_jsonb(tags);
DROP FUNCTION pg_temp.without_lone_surrogates(TEXT);
DROP FUNCTION pg_temp.casts_to_jsonb(TEXT);
`,
  },
  {
    version: 8,
    name: 'at most 16 secrets per endpoint',
    // The signer refuses more than 16 secrets: rotation now keeps the 16 newest, and this trims endpoints that
    // already hold more, the oldest rotated-out ones first (SQLite's 10).
    sql: `
DELETE FROM endpoint_secrets WHERE serial IN (
  SELECT serial FROM (
    SELECT serial, ROW_NUMBER() OVER (PARTITION BY endpoint_id ORDER BY created_at DESC, serial DESC) AS n
      FROM endpoint_secrets) numbered
   WHERE n > 16);
`,
  },
  {
    version: 9,
    name: "leases carry their owner: a dead process's leases are taken back at once",
    // Issue 16 item 4: after a kill -9, the dead process's unexpired leases counted against its endpoints'
    // concurrency limits until they ran out (timeout + margin, 30 s by default), so those endpoints froze. A lease
    // now names its owner (lease-owner.ts), and the claim takes back the leases of owners whose session has ended.
    sql: `
ALTER TABLE deliveries ADD COLUMN leased_by INTEGER;
DROP FUNCTION hookline_claim(BIGINT, BIGINT, INT, INT, TEXT[], JSONB);
CREATE FUNCTION hookline_claim(p_now BIGINT, p_lease_until BIGINT, p_limit INT, p_per_endpoint INT,
    p_exclude TEXT[], p_caps JSONB, p_owner INT)
  RETURNS TABLE (delivery JSONB, message JSONB, endpoint JSONB) LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  v_endpoints TEXT[];
  v_scan INT := p_limit * 4;
BEGIN
  -- Leases that ran out belong to a worker that died or hung, and leases whose owner's session has ended belong to
  -- a process that died (its sends died with it): due again (parked when the endpoint was disabled). The live
  -- owners (each holds its key's advisory lock on a session of its own: lease-owner.ts) are read in this statement,
  -- after its snapshot: an owner whose leases the snapshot sees took its lock before them, so it is in the list.
  UPDATE deliveries d
     SET status = CASE WHEN e.disabled = 1 THEN 'paused' ELSE 'pending' END, lease_until = NULL, leased_by = NULL
    FROM endpoints e
   WHERE e.id = d.endpoint_id
     AND d.id IN (SELECT id FROM deliveries
                   WHERE status = 'sending'
                     AND (lease_until <= p_now OR leased_by <> ALL (ARRAY(
                           SELECT objid::BIGINT::INT FROM pg_locks
                            WHERE locktype = 'advisory' AND classid = 720615 AND objsubid = 2 AND granted
                              AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))))
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
    UPDATE deliveries d SET status = 'sending', lease_until = p_lease_until, leased_by = p_owner, updated_at = p_now
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
`,
  },
];

/**
 * The claim, in one round trip. A PL/pgSQL function because its two steps need two snapshots: first it locks the
 * gates of endpoints with due work (in id order, so claims never deadlock one another), then, in a new snapshot
 * that sees every claim committed before those locks were granted, it counts each endpoint's unexpired sends,
 * spends rate tokens, and leases at most what each endpoint's limit, cap, tokens and circuit allow. Delivery rows
 * are taken FOR UPDATE SKIP LOCKED, so a row being replayed or recorded is passed over, never waited for.
 * graphile-worker's get_job follows the same shape.
 */
function claimFunctionSql(): string {
  return `
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
`;
}
