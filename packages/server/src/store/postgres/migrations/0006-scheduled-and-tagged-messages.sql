-- Svix's deliverAt: the message's deliveries are due at that time, not at once; Svix's tags, a JSON array
-- filtered like channels; and a partial index of failed attempts per endpoint for the health view (SQLite's 8).

ALTER TABLE messages ADD COLUMN deliver_at BIGINT;
ALTER TABLE messages ADD COLUMN tags TEXT;
CREATE INDEX attempts_failed_endpoint ON attempts (endpoint_id, id) WHERE outcome = 'failed';
