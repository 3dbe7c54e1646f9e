-- Issue 14, payload filters: an endpoint may receive only the messages whose payload matches a filter (MongoDB
-- query operators, payload-filter/language.ts), kept as the JSON text the API accepted. NULL, as every existing
-- endpoint has: every payload. Evaluated at publish in the process (sqlite/messages.ts). PostgreSQL's twin is its 0013.

ALTER TABLE endpoints ADD COLUMN payload_filter TEXT;
