-- An index for every cascade, none the hot path does not need.
-- Deleting an application deletes its API keys through the foreign key; the only index on api_keys.app_id was
-- partial (unrevoked keys), which a cascade cannot use. deliveries_message duplicated UNIQUE (message_id,
-- endpoint_id). deliveries_waiting_endpoint covered pending and paused rows, so every publish and claim
-- rewrote it; pending rows of an endpoint are found through deliveries_due_endpoint, paused ones (a disabled
-- endpoint's parked queue) through a partial index the hot path never touches. The same change as SQLite's 7.

DROP INDEX api_keys_app;
CREATE INDEX api_keys_app ON api_keys (app_id, id);
DROP INDEX deliveries_message;
DROP INDEX deliveries_waiting_endpoint;
CREATE INDEX deliveries_paused_endpoint ON deliveries (endpoint_id) WHERE status = 'paused';
