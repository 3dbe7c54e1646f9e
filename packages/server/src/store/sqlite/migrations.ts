// Numbered, append-only migrations: never edit one that has shipped; add the next number.

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * The migrations a database still needs, in version order. Numbers may have gaps (a number another change owns,
 * not merged here yet) and may have been applied out of order (5 before 4): each missing one is applied.
 */
export function pendingMigrations(all: readonly Migration[], applied: ReadonlySet<number>): Migration[] {
  return all.filter((migration) => !applied.has(migration.version)).sort((a, b) => a.version - b.version);
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'init',
    sql: `
CREATE TABLE applications (
  id TEXT PRIMARY KEY,
  uid TEXT UNIQUE,
  name TEXT NOT NULL,
  rate_limit INTEGER,
  metadata TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE event_types (
  name TEXT PRIMARY KEY,
  description TEXT NOT NULL DEFAULT '',
  schemas TEXT,
  archived INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE endpoints (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  uid TEXT,
  url TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  event_types TEXT,
  channels TEXT,
  disabled INTEGER NOT NULL DEFAULT 0,
  disabled_reason TEXT,
  throttle_rate INTEGER,
  header_prefix TEXT NOT NULL DEFAULT 'webhook' CHECK (header_prefix IN ('webhook', 'svix')),
  retry_schedule TEXT,
  non_retryable_statuses TEXT,
  metadata TEXT NOT NULL DEFAULT '{}',
  failing_since INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (app_id, uid)
);
CREATE INDEX endpoints_app ON endpoints (app_id, id);

CREATE TABLE endpoint_secrets (
  endpoint_id TEXT NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,
  secret TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER
);
CREATE INDEX endpoint_secrets_endpoint ON endpoint_secrets (endpoint_id);

CREATE TABLE messages (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  event_type TEXT NOT NULL,
  event_id TEXT,
  payload TEXT NOT NULL,
  channels TEXT,
  created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX messages_event_id ON messages (app_id, event_id) WHERE event_id IS NOT NULL;
CREATE INDEX messages_app ON messages (app_id, id);

-- The delivery row is the queue item: one per (message, endpoint).
CREATE TABLE deliveries (
  id TEXT PRIMARY KEY,
  message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  endpoint_id TEXT NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,
  app_id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'succeeded', 'dead', 'paused')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  lease_until INTEGER,
  manual INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  last_status_code INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (message_id, endpoint_id)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_leased ON deliveries (lease_until) WHERE status = 'sending';
CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, status, created_at);
CREATE INDEX deliveries_app_status ON deliveries (app_id, status, id);

CREATE TABLE attempts (
  id TEXT PRIMARY KEY,
  delivery_id TEXT NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
  message_id TEXT NOT NULL,
  endpoint_id TEXT NOT NULL,
  app_id TEXT NOT NULL,
  url TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('succeeded', 'failed')),
  trigger TEXT NOT NULL CHECK (trigger IN ('scheduled', 'manual')),
  status_code INTEGER,
  response_body TEXT NOT NULL DEFAULT '',
  duration_ms INTEGER NOT NULL,
  error TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX attempts_message ON attempts (message_id, id);
CREATE INDEX attempts_endpoint ON attempts (endpoint_id, id);

CREATE TABLE operational_events (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  app_id TEXT NOT NULL,
  endpoint_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'narrower delivery indexes',
    // Every status change of a delivery rewrote its entries in two wide indexes. Partial indexes hold only the
    // rows their queries look for (dead ones, waiting ones), so the hot path (pending -> sending -> succeeded)
    // touches far fewer index entries.
    sql: `
DROP INDEX deliveries_endpoint;
DROP INDEX deliveries_app_status;
CREATE INDEX deliveries_dead_app ON deliveries (app_id, id) WHERE status = 'dead';
CREATE INDEX deliveries_dead_endpoint ON deliveries (endpoint_id, created_at) WHERE status = 'dead';
CREATE INDEX deliveries_waiting_endpoint ON deliveries (endpoint_id) WHERE status IN ('pending', 'paused');
`,
  },
  {
    version: 3,
    name: 'due deliveries per endpoint',
    // A claim that skips busy endpoints (at their concurrency limit, rate limited, circuit open) reads the due rows
    // of the other endpoints through this index, instead of walking past every due row of the busy ones.
    sql: `
CREATE INDEX deliveries_due_endpoint ON deliveries (endpoint_id, next_attempt_at) WHERE status = 'pending';
`,
  },
  {
    version: 4,
    name: 'full api: endpoint headers, event type fields, list filters',
    // Migration 5 belongs to another change (API keys): the runner applies whatever numbers exist, in order, so a
    // database that got 5 before 4 still gets 4.
    sql: `
ALTER TABLE endpoints ADD COLUMN headers TEXT NOT NULL DEFAULT '{}';
ALTER TABLE event_types ADD COLUMN deprecated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE event_types ADD COLUMN feature_flag TEXT;
ALTER TABLE event_types ADD COLUMN group_name TEXT;
CREATE INDEX deliveries_message ON deliveries (message_id, id);
CREATE INDEX deliveries_endpoint_created ON deliveries (endpoint_id, created_at);
CREATE INDEX attempts_app ON attempts (app_id, id);
`,
  },
  {
    version: 5,
    name: 'api keys and idempotency records',
    // Keys are kept only as SHA-256 hashes (looked up by hash, so no compare loop); a revoked key keeps its row
    // for the audit trail. An idempotency record is in progress while status_code is NULL.
    sql: `
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  app_id TEXT REFERENCES applications(id) ON DELETE CASCADE,
  key_sha256 TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  last4 TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at INTEGER
);
CREATE INDEX api_keys_app ON api_keys (app_id, id) WHERE revoked_at IS NULL;

CREATE TABLE idempotency_records (
  caller_id TEXT NOT NULL,
  key TEXT NOT NULL,
  path TEXT NOT NULL,
  request_sha256 TEXT NOT NULL,
  status_code INTEGER,
  body TEXT,
  locked_until INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (caller_id, key, path)
);
CREATE INDEX idempotency_records_expiry ON idempotency_records (expires_at);
`,
  },
  {
    version: 6,
    name: 'request headers of attempts',
    // What was sent, not only what came back: the operator answering "we never got the webhook" needs the
    // webhook-id, timestamp and signature of each try. JSON object text; NULL for attempts recorded before.
    sql: `
ALTER TABLE attempts ADD COLUMN request_headers TEXT;
`,
  },
  {
    version: 7,
    name: 'an index for every cascade, none the hot path does not need',
    // Deleting a delivery (with its endpoint or application) deletes its attempts through the foreign key, and
    // with no index on attempts.delivery_id each deleted delivery scanned every attempt: deleting an endpoint with
    // 2,000 deliveries over 100,000 attempts held the process for 41 s. PostgreSQL had this index from the start.
    // Deleting an application deletes its API keys the same way, and api_keys_app was partial (unrevoked keys
    // only), which a cascade cannot use.
    // A message's attempts are listed through its deliveries and this index, so attempts_message goes.
    // deliveries_message duplicated UNIQUE (message_id, endpoint_id), which finds a message's deliveries as well.
    // deliveries_waiting_endpoint covered pending and paused rows, so every publish and every claim rewrote it;
    // pending rows of an endpoint are found through deliveries_due_endpoint, and paused ones (rare: a disabled
    // endpoint's parked queue) through a partial index that the hot path never touches.
    sql: `
CREATE INDEX attempts_delivery ON attempts (delivery_id);
DROP INDEX api_keys_app;
CREATE INDEX api_keys_app ON api_keys (app_id, id);
DROP INDEX attempts_message;
DROP INDEX deliveries_message;
DROP INDEX deliveries_waiting_endpoint;
CREATE INDEX deliveries_paused_endpoint ON deliveries (endpoint_id) WHERE status = 'paused';
`,
  },
  {
    version: 8,
    name: 'scheduled and tagged messages',
    // Svix's deliverAt: the message's deliveries are due at that time, not at once. Kept on the message so the API
    // can say it back; the queue itself needs nothing new (next_attempt_at already orders it). Svix's tags: a JSON
    // array, filtered like channels. An endpoint's last failures (its health view) were found by walking all its
    // attempts; a partial index of failed ones finds them at once and costs nothing on a successful attempt.
    sql: `
ALTER TABLE messages ADD COLUMN deliver_at INTEGER;
ALTER TABLE messages ADD COLUMN tags TEXT;
CREATE INDEX attempts_failed_endpoint ON attempts (endpoint_id, id) WHERE outcome = 'failed';
`,
  },
  {
    version: 9,
    name: 'non-finite rates repaired',
    // ajv coerced "1e400" and "Infinity" to Infinity past maximum, and SQLite kept it (as a REAL in an INTEGER
    // column): every later list of those rows failed to serialize. The API refuses such input now (issue 16); a
    // rate that is not an integer is one of those, and means what null means, no limit.
    sql: `
UPDATE applications SET rate_limit = NULL WHERE rate_limit IS NOT NULL AND typeof(rate_limit) <> 'integer';
UPDATE endpoints SET throttle_rate = NULL WHERE throttle_rate IS NOT NULL AND typeof(throttle_rate) <> 'integer';
`,
  },
  {
    version: 10,
    name: 'at most 16 secrets per endpoint',
    // The signer refuses more than 16 secrets (MAX_SECRETS in @hookline/signatures): an endpoint rotated more often
    // than that within one grace period could no longer be signed for. Rotation now keeps the 16 newest; this
    // trims endpoints that already hold more, the oldest rotated-out ones first.
    sql: `
DELETE FROM endpoint_secrets WHERE rowid IN (
  SELECT rowid FROM (
    SELECT rowid, ROW_NUMBER() OVER (PARTITION BY endpoint_id ORDER BY created_at DESC, rowid DESC) AS n
      FROM endpoint_secrets)
   WHERE n > 16);
`,
  },
];
