-- A claim that skips busy endpoints (at their concurrency limit, rate limited, circuit open) reads the due rows
-- of the other endpoints through this index, instead of walking past every due row of the busy ones.

CREATE INDEX deliveries_due_endpoint ON deliveries (endpoint_id, next_attempt_at) WHERE status = 'pending';
