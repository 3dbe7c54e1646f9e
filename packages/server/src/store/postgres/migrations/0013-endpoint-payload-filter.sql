-- Issue 14, payload filters: an endpoint may receive only the messages whose payload matches a filter (MongoDB
-- query operators, payload-filter/language.ts), kept as the JSON text the API accepted (TEXT, not JSONB: the
-- publish statement compares a digest of the very text the process evaluated). NULL, as every existing endpoint has:
-- every payload. SQLite's twin is its 0014.
--
-- The partial index holds only filtered endpoints: every publish asks whether its application has one the process
-- has not evaluated (postgres/messages.ts), and for the many applications without any that is one empty probe.

ALTER TABLE endpoints ADD COLUMN payload_filter TEXT;
CREATE INDEX endpoints_with_payload_filter ON endpoints (app_id) WHERE payload_filter IS NOT NULL;
