-- Issue 14 section 1, ordered delivery per endpoint: an endpoint with `ordering = 'fifo'` sends its deliveries one
-- at a time per ordering key (the message's, '' when it has none), in publish order. Each (endpoint, key) is a
-- line: its head is the one delivery that may be pending, sending or (held) dead; the rest of the line waits parked
-- ('paused', as deliveries of a disabled endpoint are: never claimable), numbered by `ordering_seq`, and the next one
-- is made due only when the head is delivered or dead (hookline_advance_lines below). The claim function is
-- unchanged: it only ever sees heads, so unordered work costs what it did, and at most one delivery per line is
-- ever pending or sending, whatever the number of processes. 'waiting' is not a status of its own so that both
-- stores keep one set of statuses (SQLite cannot change its CHECK without rebuilding deliveries).
-- SQLite's twin is its 0016.

ALTER TABLE endpoints ADD COLUMN ordering TEXT NOT NULL DEFAULT 'none' CHECK (ordering IN ('none', 'fifo'));
ALTER TABLE endpoints ADD COLUMN ordering_on_dead TEXT NOT NULL DEFAULT 'skip' CHECK (ordering_on_dead IN ('skip', 'hold'));
ALTER TABLE messages ADD COLUMN ordering_key TEXT;
ALTER TABLE deliveries ADD COLUMN ordering_key TEXT COLLATE "C";
ALTER TABLE deliveries ADD COLUMN ordering_seq BIGINT;

CREATE TABLE ordering_lines (
  endpoint_id TEXT COLLATE "C" NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,
  ordering_key TEXT COLLATE "C" NOT NULL,
  -- The delivery at the head (pending, sending, paused while the endpoint is disabled, or dead and held); NULL when
  -- the line is idle, which it is only when nothing of it waits.
  head_id TEXT COLLATE "C",
  -- The last ordering_seq given to a delivery of this line: publish order, counted under the line's row lock, so
  -- it is commit order for publishes of one key however many processes publish.
  last_seq BIGINT NOT NULL,
  PRIMARY KEY (endpoint_id, ordering_key)
);

CREATE INDEX deliveries_ordered_waiting ON deliveries (endpoint_id, ordering_key, ordering_seq)
  WHERE status = 'paused' AND ordering_key IS NOT NULL;

-- Moves each named line on when its head has ended: delivered, or dead when the endpoint skips dead heads. The next
-- waiting delivery (lowest ordering_seq) becomes the head, due (parked if the endpoint is disabled); with none, the
-- line is idle. Idempotent: a line whose head is still live (pending, sending, parked, or dead and held) is left.
-- Each line's row is locked first, and the statements after that lock see every publish committed before it (each
-- statement of a VOLATILE function takes a new snapshot): a publish that found the head busy and parked its
-- delivery holds that lock until it commits, so its delivery is never missed and left waiting for good.
-- Lines are locked in (endpoint, key) order, so two callers never deadlock each other.
CREATE FUNCTION hookline_advance_lines(p_endpoints TEXT[], p_keys TEXT[], p_now BIGINT)
  RETURNS INT LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  v_line RECORD;
  v_head TEXT;
  v_status TEXT;
  v_next TEXT;
  v_promoted INT := 0;
BEGIN
  FOR v_line IN
    SELECT l.endpoint_id, l.ordering_key FROM ordering_lines l
     WHERE (l.endpoint_id, l.ordering_key) IN (SELECT * FROM unnest(p_endpoints, p_keys))
     ORDER BY l.endpoint_id, l.ordering_key
       FOR UPDATE
  LOOP
    SELECT head_id INTO v_head FROM ordering_lines
     WHERE endpoint_id = v_line.endpoint_id AND ordering_key = v_line.ordering_key;
    IF v_head IS NOT NULL THEN
      v_status := NULL;
      SELECT status INTO v_status FROM deliveries WHERE id = v_head;
      CONTINUE WHEN v_status IN ('pending', 'sending', 'paused')
        OR v_status = 'dead' AND EXISTS (SELECT 1 FROM endpoints WHERE id = v_line.endpoint_id AND ordering_on_dead = 'hold');
    END IF;
    v_next := NULL;
    SELECT id INTO v_next FROM deliveries
     WHERE endpoint_id = v_line.endpoint_id AND ordering_key = v_line.ordering_key AND status = 'paused'
     ORDER BY ordering_seq LIMIT 1;
    IF v_next IS NOT NULL THEN
      UPDATE deliveries d
         SET status = CASE WHEN e.disabled = 1 THEN 'paused' ELSE 'pending' END,
             next_attempt_at = COALESCE(d.next_attempt_at, p_now), updated_at = p_now
        FROM endpoints e
       WHERE d.id = v_next AND e.id = d.endpoint_id;
      v_promoted := v_promoted + 1;
    END IF;
    UPDATE ordering_lines SET head_id = v_next
     WHERE endpoint_id = v_line.endpoint_id AND ordering_key = v_line.ordering_key;
  END LOOP;
  IF v_promoted > 0 THEN
    PERFORM pg_notify('hookline_work', '');
  END IF;
  RETURN v_promoted;
END
$fn$;
