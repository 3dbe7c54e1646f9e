-- Inbound sources (issue 13): a public ingest URL per source in front of one application, and the log of the
-- requests that reached it. Accepted rows are the durable record of what the provider sent, committed before it
-- is answered; refusals keep their reason only, bounded per source by the store.
CREATE TABLE sources (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  uid TEXT UNIQUE,
  name TEXT NOT NULL,
  verification TEXT NOT NULL,
  identify TEXT,
  allowlist TEXT,
  rate_limit REAL,
  response TEXT NOT NULL,
  signature_mode TEXT NOT NULL CHECK (signature_mode IN ('original', 'hookline')),
  max_body_bytes INTEGER NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX sources_app ON sources (app_id, id);

CREATE TABLE inbound_requests (
  id TEXT PRIMARY KEY,
  source_id TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  app_id TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('accepted', 'duplicate', 'rejected')),
  reason TEXT,
  method TEXT NOT NULL,
  event_type TEXT,
  event_id TEXT,
  remote_address TEXT,
  body TEXT,
  headers TEXT,
  query TEXT,
  signature_mode TEXT,
  message_id TEXT,
  created_at INTEGER NOT NULL
);
-- Dedupe by the provider's event id: one accepted request per (source, event id).
CREATE UNIQUE INDEX inbound_requests_event ON inbound_requests (source_id, event_id)
  WHERE outcome = 'accepted' AND event_id IS NOT NULL;
CREATE INDEX inbound_requests_source ON inbound_requests (source_id, id);
CREATE INDEX inbound_requests_refusals ON inbound_requests (source_id, id) WHERE outcome <> 'accepted';
CREATE INDEX inbound_requests_unrelayed ON inbound_requests (id) WHERE outcome = 'accepted' AND message_id IS NULL;
