-- The first schema. Column types mirror the SQLite schema (JSON as text, 0/1 flags, epoch-millisecond bigints),
-- so both stores map rows to records the same way. Ids are base62 and mixed case: they sort by time only under
-- the "C" collation.

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
