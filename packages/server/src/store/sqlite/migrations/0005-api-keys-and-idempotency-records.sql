-- Keys are kept only as SHA-256 hashes (looked up by hash, so no compare loop); a revoked key keeps its row
-- for the audit trail. An idempotency record is in progress while status_code is NULL.

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
