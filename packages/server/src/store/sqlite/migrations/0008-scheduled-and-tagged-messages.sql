-- Svix's deliverAt: the message's deliveries are due at that time, not at once. Kept on the message so the API
-- can say it back; the queue itself needs nothing new (next_attempt_at already orders it). Svix's tags: a JSON
-- array, filtered like channels. An endpoint's last failures (its health view) were found by walking all its
-- attempts; a partial index of failed ones finds them at once and costs nothing on a successful attempt.

ALTER TABLE messages ADD COLUMN deliver_at INTEGER;
ALTER TABLE messages ADD COLUMN tags TEXT;
CREATE INDEX attempts_failed_endpoint ON attempts (endpoint_id, id) WHERE outcome = 'failed';
