-- The full API and access: endpoint headers, event type fields, list indexes, API keys, idempotency records.

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
