-- An index for every cascade, none the hot path does not need.
-- Deleting a delivery (with its endpoint or application) deletes its attempts through the foreign key, and
-- with no index on attempts.delivery_id each deleted delivery scanned every attempt: deleting an endpoint with
-- 2,000 deliveries over 100,000 attempts held the process for 41 s. PostgreSQL had this index from the start.
-- Deleting an application deletes its API keys the same way, and api_keys_app was partial (unrevoked keys
-- only), which a cascade cannot use.
-- A message's attempts are listed through its deliveries and this index, so attempts_message goes.
-- deliveries_message duplicated UNIQUE (message_id, endpoint_id), which finds a message's deliveries as well.
-- deliveries_waiting_endpoint covered pending and paused rows, so every publish and every claim rewrote it;
-- pending rows of an endpoint are found through deliveries_due_endpoint, and paused ones (rare: a disabled
-- endpoint's parked queue) through a partial index that the hot path never touches.

CREATE INDEX attempts_delivery ON attempts (delivery_id);
DROP INDEX api_keys_app;
CREATE INDEX api_keys_app ON api_keys (app_id, id);
DROP INDEX attempts_message;
DROP INDEX deliveries_message;
DROP INDEX deliveries_waiting_endpoint;
CREATE INDEX deliveries_paused_endpoint ON deliveries (endpoint_id) WHERE status = 'paused';
