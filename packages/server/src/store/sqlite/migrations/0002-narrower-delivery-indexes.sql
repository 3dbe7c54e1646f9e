-- Every status change of a delivery rewrote its entries in two wide indexes. Partial indexes hold only the
-- rows their queries look for (dead ones, waiting ones), so the hot path (pending -> sending -> succeeded)
-- touches far fewer index entries.

DROP INDEX deliveries_endpoint;
DROP INDEX deliveries_app_status;
CREATE INDEX deliveries_dead_app ON deliveries (app_id, id) WHERE status = 'dead';
CREATE INDEX deliveries_dead_endpoint ON deliveries (endpoint_id, created_at) WHERE status = 'dead';
CREATE INDEX deliveries_waiting_endpoint ON deliveries (endpoint_id) WHERE status IN ('pending', 'paused');
