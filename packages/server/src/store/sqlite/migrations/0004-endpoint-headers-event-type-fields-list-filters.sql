-- The full API: endpoint headers, event type fields, list filters.
-- Migration 5 belonged to another change (API keys) and may have been applied before this one: the runner applies
-- whatever numbers are missing, in order, so a database that got 5 before 4 still gets 4.

ALTER TABLE endpoints ADD COLUMN headers TEXT NOT NULL DEFAULT '{}';
ALTER TABLE event_types ADD COLUMN deprecated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE event_types ADD COLUMN feature_flag TEXT;
ALTER TABLE event_types ADD COLUMN group_name TEXT;
CREATE INDEX deliveries_message ON deliveries (message_id, id);
CREATE INDEX deliveries_endpoint_created ON deliveries (endpoint_id, created_at);
CREATE INDEX attempts_app ON attempts (app_id, id);
