-- Issue 14 section 1, ordered delivery per endpoint: an endpoint with `ordering = 'fifo'` sends its deliveries one
-- at a time per ordering key (the message's, '' when it has none), in publish order. Each (endpoint, key) is a
-- line: its head is the one delivery that may be pending, sending or (held) dead; the rest of the line waits parked
-- ('paused', as deliveries of a disabled endpoint are: never claimable), numbered by `ordering_seq`, and the next one
-- is made due only when the head is delivered or dead (store/sqlite/ordering.ts). The claim is unchanged: it only
-- ever sees heads, so unordered work costs what it did. 'waiting' is not a status of its own because SQLite cannot
-- change the CHECK of deliveries without rebuilding the table, and dropping the old one would cascade into attempts.
-- PostgreSQL's twin is its 0015.

ALTER TABLE endpoints ADD COLUMN ordering TEXT NOT NULL DEFAULT 'none' CHECK (ordering IN ('none', 'fifo'));
ALTER TABLE endpoints ADD COLUMN ordering_on_dead TEXT NOT NULL DEFAULT 'skip' CHECK (ordering_on_dead IN ('skip', 'hold'));
ALTER TABLE messages ADD COLUMN ordering_key TEXT;
ALTER TABLE deliveries ADD COLUMN ordering_key TEXT;
ALTER TABLE deliveries ADD COLUMN ordering_seq INTEGER;

CREATE TABLE ordering_lines (
  endpoint_id TEXT NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,
  ordering_key TEXT NOT NULL,
  -- The delivery at the head (pending, sending, paused while the endpoint is disabled, or dead and held); NULL when
  -- the line is idle, which it is only when nothing of it waits.
  head_id TEXT,
  -- The last ordering_seq given to a delivery of this line: publish order, counted under the line.
  last_seq INTEGER NOT NULL,
  PRIMARY KEY (endpoint_id, ordering_key)
);

CREATE INDEX deliveries_ordered_waiting ON deliveries (endpoint_id, ordering_key, ordering_seq)
  WHERE status = 'paused' AND ordering_key IS NOT NULL;
